"""Reads of 秒批 and 告知承诺: published rule sets, the explanation of a decision for the
parties to a case, the commitment text of an item and its signature check, and the
commitment checks waiting for a department's verification."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from digigov.kernel.crypto import services as crypto
from digigov.kernel.crypto.base import CryptoError
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.ids import mask_id_number, mask_name
from digigov.kernel.prepared import Prepared
from digigov.kernel.principals import Principal

from ..models import (
    Application,
    CommitmentCheck,
    InstantDecision,
    InstantRuleSet,
    ServiceItemVersion,
)
from .access import APPLICANT, case_for

MANAGE_RULES = "services.manage_rules"
HANDLE = "services.handle_application"


# --- rule sets ----------------------------------------------------------------------------


# Every 秒批 decision reads it: compiled once (kernel.prepared).
_PUBLISHED = Prepared(
    lambda standard_code: InstantRuleSet.objects.filter(
        standard_code=standard_code, status=InstantRuleSet.Status.PUBLISHED
    ).order_by("-number")[:1],
    standard_code="",
)


def ruleset_published(*, standard_code: str) -> InstantRuleSet | None:
    """The rule set decisions of this standard use now (None: not configured)."""
    return _PUBLISHED.first(standard_code=standard_code)


def _require_rules_manager(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not principal.has_perm(MANAGE_RULES):
        raise PermissionDenied("需要“维护秒批规则”权限", code="services/rules_forbidden")


def rulesets_for(*, principal: Principal, standard_code: str = "") -> QuerySet[InstantRuleSet]:
    """Rule sets (newest first per standard) for staff who maintain rules."""
    _require_rules_manager(principal)
    rows = InstantRuleSet.objects.order_by("standard_code", "-number")
    if standard_code:
        rows = rows.filter(standard_code=standard_code.strip())
    return rows


def ruleset_get(*, principal: Principal, ruleset_id: int) -> InstantRuleSet:
    _require_rules_manager(principal)
    rule_set = InstantRuleSet.objects.filter(pk=ruleset_id).first()
    if rule_set is None:
        raise NotFound("规则集不存在", code="services/ruleset_not_found")
    return rule_set


def standard_form_titles(*, standard_code: str) -> dict[str, str]:
    """Form field -> title of the standard's current guide (to show rules in Chinese)."""
    version = (
        ServiceItemVersion.objects.filter(
            item__standard_code=standard_code, status=ServiceItemVersion.Status.PUBLISHED
        )
        .order_by("-item__is_standard", "-number")
        .values_list("form_schema", flat=True)
        .first()
    )
    properties = (version or {}).get("properties", {}) if isinstance(version, dict) else {}
    return {name: spec.get("title", name) for name, spec in properties.items()}


def standard_form_fields(*, standard_code: str) -> set[str] | None:
    """The form fields of the standard's published guide, or None when no item exists."""
    schemas = list(
        ServiceItemVersion.objects.filter(
            item__standard_code=standard_code, status=ServiceItemVersion.Status.PUBLISHED
        ).values_list("form_schema", flat=True)[:50]
    )
    if not schemas:
        return None
    fields: set[str] = set()
    for schema in schemas:
        if isinstance(schema, dict):
            fields |= set(schema.get("properties", {}))
    return fields


# --- commitment ---------------------------------------------------------------------------


def commitment_text_for(*, item_version: ServiceItemVersion) -> str:
    """The commitment an applicant signs for a 告知承诺 item: the item's conditions and
    the consequences of a false commitment. Deterministic: the signed text is checked
    against it at submission."""
    lines = [f"本人（本单位）申请办理“{item_version.name}”，现作出如下承诺："]
    number = 1
    for condition in item_version.conditions or []:
        lines.append(f"{number}. 已符合以下条件：{condition}")
        number += 1
    lines.append(f"{number}. 所填写的信息和提交的材料真实、准确、完整、有效；")
    lines.append(f"{number + 1}. 知晓行政机关将在作出决定后进行核查；")
    lines.append(
        f"{number + 2}. 如承诺不实，愿意承担相应法律责任，接受撤销审批决定并记入信用记录的后果。"
    )
    return "\n".join(lines)


def commitment_payload(check: CommitmentCheck, application: Application) -> bytes:
    """The exact bytes signed when the commitment was granted (canonical JSON)."""
    body = {
        "number": application.number,
        "standard_code": application.item.standard_code,
        "item_version_id": application.item_version_id,
        "applicant_kind": application.applicant_kind,
        "applicant_id_number": application.applicant_id_number,
        "applicant_uscc": application.applicant_uscc,
        "applicant_name": application.applicant_name,
        "text": check.commitment_text,
        "signer_name": check.signer_name,
        "signed_at": check.signed_at.isoformat(),
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def commitment_signature_valid(*, check: CommitmentCheck) -> bool:
    """Does the stored signature still match the commitment and the case? False when
    anything signed was altered (or the signature itself was)."""
    key_id, sep, encoded = check.signature.partition("$")
    if not sep:
        return False
    try:
        signature = base64.b64decode(encoded, validate=True)
        return crypto.verify(
            key_id=key_id, data=commitment_payload(check, check.application), signature=signature
        )
    except (CryptoError, ValueError):
        return False


def commitment_checks_for(
    *, principal: Principal, status: str = CommitmentCheck.Status.PENDING
) -> QuerySet[CommitmentCheck]:
    """Commitment checks of cases handled by the staff member's organization."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind != "staff" or not principal.organization_id or not principal.has_perm(HANDLE):
        raise PermissionDenied("需要“办理办件”权限", code="services/not_handler")
    rows = CommitmentCheck.objects.filter(
        application__handling_organization_id=principal.organization_id
    ).select_related("application", "application__item", "application__item_version")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("due_date", "pk")


# --- explanation --------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleExplanation:
    id: str
    label: str
    passed: bool
    value: str  # the value read, masked for anyone but the applicant
    message: str


@dataclass(frozen=True)
class CommitmentExplanation:
    text: str
    signer_name: str
    signed_at: dt.datetime
    status: str
    status_label: str
    due_date: dt.date
    is_signature_valid: bool
    finding: str


@dataclass(frozen=True)
class DecisionView:
    number: str
    approval_mode: str
    status: str
    status_label: str
    is_decided: bool
    is_approved: bool | None
    decided_at: dt.datetime | None
    note: str
    rule_set_number: int | None = None
    rules: list[RuleExplanation] = field(default_factory=list)
    commitment: CommitmentExplanation | None = None
    is_masked: bool = False


def value_text(value: Any) -> str:
    if value is None:
        return "（无数据）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "、".join(value_text(v) for v in value)
    return str(value)


def _masked(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return value_text(value)
    text = str(value)
    if len(text) >= 15 and text[:6].isdigit():
        return mask_id_number(text)
    if len(text) <= 1:
        return "*"
    if text.isdigit() or len(text) > 4:
        return text[:2] + "*" * min(len(text) - 2, 8)
    return mask_name(text)


def decision_explain(*, principal: Principal, number: str) -> DecisionView:
    """How the case was decided, for a party to it (case_for audits refusals). Personal
    values read by the rules are shown in full to the applicant only."""
    application, role = case_for(principal=principal, number=number)
    return decision_for(application=application, role=role)


def decision_for(*, application: Application, role: str) -> DecisionView:
    """decision_explain for a caller that already holds the case and its role (case_for)."""
    is_masked = role != APPLICANT
    status_label = Application.Status(application.status).label
    base = {
        "number": application.number,
        "approval_mode": application.approval_mode,
        "status": application.status,
        "status_label": status_label,
        "note": application.decision_note,
        "is_masked": is_masked,
    }
    decision = (
        InstantDecision.objects.select_related("rule_set").filter(application=application).first()
        if application.approval_mode == "instant"
        else None
    )
    if decision is not None:
        rules = [
            RuleExplanation(
                id=outcome["id"],
                label=outcome["label"],
                passed=outcome["passed"],
                value=_masked(outcome["actual"])
                if is_masked and outcome.get("is_personal", True)
                else value_text(outcome["actual"]),
                message=outcome["message"],
            )
            for outcome in decision.outcomes
        ]
        return DecisionView(
            **base,
            is_decided=True,
            is_approved=decision.is_approved,
            decided_at=decision.decided_at,
            rule_set_number=decision.rule_set.number,
            rules=rules,
        )
    check = CommitmentCheck.objects.filter(application=application).first()
    if check is not None:
        check.application = application
        return DecisionView(
            **base,
            is_decided=True,
            is_approved=True,
            decided_at=check.signed_at,
            commitment=CommitmentExplanation(
                text=check.commitment_text,
                signer_name=mask_name(check.signer_name) if is_masked else check.signer_name,
                signed_at=check.signed_at,
                status=check.status,
                status_label=CommitmentCheck.Status(check.status).label,
                due_date=check.due_date,
                is_signature_valid=commitment_signature_valid(check=check),
                finding=check.finding,
            ),
        )
    return DecisionView(
        **base,
        is_decided=application.is_closed,
        is_approved={"approved": True, "rejected": False}.get(application.status),
        decided_at=application.closed_at,
    )
