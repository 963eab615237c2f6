"""告知承诺核查 for the API: a page of the checks of cases handled by the staff member's
organization (the same scope as the staff page, `decisions.commitment_checks_for`) and
one check with its signed commitment. Refusals of a single check are audited through
`access.case_for`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from digigov.kernel.errors import NotFound, ValidationFailed
from digigov.kernel.principals import Principal

from ..models import CommitmentCheck
from .access import HANDLER, case_for
from .decisions import commitment_checks_for, commitment_signature_valid

MAX_PAGE_SIZE = 100
STATUSES = tuple(CommitmentCheck.Status.values)


@dataclass(frozen=True)
class CommitmentCheckRow:
    id: int
    number: str
    item_name: str
    applicant_name: str
    status: str
    status_label: str
    signed_at: dt.datetime
    due_date: dt.date
    is_overdue: bool
    checked_by: str
    checked_at: dt.datetime | None
    finding: str


@dataclass(frozen=True)
class CommitmentCheckDetail(CommitmentCheckRow):
    commitment_text: str
    signer_name: str
    is_signature_valid: bool
    handling_organization: str


@dataclass(frozen=True)
class CommitmentCheckPage:
    status: str
    rows: list[CommitmentCheckRow]
    total: int
    page: int
    page_size: int
    pages: int


def _row_fields(check: CommitmentCheck, today: dt.date) -> dict:
    application = check.application
    return {
        "id": check.pk,
        "number": application.number,
        "item_name": application.item_version.name,
        "applicant_name": application.applicant_name,
        "status": check.status,
        "status_label": CommitmentCheck.Status(check.status).label,
        "signed_at": check.signed_at,
        "due_date": check.due_date,
        "is_overdue": check.status == CommitmentCheck.Status.PENDING and check.due_date < today,
        "checked_by": check.checked_by,
        "checked_at": check.checked_at,
        "finding": check.finding if check.status != CommitmentCheck.Status.PENDING else "",
    }


def commitment_check_page(
    *,
    principal: Principal,
    status: str = CommitmentCheck.Status.PENDING,
    page: int = 1,
    page_size: int = 20,
    today: dt.date,
) -> CommitmentCheckPage:
    """The checks of the principal's organization in one status, earliest due first."""
    if status not in STATUSES:
        raise ValidationFailed(
            "核查状态无效",
            code="services/commitment_status_invalid",
            fields={"status": [f"可选：{'、'.join(STATUSES)}"]},
        )
    rows = commitment_checks_for(principal=principal, status=status)
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    total = rows.count()
    pages = max(1, -(-total // page_size))
    page = max(1, min(int(page), pages))
    start = (page - 1) * page_size
    return CommitmentCheckPage(
        status=status,
        rows=[
            CommitmentCheckRow(**_row_fields(check, today))
            for check in rows[start : start + page_size]
        ],
        total=total,
        page=page,
        page_size=page_size,
        pages=pages,
    )


def commitment_check_get(
    *, principal: Principal, check_id: int, today: dt.date
) -> CommitmentCheckDetail:
    """One check, for staff of the organization handling its case (refusals audited)."""
    number = (
        CommitmentCheck.objects.filter(pk=check_id)
        .values_list("application__number", flat=True)
        .first()
    )
    if number is None:
        raise NotFound("核查任务不存在", code="services/commitment_check_not_found")
    # The list's rule (staff of the handling organization with services.handle_application)
    # is the HANDLER role; case_for also audits a refusal.
    application, _ = case_for(principal=principal, number=number, roles=(HANDLER,))
    check = CommitmentCheck.objects.get(pk=check_id)
    check.application = application
    return CommitmentCheckDetail(
        **_row_fields(check, today),
        commitment_text=check.commitment_text,
        signer_name=check.signer_name,
        is_signature_valid=commitment_signature_valid(check=check),
        handling_organization=application.handling_organization.name,
    )
