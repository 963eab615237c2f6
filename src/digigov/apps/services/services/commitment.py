"""告知承诺制: an application is granted on the applicant's signed commitment (先证后核),
and the handling department verifies it later. The commitment is signed with the
platform's key so that neither its text nor the case it belongs to can be altered
unnoticed (selectors/decisions.py `commitment_signature_valid`).

Events: services.application.approved (through case_transition),
services.commitment.confirmed and services.commitment.violated (revoking the result is
the licenses app's reaction to the latter)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from digigov.data.registries.selectors import entity_brief
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import Conflict, NotFound, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from ..models import Application, CommitmentCheck
from ..selectors.access import HANDLER, case_for
from ..selectors.decisions import commitment_payload, commitment_text_for
from .cases import case_record, case_transition

KEY_PURPOSE = "services-commitment"
CHECK_DAYS = 30  # verification due this many days after the grant
GRANT_NOTE = "告知承诺制，先证后核"


def _normalise(text: str) -> str:
    return "\n".join(line.strip() for line in (text or "").strip().splitlines())


def _accepted_names(application: Application) -> set[str]:
    names = {application.applicant_name.strip()}
    if application.applicant_kind == "entity" and application.applicant_uscc:
        entity = entity_brief(uscc=application.applicant_uscc)
        if entity is not None and entity.legal_rep_name:
            names.add(entity.legal_rep_name.strip())
    return {n for n in names if n}


def commitment_check_input(*, application: Application, commitment: Any) -> tuple[str, str]:
    """(text, signer name) of a valid commitment, else ValidationFailed per field."""
    if not isinstance(commitment, dict):
        raise ValidationFailed(
            "告知承诺事项须签署承诺书",
            code="services/commitment_required",
            fields={"commitment": ["必填"]},
        )
    problems: dict[str, list[str]] = {}
    if commitment.get("accepted") is not True:
        problems["commitment.accepted"] = ["须勾选同意承诺"]
    expected = commitment_text_for(item_version=application.item_version)
    text = commitment.get("text")
    if not isinstance(text, str) or _normalise(text) != _normalise(expected):
        problems["commitment.text"] = ["承诺内容与该事项的承诺书不一致"]
    signer = commitment.get("signature")
    signer = signer.strip() if isinstance(signer, str) else ""
    if not signer:
        problems["commitment.signature"] = ["请输入申请人姓名作为签名"]
    elif signer not in _accepted_names(application):
        problems["commitment.signature"] = ["签名须与申请人（或单位法定代表人）姓名一致"]
    if problems:
        raise ValidationFailed(
            next(iter(problems.values()))[0], code="services/commitment_invalid", fields=problems
        )
    return expected, signer


def commitment_grant(
    *, application: Application, principal: Principal, commitment: Any
) -> CommitmentCheck:
    """Sign the applicant's commitment, record the verification check (due in CHECK_DAYS
    days) and approve the case. Runs in the caller's transaction (the submission's)."""
    if application.approval_mode != "commitment":
        raise Conflict("该事项不适用告知承诺制", code="services/not_commitment_item")
    text, signer = commitment_check_input(application=application, commitment=commitment)
    now = timezone.now()
    with transaction.atomic():
        check = CommitmentCheck(
            application=application,
            commitment_text=text,
            signer_name=signer,
            signed_at=now,
            due_date=timezone.localdate(now) + dt.timedelta(days=CHECK_DAYS),
        )
        key_id = crypto.key_active(purpose=KEY_PURPOSE)
        signature = crypto.sign(key_id=key_id, data=commitment_payload(check, application))
        check.signature = f"{key_id}${base64.b64encode(signature).decode()}"
        check.save()
        case_transition(
            application=application,
            to=Application.Status.APPROVED,
            principal=principal,
            label="告知承诺：准予许可（待核查）",
            note=GRANT_NOTE,
            detail={"commitment_check": check.pk, "due_date": check.due_date.isoformat()},
        )
    return check


def commitment_verify(
    *, principal: Principal, check_id: int, is_confirmed: bool, finding: str = ""
) -> CommitmentCheck:
    """The handling department's verification. A violated commitment records the
    finding and publishes services.commitment.violated."""
    number = (
        CommitmentCheck.objects.filter(pk=check_id)
        .values_list("application__number", flat=True)
        .first()
    )
    if number is None:
        raise NotFound("核查任务不存在", code="services/commitment_check_not_found")
    # Outside the transaction: a refusal's audit entry must survive the error.
    application, _ = case_for(principal=principal, number=number, roles=(HANDLER,))
    finding = (finding or "").strip()
    if not is_confirmed and not finding:
        raise ValidationFailed(
            "认定承诺不实须填写核查结论",
            code="services/finding_required",
            fields={"finding": ["必填"]},
        )
    if len(finding) > 2000:
        raise ValidationFailed("核查结论至多 2000 字", fields={"finding": ["过长"]})
    with transaction.atomic():
        check = CommitmentCheck.objects.select_for_update().get(pk=check_id)
        if check.status != CommitmentCheck.Status.PENDING:
            raise Conflict("该核查任务已办结", code="services/commitment_check_done")
        check.status = (
            CommitmentCheck.Status.CONFIRMED if is_confirmed else CommitmentCheck.Status.VIOLATED
        )
        check.checked_by = principal.actor
        check.checked_at = timezone.now()
        check.finding = finding or "经核查，承诺属实"
        check.save()
        organization_name = application.handling_organization.name
        case_record(
            application=application,
            principal=principal,
            kind=f"commitment_{check.status}",
            label="承诺核查：属实" if is_confirmed else "承诺核查：承诺不实",
            action=f"services.commitment.{check.status}",
            organization_name=organization_name,
            detail={"commitment_check": check.pk, "finding": check.finding},
        )
        event_publish(
            topic=f"services.commitment.{check.status}",
            payload={
                "commitment_check_id": check.pk,
                "application_id": application.pk,
                "number": application.number,
                "standard_code": application.item.standard_code,
                "applicant_kind": application.applicant_kind,
                "applicant_id_number": application.applicant_id_number,
                "applicant_uscc": application.applicant_uscc,
                "result_reference": application.result_reference,
                "result_license_type": application.item_version.result_license_type,
                "handling_organization_id": application.handling_organization_id,
                "finding": check.finding,
            },
        )
    return check
