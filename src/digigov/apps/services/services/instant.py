"""秒批: decide an application by its item's published rule set, with no human step, and
keep what was decided on which facts so that the decision can be explained and replayed.
Also the rule-set commands of the back office (draft, publish: versioned, audited).

Events: services.application.approved / rejected (through transition_recorded) and
services.ruleset.published."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import Conflict, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.events.services import event_publish
from digigov.kernel.prepared import row_add, row_update
from digigov.kernel.principals import Principal

from ..models import Application, InstantDecision, InstantRuleSet, ServiceItem
from ..selectors.access import HANDLER, RECEIVER, SUPERVISOR, case_for
from ..selectors.decisions import MANAGE_RULES, ruleset_published, standard_form_fields
from ..selectors.facts import facts_gather
from . import rules as rule_engine
from .cases import transition_apply, transition_recorded

# The decision is the system's, not the filer's: the timeline and audit say so.
DECIDER_ID = "instant-approval"
DECIDER_LABEL = "秒批（系统自动审批）"


def _decider(principal: Principal) -> Principal:
    return Principal(
        kind="system",
        id=DECIDER_ID,
        label=DECIDER_LABEL,
        acting_for=principal.actor,
        source_address=principal.source_address,
    )


def _is_personal(fact: str) -> bool:
    return fact in rule_engine.PERSONAL_FACTS or fact.startswith("form.")


@dataclass(frozen=True)
class Verdict:
    """What a rule set decides on facts gathered now, before anything is written."""

    rule_set: InstantRuleSet
    facts: dict[str, Any]
    outcomes: list[dict[str, Any]]
    failed: list[str]
    note: str

    @property
    def is_approved(self) -> bool:
        return not self.failed

    @property
    def status(self) -> str:
        return Application.Status.APPROVED if self.is_approved else Application.Status.REJECTED


def instant_verdict(*, application: Application) -> Verdict:
    """Evaluate every rule of the item's published rule set on facts gathered now: approve
    (all pass) or reject (the failed rules' messages become the decision note). Reads only,
    so a filing can decide before it inserts the case (application.pk may still be None)."""
    rule_set = ruleset_published(standard_code=application.item.standard_code)
    if rule_set is None:
        raise Conflict("该事项未配置秒批规则", code="services/no_instant_rules")
    facts = facts_gather(application=application, needed=rule_engine.rules_facts(rule_set.rules))
    outcomes = rule_engine.rules_evaluate(rule_set.rules, facts)
    failed = [o for o in outcomes if not o.passed]
    if failed:
        note = "；".join(o.message for o in failed)
    else:
        note = f"符合全部 {len(outcomes)} 项秒批规则，系统自动准予许可"
    return Verdict(
        rule_set=rule_set,
        facts=facts,
        outcomes=[{**o.as_dict(), "is_personal": _is_personal(o.fact)} for o in outcomes],
        failed=[o.id for o in failed],
        note=note,
    )


def instant_recorded(
    *, application: Application, principal: Principal, verdict: Verdict
) -> InstantDecision:
    """Store the decision (facts and outcomes) of a case already moved to the verdict's
    status (saved or about to be), with its timeline, audit entry and event. Runs in the
    caller's transaction (the submission's)."""
    decision = InstantDecision(
        application=application,
        rule_set=verdict.rule_set,
        is_approved=verdict.is_approved,
        facts=verdict.facts,
        outcomes=verdict.outcomes,
    )
    row_add(decision)  # inside a filing, inserted with its timeline entries and events
    transition_recorded(
        application,
        _decider(principal),
        current=Application.Status.SUBMITTED,
        to=verdict.status,
        label="秒批：准予许可" if verdict.is_approved else "秒批：不予许可",
        note=verdict.note,
        detail={
            "rule_set": verdict.rule_set.pk,
            "rule_set_number": verdict.rule_set.number,
            "failed_rules": verdict.failed,
        },
    )
    return decision


def instant_decide(*, application: Application, principal: Principal) -> InstantDecision:
    """Decide a submitted case now and save it: instant_verdict, the move, and
    instant_recorded. (A filing decides before its insert instead: applications._file.)"""
    verdict = instant_verdict(application=application)
    with transaction.atomic(savepoint=False):  # in the submission's transaction
        transition_apply(application, to=verdict.status, note=verdict.note)
        row_update(application)
        return instant_recorded(application=application, principal=principal, verdict=verdict)


# --- replay -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplayResult:
    number: str
    rule_set_number: int
    stored_is_approved: bool
    replayed_is_approved: bool
    is_reproduced: bool
    differing_rules: list[str] = field(default_factory=list)
    current_rule_set_number: int | None = None
    current_is_approved: bool | None = None
    current_missing_facts: list[str] = field(default_factory=list)


def instant_replay(*, principal: Principal, number: str, with_current: bool = True) -> ReplayResult:
    """Re-evaluate the stored facts with the stored rule set: is the decision reproduced?
    Optionally also what the currently published rule set would decide on those facts
    (facts it reads that were not stored count as missing). Staff parties only; audited."""
    application, _ = case_for(
        principal=principal, number=number, roles=(HANDLER, RECEIVER, SUPERVISOR)
    )
    decision = (
        InstantDecision.objects.select_related("rule_set").filter(application=application).first()
    )
    if decision is None:
        raise NotFound("该办件没有秒批决定", code="services/no_instant_decision")
    outcomes = rule_engine.rules_evaluate(decision.rule_set.rules, decision.facts)
    stored = {o["id"]: o["passed"] for o in decision.outcomes}
    differing = [o.id for o in outcomes if stored.get(o.id) != o.passed]
    differing += [rule_id for rule_id in stored if rule_id not in {o.id for o in outcomes}]
    replayed = all(o.passed for o in outcomes)
    current_number = current_approved = None
    missing: list[str] = []
    if with_current:
        current = ruleset_published(standard_code=application.item.standard_code)
        if current is not None:
            current_number = current.number
            needed = rule_engine.rules_facts(current.rules)
            missing = sorted(f for f in needed if f not in decision.facts)
            current_approved = all(
                o.passed for o in rule_engine.rules_evaluate(current.rules, decision.facts)
            )
    result = ReplayResult(
        number=application.number,
        rule_set_number=decision.rule_set.number,
        stored_is_approved=decision.is_approved,
        replayed_is_approved=replayed,
        is_reproduced=not differing and replayed == decision.is_approved,
        differing_rules=differing,
        current_rule_set_number=current_number,
        current_is_approved=current_approved,
        current_missing_facts=missing,
    )
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action="services.instant.replay",
        object_type="services.application",
        object_id=application.number,
        source_address=principal.source_address,
        detail={
            "rule_set_number": result.rule_set_number,
            "is_reproduced": result.is_reproduced,
            "current_rule_set_number": current_number,
            "current_is_approved": current_approved,
        },
    )
    return result


# --- rule sets ----------------------------------------------------------------------------


def _deny_rules(principal: Principal, action: str, object_id: str) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=action,
        object_type="services.instantruleset",
        object_id=object_id,
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": "missing_permission", "permission": MANAGE_RULES},
    )


def _require_manage_rules(principal: Principal, action: str, object_id: str) -> None:
    """Operators (the CLI, the demo seed) are trusted; staff need the permission."""
    if principal.kind == "operator":
        return
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not principal.has_perm(MANAGE_RULES):
        _deny_rules(principal, action, object_id)
        raise PermissionDenied("需要“维护秒批规则”权限", code="services/rules_forbidden")


def _validated(standard_code: str, rules: Any) -> list[dict]:
    return rule_engine.rules_validate(
        rules, form_fields=standard_form_fields(standard_code=standard_code)
    )


def ruleset_draft_save(
    *, principal: Principal, standard_code: str, rules: Any, change_note: str = ""
) -> InstantRuleSet:
    """Create or update the draft rule set of a standard (a published set is never
    edited: saving makes or updates the next-numbered draft)."""
    standard_code = (standard_code or "").strip()
    _require_manage_rules(principal, "services.ruleset.draft_save", standard_code)
    if not ServiceItem.objects.filter(standard_code=standard_code).exists():
        raise NotFound(f"事项基本编码不存在：{standard_code[:64]}", code="services/item_not_found")
    normalised = _validated(standard_code, rules)
    with transaction.atomic():
        draft = (
            InstantRuleSet.objects.select_for_update()
            .filter(standard_code=standard_code, status=InstantRuleSet.Status.DRAFT)
            .first()
        )
        if draft is None:
            top = InstantRuleSet.objects.filter(standard_code=standard_code).aggregate(
                top=Max("number")
            )["top"]
            draft = InstantRuleSet(
                standard_code=standard_code, number=(top or 0) + 1, created_by=principal.actor
            )
        draft.rules = normalised
        draft.change_note = (change_note or "").strip()[:300]
        draft.save()
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action="services.ruleset.draft_save",
            object_type="services.instantruleset",
            object_id=f"{standard_code}/v{draft.number}",
            source_address=principal.source_address,
            detail={"rules": [r["id"] for r in normalised], "change_note": draft.change_note},
        )
    return draft


def ruleset_publish(*, principal: Principal, ruleset_id: int) -> InstantRuleSet:
    """Publish a draft: it becomes the set decisions use; the previous one is superseded
    (kept: decisions point at the set they applied)."""
    _require_manage_rules(principal, "services.ruleset.publish", str(ruleset_id))
    with transaction.atomic():
        rule_set = InstantRuleSet.objects.select_for_update().filter(pk=ruleset_id).first()
        if rule_set is None:
            raise NotFound("规则集不存在", code="services/ruleset_not_found")
        if rule_set.status != InstantRuleSet.Status.DRAFT:
            raise Conflict(
                "只有草稿可以发布，已发布的规则集不可修改", code="services/ruleset_not_draft"
            )
        rule_set.rules = _validated(rule_set.standard_code, rule_set.rules)
        superseded = InstantRuleSet.objects.filter(
            standard_code=rule_set.standard_code, status=InstantRuleSet.Status.PUBLISHED
        ).update(status=InstantRuleSet.Status.SUPERSEDED)
        rule_set.status = InstantRuleSet.Status.PUBLISHED
        rule_set.published_by = principal.actor
        rule_set.published_at = timezone.now()
        rule_set.save()
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action="services.ruleset.publish",
            object_type="services.instantruleset",
            object_id=f"{rule_set.standard_code}/v{rule_set.number}",
            source_address=principal.source_address,
            detail={"superseded": superseded, "rules": [r["id"] for r in rule_set.rules]},
        )
        event_publish(
            topic="services.ruleset.published",
            payload={
                "standard_code": rule_set.standard_code,
                "number": rule_set.number,
                "ruleset_id": rule_set.pk,
            },
        )
    return rule_set


# --- demo seed ----------------------------------------------------------------------------

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SEED_PRINCIPAL = Principal(kind="operator", id="seed")


def _instant_standards() -> dict[str, str]:
    """standard_code -> subject_kind of every instant-mode item in the catalog data files."""
    found: dict[str, str] = {}
    for path in sorted(DATA_DIR.glob("items_*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8")):
            if entry.get("approval_mode") == "instant":
                found.setdefault(entry["standard_code"], entry.get("subject_kind", "person"))
    return found


def demo_rules_for(*, standard_code: str, subject_kind: str, data: dict) -> list[dict]:
    """The demo rules of a standard: the defaults of its subject kind (minus those it
    opts out of) followed by its own rules from data/rules.json."""
    own = data.get(standard_code, {})
    skip = set(own.get("without_defaults", []))
    defaults = data["_defaults"]["entity" if subject_kind == "entity" else "person"]
    return [r for r in defaults if r["id"] not in skip] + list(own.get("rules", []))


def rules_demo_seed(**_options: Any) -> str:
    """Seed step (order 42): publish a rule set for every instant item standard present in
    the catalog that has none yet (idempotent)."""
    data = json.loads((DATA_DIR / "rules.json").read_text(encoding="utf-8"))
    standards = _instant_standards()
    present = set(
        ServiceItem.objects.filter(standard_code__in=standards)
        .values_list("standard_code", flat=True)
        .distinct()
    )
    published = set(
        InstantRuleSet.objects.filter(
            standard_code__in=present, status=InstantRuleSet.Status.PUBLISHED
        ).values_list("standard_code", flat=True)
    )
    created = 0
    for standard_code in sorted(present - published):
        rules = demo_rules_for(
            standard_code=standard_code, subject_kind=standards[standard_code], data=data
        )
        draft = ruleset_draft_save(
            principal=SEED_PRINCIPAL,
            standard_code=standard_code,
            rules=rules,
            change_note="演示数据：初始规则",
        )
        ruleset_publish(principal=SEED_PRINCIPAL, ruleset_id=draft.pk)
        created += 1
    if not created:
        return "已存在，跳过"
    return f"发布 {created} 个秒批事项的规则集"
