"""Reading seals: the ones a principal may see (its organization's; an approver also those of
the organizations directly below it), one seal with its history, the use log, and seal
coverage (indicator 18, 电子印章覆盖率)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region

from ..appearance import seal_svg
from ..models import Seal, SealKind, SealStatus, SealStatusChange, SealUse

APPLY = "seals.apply_seal"
APPROVE = "seals.approve_seal"
MANAGE = "seals.manage_seal"
USE = "seals.use_seal"
VIEW = "seals.view_seal"
STAFF_PERMISSIONS = (APPLY, APPROVE, MANAGE, USE, VIEW)
READ_SCOPE = "seals:use"


@dataclass(frozen=True)
class SealRow:
    id: int
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    organization_code: str
    organization_name: str
    applied_by_label: str
    applied_at: dt.datetime
    decided_by_label: str
    decided_at: dt.datetime | None
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    certificate_serial: str
    uses: int
    is_own_application: bool
    can_decide: bool
    can_manage: bool
    can_use: bool

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until <= timezone.now()


@dataclass(frozen=True)
class StatusRow:
    status: str
    status_label: str
    at: dt.datetime
    actor_label: str
    reason: str


@dataclass(frozen=True)
class UseRow:
    id: int
    seal_id: int
    seal_name: str
    file_name: str
    purpose: str
    actor_label: str
    used_at: dt.datetime
    document_sm3: str
    sealed_sm3: str


@dataclass(frozen=True)
class SealDetail:
    seal: SealRow
    svg: str
    history: list[StatusRow]
    uses: list[UseRow]
    purpose_note: str
    decision_note: str


def _may_see_seals(principal: Principal) -> bool:
    if principal.kind == "staff":
        return bool(principal.organization_id) and any(
            principal.has_perm(p) for p in STAFF_PERMISSIONS
        )
    if principal.kind == "machine":
        return bool(principal.organization_id) and principal.has_scope(READ_SCOPE)
    return False


def _check(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not _may_see_seals(principal):
        raise PermissionDenied("无权查看电子印章", code="seals/forbidden")


def _visible(principal: Principal) -> QuerySet[Seal]:
    """Own organization's seals; an approver or manager also sees the seals of the
    organizations whose parent is its organization (it decides on them)."""
    condition = Q(organization_id=principal.organization_id)
    if principal.kind == "staff" and (principal.has_perm(APPROVE) or principal.has_perm(MANAGE)):
        condition |= Q(organization__parent_id=principal.organization_id)
    return Seal.objects.filter(condition)


def _row(seal: Seal, principal: Principal, uses: int) -> SealRow:
    own_org = seal.organization_id == principal.organization_id
    governs = own_org or seal.organization.parent_id == principal.organization_id
    staff = principal.kind == "staff"
    return SealRow(
        id=seal.pk,
        name=seal.name,
        kind=seal.kind,
        kind_label=seal.get_kind_display(),
        status=seal.status,
        status_label=seal.get_status_display(),
        organization_code=seal.organization.code,
        organization_name=seal.organization.name,
        applied_by_label=seal.applied_by_label,
        applied_at=seal.applied_at,
        decided_by_label=seal.decided_by_label,
        decided_at=seal.decided_at,
        valid_from=seal.valid_from,
        valid_until=seal.valid_until,
        certificate_serial=seal.certificate_serial,
        uses=uses,
        is_own_application=seal.applied_by == principal.actor,
        can_decide=staff
        and governs
        and principal.has_perm(APPROVE)
        and seal.status == SealStatus.APPLIED
        and seal.applied_by != principal.actor,
        can_manage=staff and governs and principal.has_perm(MANAGE),
        can_use=own_org
        and seal.status == SealStatus.ACTIVE
        and (principal.has_perm(USE) if staff else principal.has_scope(READ_SCOPE)),
    )


def seals_for(*, principal: Principal, status: str = "") -> list[SealRow]:
    """The seals the principal may see, with their use counts (two queries)."""
    _check(principal)
    query = _visible(principal).select_related("organization").annotate(use_count=Count("uses"))
    if status:
        query = query.filter(status=status)
    return [
        _row(seal, principal, seal.use_count)
        for seal in query.order_by("organization__code", "kind", "-applied_at")
    ]


def _seal_visible(principal: Principal, seal_id: int) -> Seal:
    _check(principal)
    seal = (
        _visible(principal)
        .select_related("organization")
        .annotate(use_count=Count("uses"))
        .filter(pk=seal_id)
        .first()
    )
    if seal is None:
        raise NotFound("电子印章不存在或不属于本单位", code="seals/not_found")
    return seal


def _bottom_text(seal: Seal) -> str:
    return "" if seal.kind == SealKind.OFFICIAL else SealKind(seal.kind).label


def seal_image_svg(seal: Seal) -> str:
    return seal_svg(
        organization_name=seal.organization.name,
        bottom_text=_bottom_text(seal),
        code=seal.organization.code,
        title=seal.name,
    )


def _use_rows(query: QuerySet[SealUse]) -> list[UseRow]:
    return [
        UseRow(
            id=use.pk,
            seal_id=use.seal_id,
            seal_name=use.seal.name,
            file_name=use.file_name,
            purpose=use.purpose,
            actor_label=use.actor_label or use.actor,
            used_at=use.used_at,
            document_sm3=use.document_sm3,
            sealed_sm3=use.sealed_sm3,
        )
        for use in query
    ]


def seal_detail(*, principal: Principal, seal_id: int) -> SealDetail:
    seal = _seal_visible(principal, seal_id)
    history = SealStatusChange.objects.filter(seal=seal).order_by("at", "id")
    return SealDetail(
        seal=_row(seal, principal, seal.use_count),
        svg=seal_image_svg(seal),
        history=[
            StatusRow(
                status=h.status,
                status_label=h.get_status_display(),
                at=h.at,
                actor_label=h.actor_label or h.actor,
                reason=h.reason,
            )
            for h in history
        ],
        uses=_use_rows(SealUse.objects.filter(seal=seal).select_related("seal")[:50]),
        purpose_note=seal.purpose_note,
        decision_note=seal.decision_note,
    )


def seal_uses_for(*, principal: Principal, limit: int = 100) -> list[UseRow]:
    """The use log of the seals the principal may see, newest first."""
    _check(principal)
    visible = _visible(principal).values("pk")
    return _use_rows(
        SealUse.objects.filter(seal_id__in=visible).select_related("seal")[
            : max(1, min(limit, 500))
        ]
    )


def seal_choices_for_use(*, principal: Principal) -> list[SealRow]:
    """The active seals the principal may use now."""
    return [row for row in seals_for(principal=principal, status=SealStatus.ACTIVE) if row.can_use]


# --- indicator 18 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    numerator: int  # departments with at least one active seal
    denominator: int  # active departments
    percentage: float  # 0-100, one decimal
    region_code: str


def seal_coverage(*, region_code: str | None = None) -> Coverage:
    """电子印章覆盖率 (indicator 18): departments with at least one active seal, out of all
    active departments, optionally within a region (its code and every code below it).

    "Departments" are the organizations at province, city and county level. Town-level
    governments (镇街) are left out: the plan's indicator counts government departments,
    and a town office seals through its county's departments in the platform's model (the
    seed makes one body per town, not departments). Counted in two queries."""
    organizations = Organization.objects.filter(is_active=True).exclude(
        level=Organization.Level.TOWN
    )
    if region_code:
        organizations = organizations.filter(_region_filter(region_code))
    denominator = organizations.count()
    numerator = organizations.filter(
        pk__in=Seal.objects.filter(status=SealStatus.ACTIVE).values("organization_id")
    ).count()
    percentage = round(100.0 * numerator / denominator, 1) if denominator else 0.0
    return Coverage(numerator, denominator, percentage, region_code or "")


_PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}


def _region_filter(region_code: str) -> Q:
    """The region and every region below it: Guangdong's codes nest by prefix (44 -> 4401
    -> 440103 -> 440103001), the prefix length given by the region's level."""
    region = Region.objects.filter(code=region_code.strip()).first()
    if region is None:
        raise NotFound("行政区划不存在", code="seals/region_unknown")
    return Q(region__code__startswith=region.code[: _PREFIX_LENGTH.get(region.level, 12)])
