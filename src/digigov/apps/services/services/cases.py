"""The case core every area uses: state transitions with their timeline entry, audit entry
and domain event in the caller's transaction, and the statutory clock hooks.

Topics published: ``services.application.<status>`` (submitted, accepted, correction,
approved, rejected, not_accepted, withdrawn) with the payload of `_payload`; other apps
(licenses, messaging, governance) subscribe to these instead of importing this module.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import Conflict
from digigov.kernel.events.services import event_publish
from digigov.kernel.prepared import row_add, row_update
from digigov.kernel.principals import Principal

from ..models import Application, CaseEvent
from . import clock

S = Application.Status

# from -> allowed targets
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.ACCEPTED, S.NOT_ACCEPTED, S.CORRECTION, S.APPROVED, S.REJECTED, S.WITHDRAWN},
    S.ACCEPTED: {S.CORRECTION, S.APPROVED, S.REJECTED, S.WITHDRAWN},
    S.CORRECTION: {S.SUBMITTED, S.ACCEPTED, S.WITHDRAWN, S.NOT_ACCEPTED},
}

DEFAULT_LABELS: dict[str, str] = {
    S.SUBMITTED: "提交申请",
    S.ACCEPTED: "受理",
    S.CORRECTION: "退回补正",
    S.APPROVED: "办结：准予许可",
    S.REJECTED: "办结：不予许可",
    S.NOT_ACCEPTED: "不予受理",
    S.WITHDRAWN: "申请人撤回",
}


def _payload(application: Application, *, status: str) -> dict[str, Any]:
    version = application.item_version
    return {
        "application_id": application.pk,
        "number": application.number,
        "item_code": application.item.code,
        "standard_code": application.item.standard_code,
        "status": status,
        "approval_mode": application.approval_mode,
        "applicant_kind": application.applicant_kind,
        "applicant_id_number": application.applicant_id_number,
        "applicant_uscc": application.applicant_uscc,
        "handling_organization_id": application.handling_organization_id,
        "handling_region_code": application.handling_region_id,
        "received_region_code": application.received_region_id,
        "result_license_type": version.result_license_type,
        "bundle_application_id": application.bundle_application_id,
    }


def case_record(
    *,
    application: Application,
    principal: Principal,
    kind: str,
    label: str,
    action: str | None = None,
    is_public: bool = True,
    organization_name: str = "",
    detail: dict[str, Any] | None = None,
) -> CaseEvent:
    """A timeline entry plus its audit entry (action defaults to services.case.<kind>)."""
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=action or f"services.case.{kind}",
        object_type="services.application",
        object_id=application.number,
        source_address=principal.source_address,
        detail={"label": label, **(detail or {})},
    )
    entry = CaseEvent(
        application=application,
        kind=kind,
        label=label,
        actor_label=principal.label or principal.actor,
        organization_name=organization_name,
        is_public=is_public,
        detail=detail or {},
    )
    return row_add(entry)  # every move of every case: no ORM compile; batched in a filing


def case_transition(
    *,
    application: Application,
    to: str,
    principal: Principal,
    label: str = "",
    note: str = "",
    organization_name: str = "",
    detail: dict[str, Any] | None = None,
) -> Application:
    """Move a case to `to`: checks the move is allowed, keeps the clock, records the
    timeline and audit entries and publishes services.application.<to>. Runs inside the
    caller's transaction (or its own)."""
    # No savepoint: nothing here is retried, and a failure aborts the caller's transaction.
    with transaction.atomic(savepoint=False):
        current = transition_apply(application, to=to, note=note)
        row_update(application)  # as save(), with a statement built once
        transition_recorded(
            application,
            principal,
            current=current,
            to=to,
            label=label,
            note=note,
            organization_name=organization_name,
            detail=detail,
        )
    return application


def transition_apply(application: Application, *, to: str, note: str = "") -> str:
    """The case row's half of a move: checks it is allowed, sets the status, the decision
    note, the timestamps and the clock (a pause writes its own row; a case closed before
    acceptance changes nothing else). Returns the status moved from. The caller saves the
    row (case_transition updates it; a 秒批 filing inserts it already decided)."""
    current = application.status
    if to not in TRANSITIONS.get(current, set()):
        raise Conflict(
            f"办件当前状态为“{S(current).label}”，不能变更为“{S(to).label}”",
            code="services/invalid_transition",
        )
    now = timezone.now()
    application.status = to
    if note:
        application.decision_note = note
    if to == S.SUBMITTED and application.submitted_at is None:
        application.submitted_at = now
    if to == S.ACCEPTED and application.accepted_at is None:
        application.accepted_at = now
    # statutory clock: runs from acceptance (instant and commitment cases close at once)
    if to == S.CORRECTION:
        clock.clock_pause(application=application, reason="correction", at=now)
    elif current == S.CORRECTION:
        clock.clock_resume(application=application, at=now)
    if to == S.ACCEPTED and application.deadline is None:
        clock.clock_start(application=application, at=now)
    if to in Application.CLOSED:
        application.closed_at = now
        clock.clock_stop(application=application, at=now)
    return current


def transition_recorded(
    application: Application,
    principal: Principal,
    *,
    current: str,
    to: str,
    label: str = "",
    note: str = "",
    organization_name: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """The timeline entry, audit entry and event of a move from `current` to `to` (given,
    not read from the row: a case filed already decided records its submission too)."""
    case_record(
        application=application,
        principal=principal,
        kind=to,
        label=label or DEFAULT_LABELS.get(to, to),
        action=f"services.application.{to}",
        organization_name=organization_name,
        detail={"from": current, **({"note": note} if note else {}), **(detail or {})},
    )
    event_publish(topic=f"services.application.{to}", payload=_payload(application, status=to))


def case_opened(
    *,
    application: Application,
    principal: Principal,
    label: str,
    organization_name: str = "",
    detail: dict[str, Any] | None = None,
) -> Application:
    """The DRAFT -> SUBMITTED transition of a case inserted already submitted (one INSERT
    instead of INSERT and UPDATE): the same timeline entry, audit entry and event as
    case_transition. A 秒批 case is inserted already decided; its submission is recorded
    all the same, before its decision. Runs inside the filing transaction."""
    if application.submitted_at is None or (
        application.status != S.SUBMITTED and application.status not in TRANSITIONS[S.SUBMITTED]
    ):
        raise Conflict("办件尚未提交", code="services/invalid_transition")
    transition_recorded(
        application,
        principal,
        current=S.DRAFT,
        to=S.SUBMITTED,
        label=label,
        organization_name=organization_name,
        detail=detail,
    )
    return application
