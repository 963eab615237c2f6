"""Issuer-side queries: the licenses an organization issued (list with search, filters and
pagination; holders masked), one license in full (an audited read) and its status history
(from the audit chain, the one record of who changed what). Holders read their own licenses
through the wallet area, not here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from digigov.kernel.audit.selectors import audit_entries
from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.ids import mask_id_number, mask_name
from digigov.kernel.principals import Principal

from ..models import HolderKind, License
from .status import EXPIRED, STATUS_LABELS, license_effective_status

# Other areas (wallet, use, verification) read the effective status from here too.
EFFECTIVE_LABELS = STATUS_LABELS
__all__ = ["EFFECTIVE_LABELS", "EXPIRED", "STATUS_LABELS", "license_effective_status"]

SYSTEM_KINDS = frozenset({"system", "operator"})
VIEW_PERMISSIONS = (
    "licenses.view_license",
    "licenses.issue_license",
    "licenses.manage_license_status",
)
VIEW_SCOPES = ("licenses:issue", "licenses:manage")
MAX_PAGE_SIZE = 100
HISTORY_ACTIONS = {
    "licenses.license.issue": "签发",
    "licenses.license.suspend": "暂停使用",
    "licenses.license.resume": "恢复使用",
    "licenses.license.revoke": "吊销/注销",
    "licenses.license.renew": "延续换证",
    "licenses.license.replace": "补发/换发",
}


def may_view(principal: Principal, issuer_id: int) -> bool:
    """Staff of the issuing organization holding a licenses permission, the issuer's own
    system, or an internal caller."""
    if principal.kind in SYSTEM_KINDS:
        return True
    if principal.kind == "staff":
        return principal.organization_id == issuer_id and any(
            principal.has_perm(p) for p in VIEW_PERMISSIONS
        )
    if principal.kind == "machine":
        return principal.organization_id == issuer_id and any(
            principal.has_scope(s) for s in VIEW_SCOPES
        )
    return False


def _read_audit(principal: Principal, action: str, object_id: str, **detail: Any) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        source_address=principal.source_address,
        action=action,
        object_type="licenses.license",
        object_id=object_id,
        detail=detail,
    )


def _refuse(principal: Principal, action: str, object_id: str) -> None:
    audit_record(
        actor=principal.actor,
        source_address=principal.source_address,
        action=action,
        object_type="licenses.license",
        object_id=object_id,
        outcome="denied",
    )
    if not principal.is_authenticated:
        raise Unauthenticated()
    raise PermissionDenied("只有颁发单位的制证人员或其系统可以查看该证照")


def holder_key_masked(holder_kind: str, holder_key: str) -> str:
    # A USCC is public (printed on every business licence); an ID number is not.
    return mask_id_number(holder_key) if holder_kind == HolderKind.PERSON else holder_key


def holder_name_masked(holder_kind: str, holder_name: str) -> str:
    return mask_name(holder_name) if holder_kind == HolderKind.PERSON else holder_name


@dataclass(frozen=True)
class LicenseRow:
    address: str
    number: str
    type_code: str
    type_name: str
    holder_kind: str
    holder_name: str  # masked for persons
    holder_key: str  # masked for persons
    valid_from: dt.date
    valid_until: dt.date | None
    issued_at: dt.datetime
    status: str  # effective: valid, suspended, revoked, replaced, expired
    status_label: str
    suspended_until: dt.date | None


@dataclass(frozen=True)
class LicensePage:
    rows: list[LicenseRow]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _row(license: License, today: dt.date) -> LicenseRow:
    status = license_effective_status(license, today=today)
    return LicenseRow(
        address=license.address,
        number=license.number,
        type_code=license.license_type.code,
        type_name=license.license_type.name,
        holder_kind=license.holder_kind,
        holder_name=holder_name_masked(license.holder_kind, license.holder_name),
        holder_key=holder_key_masked(license.holder_kind, license.holder_key),
        valid_from=license.valid_from,
        valid_until=license.valid_until,
        issued_at=license.issued_at,
        status=status,
        status_label=STATUS_LABELS[status],
        suspended_until=license.suspended_until if status == License.Status.SUSPENDED else None,
    )


def _status_filter(status: str, today: dt.date) -> Q:
    """The effective status as a query (a lapsed suspension counts as valid)."""
    lapsed = Q(status=License.Status.SUSPENDED, suspended_until__lt=today)
    not_expired = Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    if status == License.Status.VALID:
        return (Q(status=License.Status.VALID) | lapsed) & not_expired
    if status == License.Status.SUSPENDED:
        return Q(status=License.Status.SUSPENDED) & ~lapsed
    if status == EXPIRED:
        return (Q(status=License.Status.VALID) | lapsed) & Q(valid_until__lt=today)
    return Q(status=status)


def issued_licenses(
    *,
    principal: Principal,
    query: str = "",
    type_code: str = "",
    status: str = "",
    page: int = 1,
    page_size: int = 20,
) -> LicensePage:
    """The licenses the principal's organization issued, newest first. `query` matches a
    license number or address, a holder's full ID number / USCC, or a holder's full name."""
    issuer_id = principal.organization_id
    if issuer_id is None or not may_view(principal, issuer_id) or principal.kind == "system":
        _refuse(principal, "licenses.license.list", "")
    today = timezone.localdate()
    licenses = License.objects.filter(issuer_id=issuer_id)
    query = (query or "").strip()
    if query:
        upper = query.upper()
        licenses = licenses.filter(
            Q(number=query) | Q(address=query) | Q(holder_key=upper) | Q(holder_name=query)
        )
    if type_code:
        licenses = licenses.filter(license_type__code=type_code)
    if status in STATUS_LABELS:
        licenses = licenses.filter(_status_filter(status, today))
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    total = licenses.count()
    pages = max(1, -(-total // page_size))
    page = max(1, min(int(page), pages))
    start = (page - 1) * page_size
    rows = [
        _row(license, today)
        for license in licenses.select_related("license_type").order_by("-issued_at", "-pk")[
            start : start + page_size
        ]
    ]
    _read_audit(
        principal,
        "licenses.license.list",
        "",
        query=bool(query),
        type=type_code,
        status=status,
        page=page,
        count=len(rows),
    )
    return LicensePage(rows=rows, page=page, page_size=page_size, total=total)


@dataclass(frozen=True)
class LicenseDetail:
    license: License  # full data: the caller is entitled and the read is audited
    status: str
    status_label: str
    type_fields: list[dict[str, Any]]
    replaced_by: list[str]


def license_for_issuer(*, principal: Principal, address: str) -> LicenseDetail:
    """One license in full for its issuer's staff or system; the read is audited."""
    license = (
        License.objects.select_related("license_type", "issuer", "replaces")
        .filter(address=address)
        .first()
    )
    if license is None:
        raise NotFound("证照不存在", code="license_unknown")
    if not may_view(principal, license.issuer_id):
        _refuse(principal, "licenses.license.read", address)
    _read_audit(principal, "licenses.license.read", address)
    status = license_effective_status(license)
    return LicenseDetail(
        license=license,
        status=status,
        status_label=STATUS_LABELS[status],
        type_fields=list(license.license_type.fields),
        replaced_by=list(license.replaced_by.values_list("address", flat=True)),
    )


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: dt.datetime
    action: str
    label: str
    actor: str
    detail: dict[str, Any]


def license_history(*, principal: Principal, address: str) -> list[HistoryEntry]:
    """Issue and status changes of one license, oldest first (from the audit chain)."""
    issuer_id = License.objects.filter(address=address).values_list("issuer_id", flat=True).first()
    if issuer_id is None:
        raise NotFound("证照不存在", code="license_unknown")
    if not may_view(principal, issuer_id):
        _refuse(principal, "licenses.license.read", address)
    entries = audit_entries(object_type="licenses.license", object_id=address).filter(
        action__in=list(HISTORY_ACTIONS), outcome="success"
    )
    return [
        HistoryEntry(
            occurred_at=entry.occurred_at,
            action=entry.action,
            label=HISTORY_ACTIONS[entry.action],
            actor=entry.actor,
            detail=entry.detail,
        )
        for entry in reversed(list(entries[:200]))
    ]
