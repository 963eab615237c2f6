"""Reading the exchange log: the owner's view (who accessed our data) and the citizen's
("谁用了我的数据": the calls that read records holding my ID number)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from digigov.data.catalog.selectors.resources import field_labels
from digigov.kernel.errors import PermissionDenied, Unauthenticated
from digigov.kernel.principals import Principal

from ..digests import subject_digest
from ..models import ExchangeLogEntry, ExchangeSubject
from .access import APPROVE_PERMISSION, SYSTEM_KINDS

MAX_PAGE_SIZE = 100
OPERATION_LABELS = dict(ExchangeLogEntry.Operation.choices)
OUTCOME_LABELS = dict(ExchangeLogEntry.Outcome.choices)


@dataclass(frozen=True)
class LogRow:
    seq: int
    occurred_at: dt.datetime
    organization_name: str
    client_label: str
    resource_code: str
    resource_name: str
    operation_label: str
    fields: list[str]
    purpose: str
    row_count: int
    outcome: str
    outcome_label: str
    error_code: str


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _rows(entries, *, citizen: bool = False) -> list[LogRow]:
    entries = list(entries)
    labels = field_labels(resource_ids={e.resource_id for e in entries if e.resource_id})
    return [
        LogRow(
            seq=e.seq,
            occurred_at=e.occurred_at,
            organization_name=e.organization.name if e.organization_id else "（未登记单位）",
            # the citizen sees the department, not the name of its internal system
            client_label="" if citizen else e.client_label,
            resource_code=e.resource_code,
            resource_name=e.resource.name if e.resource_id else e.resource_code,
            operation_label=OPERATION_LABELS.get(e.operation, e.operation),
            fields=[labels.get((e.resource_id, name), name) for name in e.fields],
            purpose=e.purpose,
            row_count=e.row_count,
            outcome=e.outcome,
            outcome_label=OUTCOME_LABELS.get(e.outcome, e.outcome),
            error_code=e.error_code,
        )
        for e in entries
    ]


def _page(query, page: int, page_size: int, *, citizen: bool = False) -> LogPage:
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    total = query.count()
    entries = query.select_related("organization", "resource").order_by("-seq")[
        (page - 1) * page_size : page * page_size
    ]
    return LogPage(_rows(entries, citizen=citizen), total, page, page_size)


def exchange_log_for_owner(
    *, principal: Principal, resource_code: str = "", page: int = 1, page_size: int = 20
) -> LogPage:
    """Every call on the principal's organization's resources (answered and refused)."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind not in SYSTEM_KINDS and not (
        principal.kind == "staff"
        and principal.organization_id
        and principal.has_perm(APPROVE_PERMISSION)
    ):
        raise PermissionDenied(
            "只有数据共享审批人员可以查看本单位数据的调用记录", code="sharing_forbidden"
        )
    query = ExchangeLogEntry.objects.filter(resource__organization_id=principal.organization_id)
    if resource_code.strip():
        query = query.filter(resource_code=resource_code.strip())
    return _page(query, page, page_size)


def exchange_log_for_citizen(
    *, principal: Principal, page: int = 1, page_size: int = 20
) -> LogPage:
    """谁用了我的数据: answered calls that read a record holding the citizen's own ID number
    (a real-name verified citizen only; never anyone else's)."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind != "citizen" or not principal.person_id_number:
        raise PermissionDenied(
            "完成实名认证（L2）后可查看本人数据被调用的记录", code="realname_required"
        )
    digest = subject_digest(principal.person_id_number)
    entries = ExchangeSubject.objects.filter(digest=digest).values("entry_id")
    query = ExchangeLogEntry.objects.filter(
        seq__in=entries, outcome=ExchangeLogEntry.Outcome.ANSWERED
    )
    return _page(query, page, page_size, citizen=True)
