"""The needs list (需求清单), the owner's inbox, one request, and indicator 11."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.db.models import Count, Q, QuerySet

from digigov.data.catalog.selectors.resources import field_labels
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_code_prefix

from ..models import SharingRequest
from .access import (
    APPROVE_PERMISSION,
    SYSTEM_KINDS,
    may_decide_for,
    may_request,
    may_view_needs,
)

MAX_PAGE_SIZE = 100
STATE_LABELS = dict(SharingRequest.State.choices)
SHARE_LABELS = {"unconditional": "无条件共享", "conditional": "有条件共享", "none": "不予共享"}


@dataclass(frozen=True)
class NeedsFilters:
    requester_id: int | None = None
    owner_id: int | None = None
    resource_code: str = ""
    state: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None


@dataclass(frozen=True)
class RequestRow:
    id: int
    requester_name: str
    owner_name: str
    resource_code: str
    resource_name: str
    share_condition: str
    share_condition_label: str
    fields: list[str]
    approved_fields: list[str]
    unmasked_fields: list[str]
    may_export: bool
    purpose: str
    legal_basis: str
    scope: str
    period_end: dt.date
    state: str
    state_label: str
    decision_mode: str
    refusal_reason: str
    requested_by_label: str
    decided_by_label: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    may_decide: bool
    may_withdraw: bool
    # {field name: Chinese label}: pages show labels, forms post names
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def field_choices(self) -> list[tuple[str, str]]:
        return [(name, self.labels.get(name, name)) for name in self.fields]

    @property
    def field_labels(self) -> list[str]:
        return [self.labels.get(name, name) for name in self.fields]

    @property
    def approved_labels(self) -> list[str]:
        return [self.labels.get(name, name) for name in self.approved_fields]


@dataclass(frozen=True)
class RequestPage:
    rows: list[RequestRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _labelled(principal: Principal, requests: list[SharingRequest]) -> list[RequestRow]:
    """Rows with their fields' Chinese labels (one query for the whole page)."""
    labels = field_labels(resource_ids={r.resource_id for r in requests})
    return [
        replace(
            _row(principal, r),
            labels={n: labels.get((r.resource_id, n), n) for n in r.fields},
        )
        for r in requests
    ]


def _row(principal: Principal, r: SharingRequest) -> RequestRow:
    pending = r.state == SharingRequest.State.PENDING
    return RequestRow(
        id=r.pk,
        requester_name=r.requester_organization.name,
        owner_name=r.resource.organization.name,
        resource_code=r.resource.code,
        resource_name=r.resource.name,
        share_condition=r.share_condition,
        share_condition_label=SHARE_LABELS.get(r.share_condition, r.share_condition),
        fields=list(r.fields),
        approved_fields=list(r.approved_fields),
        unmasked_fields=list(r.unmasked_fields),
        may_export=r.may_export,
        purpose=r.purpose,
        legal_basis=r.legal_basis,
        scope=r.scope,
        period_end=r.period_end,
        state=r.state,
        state_label=STATE_LABELS[r.state],
        decision_mode=r.decision_mode,
        refusal_reason=r.refusal_reason,
        requested_by_label=r.requested_by_label,
        decided_by_label=r.decided_by_label,
        submitted_at=r.submitted_at,
        decided_at=r.decided_at,
        may_decide=pending
        and principal.kind not in SYSTEM_KINDS
        and may_decide_for(principal, r.resource.organization_id),
        may_withdraw=pending
        and may_request(principal)
        and principal.organization_id == r.requester_organization_id,
    )


def _base() -> QuerySet[SharingRequest]:
    return SharingRequest.objects.select_related(
        "requester_organization", "resource", "resource__organization"
    ).order_by("-submitted_at", "-id")


def _page(principal: Principal, query, page: int, page_size: int) -> RequestPage:
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    total = query.count()
    rows = _labelled(principal, list(query[(page - 1) * page_size : page * page_size]))
    return RequestPage(rows=rows, total=total, page=page, page_size=page_size)


def _filtered(query, filters: NeedsFilters):
    if filters.requester_id:
        query = query.filter(requester_organization_id=filters.requester_id)
    if filters.owner_id:
        query = query.filter(resource__organization_id=filters.owner_id)
    if filters.resource_code.strip():
        query = query.filter(resource__code=filters.resource_code.strip())
    if filters.state:
        if filters.state not in STATE_LABELS:
            return query.none()
        query = query.filter(state=filters.state)
    if filters.submitted_from:
        query = query.filter(submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to:
        query = query.filter(submitted_at__date__lte=filters.submitted_to)
    return query


def _check_needs(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not may_view_needs(principal):
        raise PermissionDenied(
            "只有数据共享申请、审批人员和数据管理机构可以查看需求清单", code="sharing_forbidden"
        )


def sharing_needs(
    *,
    principal: Principal,
    filters: NeedsFilters | None = None,
    page: int = 1,
    page_size: int = 20,
) -> RequestPage:
    """需求清单: every request and its state (a machine client sees its department's)."""
    _check_needs(principal)
    query = _base()
    if principal.kind == "machine":
        query = query.filter(requester_organization_id=principal.organization_id)
    return _page(principal, _filtered(query, filters or NeedsFilters()), page, page_size)


def sharing_inbox(*, principal: Principal, page: int = 1, page_size: int = 20) -> RequestPage:
    """Pending requests for the principal's organization's resources, oldest first."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not (
        principal.kind == "staff"
        and principal.organization_id
        and principal.has_perm(APPROVE_PERMISSION)
    ):
        raise PermissionDenied("只有数据共享审批人员可以处理共享申请", code="sharing_forbidden")
    query = (
        _base()
        .filter(
            resource__organization_id=principal.organization_id,
            state=SharingRequest.State.PENDING,
        )
        .order_by("submitted_at", "id")
    )
    return _page(principal, query, page, page_size)


def sharing_request_get(*, principal: Principal, request_id: int) -> RequestRow:
    """One request: for the needs list's readers (a machine client: its department's)."""
    _check_needs(principal)
    request = _base().filter(pk=request_id).first()
    if request is None or (
        principal.kind == "machine"
        and request.requester_organization_id != principal.organization_id
    ):
        raise NotFound("共享申请不存在", code="sharing_request_unknown")
    return _labelled(principal, [request])[0]


# --- indicator 11 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionRate:
    """应共享的数据需求满足率 = satisfied / should be shared x 100%.

    should be shared: decided requests (approved, partly approved, refused by the owner) for
    resources that were not 不予共享 when asked. Pending requests are not yet counted (they
    have no outcome) and withdrawn ones are not needs any more.
    satisfied: approved or partly approved (a partial grant meets the need for the fields
    the owner could share, so it counts as satisfied); `fully_satisfied` and the field-level
    rate (approved fields / fields asked) show how much of that is partial."""

    should_share: int
    satisfied: int
    fully_satisfied: int
    fields_asked: int
    fields_approved: int
    pending: int
    not_shareable: int

    @property
    def rate(self) -> float | None:
        return round(self.satisfied / self.should_share * 100, 1) if self.should_share else None

    @property
    def full_rate(self) -> float | None:
        if not self.should_share:
            return None
        return round(self.fully_satisfied / self.should_share * 100, 1)

    @property
    def field_rate(self) -> float | None:
        if not self.fields_asked:
            return None
        return round(self.fields_approved / self.fields_asked * 100, 1)


def sharing_satisfaction_rate(
    *, region_code: str | None = None, period: tuple[dt.date, dt.date] | None = None
) -> SatisfactionRate:
    """Indicator 11 for the requests of departments in a region (and below it), submitted
    within a period (inclusive dates); the whole province and all time by default."""
    query = SharingRequest.objects.all()
    if region_code:
        if not region_code.isdigit() or len(region_code) != 6:
            raise ValidationFailed("区划代码应为 6 位数字", code="region_invalid")
        query = query.filter(
            requester_organization__region__code__startswith=region_code_prefix(region_code)
        )
    if period:
        start, end = period
        query = query.filter(submitted_at__date__gte=start, submitted_at__date__lte=end)
    states = SharingRequest.State
    shareable = query.exclude(share_condition="none")
    counts = shareable.aggregate(
        should=Count("pk", filter=Q(state__in=[states.APPROVED, states.PARTIAL, states.REFUSED])),
        satisfied=Count("pk", filter=Q(state__in=[states.APPROVED, states.PARTIAL])),
        full=Count("pk", filter=Q(state=states.APPROVED)),
        pending=Count("pk", filter=Q(state=states.PENDING)),
    )
    asked = approved = 0
    decided = [states.APPROVED, states.PARTIAL, states.REFUSED]
    for fields, granted in shareable.filter(state__in=decided).values_list(
        "fields", "approved_fields"
    ):
        asked += len(fields)
        approved += len(granted)
    return SatisfactionRate(
        should_share=counts["should"],
        satisfied=counts["satisfied"],
        fully_satisfied=counts["full"],
        fields_asked=asked,
        fields_approved=approved,
        pending=counts["pending"],
        not_shareable=query.filter(share_condition="none").count(),
    )


@dataclass(frozen=True)
class OrganizationOption:
    id: int
    name: str


def sharing_organizations() -> list[OrganizationOption]:
    """The departments that appear in requests (as requester or owner), for filter menus."""
    requesters = SharingRequest.objects.values("requester_organization_id")
    owners = SharingRequest.objects.values("resource__organization_id")
    return [
        OrganizationOption(pk, name)
        for pk, name in Organization.objects.filter(Q(pk__in=requesters) | Q(pk__in=owners))
        .order_by("code")
        .values_list("pk", "name")
    ]
