"""Grants: the count the catalog asks for, what the exchange checks, what pages list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from digigov.kernel.errors import PermissionDenied, Unauthenticated
from digigov.kernel.prepared import Prepared
from digigov.kernel.principals import Principal

from ..models import Grant
from .access import APPROVE_PERMISSION, REQUEST_PERMISSION, SYSTEM_KINDS


def _effective(today: dt.date | None = None) -> Q:
    """Active and within its dates, whether or not `grants_expire` has run yet."""
    today = today or timezone.localdate()
    return Q(status=Grant.Status.ACTIVE, valid_from__lte=today, valid_until__gte=today)


def grants_active_count(*, resource_id: int) -> int:
    """Grants that currently let some department read the resource."""
    return Grant.objects.filter(_effective(), resource_id=resource_id).count()


@dataclass(frozen=True)
class EffectiveGrant:
    """The union of an organization's effective grants on one resource."""

    grant_ids: list[int]
    fields: list[str]
    unmasked_fields: frozenset[str]
    may_export: bool


@dataclass(frozen=True)
class GrantState:
    effective: EffectiveGrant | None
    ended_status: str  # "revoked" / "expired" when only ended grants exist, else ""


# every exchange call checks its grant: compiled once (kernel.prepared)
_GRANTS = Prepared(
    lambda organization_id, resource_id: Grant.objects.filter(
        organization_id=organization_id, resource_id=resource_id
    ).values(
        "pk", "status", "valid_from", "valid_until", "fields", "unmasked_fields", "may_export"
    ),
    organization_id=0,
    resource_id=0,
)


def grant_state_for(*, organization_id: int, resource_id: int) -> GrantState:
    """What an organization may read of a resource now (internal: the exchange calls it)."""
    today = timezone.localdate()
    if organization_id is None:
        return GrantState(None, "")
    grants = _GRANTS.all(organization_id=organization_id, resource_id=resource_id)
    live = [
        g
        for g in grants
        if g["status"] == Grant.Status.ACTIVE and g["valid_from"] <= today <= g["valid_until"]
    ]
    if not live:
        ended = ""
        if any(g["status"] == Grant.Status.REVOKED for g in grants):
            ended = Grant.Status.REVOKED
        if any(
            g["status"] == Grant.Status.EXPIRED
            or (g["status"] == Grant.Status.ACTIVE and g["valid_until"] < today)
            for g in grants
        ):
            ended = Grant.Status.EXPIRED
        return GrantState(None, ended)
    fields: list[str] = []
    for grant in live:
        fields += [name for name in grant["fields"] if name not in fields]
    return GrantState(
        EffectiveGrant(
            grant_ids=[g["pk"] for g in live],
            fields=fields,
            unmasked_fields=frozenset(n for g in live for n in g["unmasked_fields"]),
            may_export=any(g["may_export"] for g in live),
        ),
        "",
    )


@dataclass(frozen=True)
class GrantRow:
    id: int
    request_id: int
    organization_name: str
    resource_code: str
    resource_name: str
    fields: list[str]
    unmasked_fields: list[str]
    may_export: bool
    valid_from: dt.date
    valid_until: dt.date
    status: str
    status_label: str
    revoke_reason: str
    may_revoke: bool


def _rows(grants, *, may_revoke: bool) -> list[GrantRow]:
    today = timezone.localdate()
    rows = []
    for g in grants:
        status = g.status
        if status == Grant.Status.ACTIVE and g.valid_until < today:
            status = Grant.Status.EXPIRED  # before grants_expire has run
        rows.append(
            GrantRow(
                id=g.pk,
                request_id=g.request_id,
                organization_name=g.organization.name,
                resource_code=g.resource.code,
                resource_name=g.resource.name,
                fields=list(g.fields),
                unmasked_fields=list(g.unmasked_fields),
                may_export=g.may_export,
                valid_from=g.valid_from,
                valid_until=g.valid_until,
                status=status,
                status_label=Grant.Status(status).label,
                revoke_reason=g.revoke_reason,
                may_revoke=may_revoke and status == Grant.Status.ACTIVE,
            )
        )
    return rows


@dataclass(frozen=True)
class OrganizationGrants:
    given: list[GrantRow]  # on our resources, to other departments
    held: list[GrantRow]  # ours, on other departments' resources


def grants_for_organization(*, principal: Principal, limit: int = 200) -> OrganizationGrants:
    """The grants of the principal's organization, both ways (staff who request or approve)."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    approver = principal.has_perm(APPROVE_PERMISSION)
    requester = principal.has_perm(REQUEST_PERMISSION)
    if principal.kind not in SYSTEM_KINDS and not (
        principal.kind == "staff" and principal.organization_id and (approver or requester)
    ):
        raise PermissionDenied(
            "只有数据共享申请或审批人员可以查看本单位的共享授权", code="sharing_forbidden"
        )
    base = Grant.objects.select_related("organization", "resource").order_by("-created_at", "-id")
    given = base.filter(resource__organization_id=principal.organization_id)[:limit]
    held = base.filter(organization_id=principal.organization_id)[:limit]
    return OrganizationGrants(
        given=_rows(given, may_revoke=approver) if approver else [],
        held=_rows(held, may_revoke=False),
    )
