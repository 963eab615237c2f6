"""秒批 decisions: facts gathered from the registries and the platform's records, approve
and reject with the stored explanation, replay, rule sets (versions, permissions)."""

# ruff: noqa: F811 (pytest fixtures imported from test_instant_support)

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.kernel.principals import Principal

from ..models import Application, CaseEvent, InstantDecision, InstantRuleSet
from ..selectors.decisions import decision_explain, ruleset_published
from ..selectors.facts import facts_gather, full_years
from ..services.instant import instant_decide, instant_replay, ruleset_draft_save, ruleset_publish
from ..testing import DEFAULT_FORM
from .test_instant_support import (  # noqa: F401 (fixtures)
    AGE_RULE,
    ONCE_RULE,
    OPERATOR,
    REGION_RULE,
    case_make,
    citizen,
    citizen_make,
    instant_item_make,
    other_citizen,
    people,
    staff_make,
    staff_principal,
)

pytestmark = pytest.mark.django_db

BIRTH_FORM = {
    "type": "object",
    "properties": {
        **DEFAULT_FORM["properties"],
        "child_name": {"type": "string", "title": "新生儿姓名"},
        "child_birth_date": {"type": "string", "title": "出生日期", "format": "date"},
    },
}


def _decide(item, account, **case):
    principal = account.as_principal()
    application = case_make(
        item=item,
        principal=principal,
        applicant_id_number=account.id_number,
        account=account,
        **case,
    )
    decision = instant_decide(application=application, principal=principal)
    application.refresh_from_db()
    return application, decision


# --- facts --------------------------------------------------------------------------------


def test_facts_come_from_registry_account_form_and_history(citizen):
    item = instant_item_make(rules=[AGE_RULE], form_schema=BIRTH_FORM)
    principal = citizen.as_principal()
    born = timezone.localdate() - dt.timedelta(days=12)
    application = case_make(
        item=item,
        principal=principal,
        applicant_id_number=citizen.id_number,
        account=citizen,
        form={"child_name": "小明", "child_birth_date": born.isoformat()},
    )
    person = person_brief(id_number=citizen.id_number)
    needed = {
        "applicant.age",
        "applicant.real_name_level",
        "form.child_name",
        "form.child_birth_date.age_days",
        "form.missing",
        "history.approved_same_item_count",
        "history.open_same_item_count",
    }
    facts = facts_gather(application=application, needed=needed)
    assert facts["decision.date"] == timezone.localdate().isoformat()
    assert facts["applicant.age"] == full_years(person.birth_date, timezone.localdate())
    assert facts["applicant.gender"] == person.gender
    assert facts["applicant.household_region_code"] == person.household_region_code
    assert facts["applicant.exists_in_registry"] is True
    assert facts["applicant.real_name_level"] == 2
    assert facts["form.child_name"] == "小明"
    assert facts["form.child_birth_date.age_days"] == 12
    assert facts["form.missing"] is None
    assert facts["history.approved_same_item_count"] == 0
    assert facts["history.open_same_item_count"] == 0  # the case itself does not count
    assert "entity.status" not in facts  # not asked for: not read


def test_history_counts_the_same_standard_for_the_same_applicant(citizen, other_citizen):
    item = instant_item_make(rules=[AGE_RULE])
    _decide(item, citizen)  # approved
    open_case = case_make(
        item=item,
        principal=citizen.as_principal(),
        applicant_id_number=citizen.id_number,
        account=citizen,
    )
    _decide(item, other_citizen)  # someone else's does not count
    needed = {"history.approved_same_item_count", "history.open_same_item_count"}
    later = case_make(
        item=item, principal=citizen.as_principal(), applicant_id_number=citizen.id_number
    )
    facts = facts_gather(application=later, needed=needed)
    assert facts["history.approved_same_item_count"] == 1
    assert facts["history.open_same_item_count"] == 1
    assert open_case.status == "submitted"


def test_entity_facts_and_window_level(people):
    item = instant_item_make(code="TEST-ENT", subject_kind="entity", rules=None)
    uscc = people.usccs[0]
    clerk = Principal(kind="staff", id="9", organization_id=item.organization_id)
    application = case_make(
        item=item,
        principal=clerk,
        applicant_uscc=uscc,
        applicant_name=entity_brief(uscc=uscc).name,
        channel="window",
    )
    facts = facts_gather(
        application=application,
        needed={"entity.status", "entity.is_operating", "applicant.real_name_level"},
    )
    brief = entity_brief(uscc=uscc)
    assert facts["entity.status"] == brief.status
    assert facts["entity.is_operating"] is brief.is_operating
    assert facts["entity.region_code"] == brief.region_code
    assert facts["entity.entity_type"] == brief.entity_type
    assert facts["applicant.exists_in_registry"] is True
    assert facts["applicant.real_name_level"] == 3
    assert "applicant.age" not in facts


def test_an_unknown_person_is_not_in_the_registry(citizen):
    item = instant_item_make(rules=[AGE_RULE])
    application = case_make(
        item=item,
        principal=citizen.as_principal(),
        applicant_id_number="110101199003077777",
        applicant_name="查无此人",
    )
    facts = facts_gather(application=application, needed={"applicant.age"})
    assert facts["applicant.exists_in_registry"] is False
    assert "applicant.age" not in facts


# --- decisions ----------------------------------------------------------------------------


def test_all_rules_pass_approves_with_stored_facts_timeline_audit_and_event(citizen):
    item = instant_item_make(rules=[AGE_RULE, REGION_RULE, ONCE_RULE])
    application, decision = _decide(item, citizen)
    assert application.status == "approved"
    assert application.closed_at is not None
    assert "符合全部 3 项秒批规则" in application.decision_note
    assert decision.is_approved is True
    assert decision.rule_set == ruleset_published(standard_code=item.standard_code)
    assert [o["id"] for o in decision.outcomes] == ["age", "region", "once"]
    assert all(o["passed"] for o in decision.outcomes)
    assert decision.facts["history.approved_same_item_count"] == 0
    event = CaseEvent.objects.filter(application=application).last()
    assert event.kind == "approved" and event.label == "秒批：准予许可"
    assert event.actor_label == "秒批（系统自动审批）"
    entry = AuditEntry.objects.filter(action="services.application.approved").get()
    assert entry.actor == "system:instant-approval"
    assert entry.acting_for == citizen.as_principal().actor
    assert Event.objects.filter(topic="services.application.approved").count() == 1


def test_a_failing_rule_rejects_with_every_failed_message(citizen):
    too_old = {**AGE_RULE, "id": "young", "op": "lt", "value": 1, "message": "年龄不符"}
    elsewhere = {**REGION_RULE, "value": "11", "message": "户籍不在北京"}
    item = instant_item_make(rules=[too_old, ONCE_RULE, elsewhere])
    application, decision = _decide(item, citizen)
    assert application.status == "rejected"
    assert application.decision_note == "年龄不符；户籍不在北京"
    assert decision.is_approved is False
    assert [o["passed"] for o in decision.outcomes] == [False, True, False]
    assert CaseEvent.objects.filter(application=application, kind="rejected").exists()
    assert Event.objects.filter(topic="services.application.rejected").count() == 1


def test_no_duplicate_benefit_rejects_the_second_claim(citizen):
    item = instant_item_make(rules=[ONCE_RULE])
    first, _ = _decide(item, citizen)
    second, _ = _decide(item, citizen)
    assert (first.status, second.status) == ("approved", "rejected")
    assert second.decision_note == ONCE_RULE["message"]


def test_without_a_published_rule_set_the_submission_fails_loudly(citizen):
    item = instant_item_make(rules=[AGE_RULE], publish=False)
    application = case_make(
        item=item, principal=citizen.as_principal(), applicant_id_number=citizen.id_number
    )
    with pytest.raises(Conflict) as caught:
        instant_decide(application=application, principal=citizen.as_principal())
    assert caught.value.message == "该事项未配置秒批规则"
    assert caught.value.code == "services/no_instant_rules"
    assert not InstantDecision.objects.exists()


def test_decisions_keep_the_rule_set_they_applied(citizen, other_citizen):
    item = instant_item_make(rules=[AGE_RULE])
    _, first = _decide(item, citizen)
    draft = ruleset_draft_save(
        principal=OPERATOR, standard_code=item.standard_code, rules=[AGE_RULE, REGION_RULE]
    )
    ruleset_publish(principal=OPERATOR, ruleset_id=draft.pk)
    _, second = _decide(item, other_citizen)
    first.refresh_from_db()
    assert (first.rule_set.number, second.rule_set.number) == (1, 2)
    assert first.rule_set.status == "superseded"
    assert len(first.outcomes) == 1 and len(second.outcomes) == 2


# --- explanation and replay ---------------------------------------------------------------


def test_the_applicant_sees_each_rule_with_the_values_read(citizen):
    item = instant_item_make(rules=[AGE_RULE, REGION_RULE])
    application, _ = _decide(item, citizen)
    view = decision_explain(principal=citizen.as_principal(), number=application.number)
    person = person_brief(id_number=citizen.id_number)
    assert view.is_approved is True and view.is_masked is False
    assert view.rule_set_number == 1
    assert [(r.label, r.passed) for r in view.rules] == [
        ("申请人年满18周岁", True),
        ("户籍在广东省", True),
    ]
    assert view.rules[1].value == person.household_region_code


def test_staff_see_the_explanation_with_personal_values_masked(citizen):
    item = instant_item_make(rules=[AGE_RULE, REGION_RULE])
    application, _ = _decide(item, citizen)
    handler = staff_make("handler1", organization_code="440100-scjg", roles=("审批人员",))
    view = decision_explain(principal=staff_principal(handler), number=application.number)
    person = person_brief(id_number=citizen.id_number)
    assert view.is_masked is True
    assert view.rules[1].value != person.household_region_code
    assert view.rules[1].value.startswith(person.household_region_code[:2])


def test_someone_else_cannot_see_the_explanation_and_is_audited(citizen, other_citizen):
    item = instant_item_make(rules=[AGE_RULE])
    application, _ = _decide(item, citizen)
    with pytest.raises(PermissionDenied):
        decision_explain(principal=other_citizen.as_principal(), number=application.number)
    assert AuditEntry.objects.filter(
        action="services.application.access", outcome="denied", object_id=application.number
    ).exists()


def test_replay_reproduces_the_decision_and_reports_the_current_rules(citizen):
    item = instant_item_make(rules=[AGE_RULE, REGION_RULE])
    application, _ = _decide(item, citizen)
    handler = staff_principal(
        staff_make("handler2", organization_code="440100-scjg", roles=("审批人员",))
    )
    result = instant_replay(principal=handler, number=application.number)
    assert result.is_reproduced is True
    assert result.stored_is_approved is result.replayed_is_approved is True
    assert result.current_rule_set_number == 1 and result.current_is_approved is True
    # a stricter rule set published later would refuse, and says which facts it lacks
    stricter = {**AGE_RULE, "id": "old", "value": 200}
    draft = ruleset_draft_save(
        principal=OPERATOR,
        standard_code=item.standard_code,
        rules=[stricter, {**ONCE_RULE}],
    )
    ruleset_publish(principal=OPERATOR, ruleset_id=draft.pk)
    result = instant_replay(principal=handler, number=application.number)
    assert result.is_reproduced is True and result.rule_set_number == 1
    assert result.current_rule_set_number == 2 and result.current_is_approved is False
    assert result.current_missing_facts == ["history.approved_same_item_count"]
    assert AuditEntry.objects.filter(action="services.instant.replay").count() == 2


def test_replay_detects_altered_stored_facts(citizen):
    item = instant_item_make(rules=[AGE_RULE])
    application, decision = _decide(item, citizen)
    InstantDecision.objects.filter(pk=decision.pk).update(
        facts={**decision.facts, "applicant.age": 3}
    )
    handler = staff_principal(
        staff_make("handler3", organization_code="440100-scjg", roles=("审批人员",))
    )
    result = instant_replay(principal=handler, number=application.number)
    assert result.is_reproduced is False
    assert result.differing_rules == ["age"]


def test_the_applicant_may_not_replay(citizen):
    item = instant_item_make(rules=[AGE_RULE])
    application, _ = _decide(item, citizen)
    with pytest.raises(PermissionDenied):
        instant_replay(principal=citizen.as_principal(), number=application.number)


# --- rule sets ----------------------------------------------------------------------------


def test_drafts_are_numbered_and_published_sets_are_immutable(db):
    item = instant_item_make(rules=None)
    draft = ruleset_draft_save(
        principal=OPERATOR, standard_code=item.standard_code, rules=[AGE_RULE]
    )
    again = ruleset_draft_save(
        principal=OPERATOR, standard_code=item.standard_code, rules=[AGE_RULE, ONCE_RULE]
    )
    assert again.pk == draft.pk and again.number == 1 and len(again.rules) == 2
    published = ruleset_publish(principal=OPERATOR, ruleset_id=draft.pk)
    assert published.status == "published" and published.published_at is not None
    with pytest.raises(Conflict):
        ruleset_publish(principal=OPERATOR, ruleset_id=draft.pk)
    # saving after publication makes the next draft; the published set is untouched
    nxt = ruleset_draft_save(
        principal=OPERATOR, standard_code=item.standard_code, rules=[ONCE_RULE]
    )
    assert nxt.pk != draft.pk and nxt.number == 2 and nxt.status == "draft"
    published.refresh_from_db()
    assert [r["id"] for r in published.rules] == ["age", "once"]
    ruleset_publish(principal=OPERATOR, ruleset_id=nxt.pk)
    statuses = dict(InstantRuleSet.objects.values_list("number", "status"))
    assert statuses == {1: "superseded", 2: "published"}
    assert Event.objects.filter(topic="services.ruleset.published").count() == 2
    assert AuditEntry.objects.filter(action="services.ruleset.publish").count() == 2


def test_invalid_rules_are_refused_at_save_time(db):
    item = instant_item_make(rules=None)
    with pytest.raises(ValidationFailed) as caught:
        ruleset_draft_save(
            principal=OPERATOR,
            standard_code=item.standard_code,
            rules=[{**AGE_RULE, "fact": "form.not_in_the_form"}],
        )
    assert "rules[0].fact" in caught.value.fields
    assert not InstantRuleSet.objects.exists()
    with pytest.raises(NotFound):
        ruleset_draft_save(principal=OPERATOR, standard_code="NO-SUCH", rules=[AGE_RULE])


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [((), False), (("审批人员",), False), (("事项管理人员",), True), (("事项审核人员",), True)],
)
def test_rule_sets_need_the_manage_rules_permission(db, roles, allowed):
    item = instant_item_make(rules=None)
    principal = staff_principal(staff_make("rules1", organization_code="440000-zsj", roles=roles))
    if allowed:
        draft = ruleset_draft_save(
            principal=principal, standard_code=item.standard_code, rules=[AGE_RULE]
        )
        assert ruleset_publish(principal=principal, ruleset_id=draft.pk).status == "published"
        return
    with pytest.raises(PermissionDenied):
        ruleset_draft_save(principal=principal, standard_code=item.standard_code, rules=[AGE_RULE])
    assert not InstantRuleSet.objects.exists()
    draft = ruleset_draft_save(
        principal=OPERATOR, standard_code=item.standard_code, rules=[AGE_RULE]
    )
    with pytest.raises(PermissionDenied):
        ruleset_publish(principal=principal, ruleset_id=draft.pk)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert AuditEntry.objects.filter(action="services.ruleset.publish", outcome="denied").exists()


def test_citizens_cannot_touch_rule_sets(citizen):
    item = instant_item_make(rules=None)
    with pytest.raises(PermissionDenied):
        ruleset_draft_save(
            principal=citizen.as_principal(), standard_code=item.standard_code, rules=[AGE_RULE]
        )
    assert Application.objects.count() == 0


# --- end to end through the applications area ----------------------------------------------


def test_a_citizen_submission_is_decided_at_once(citizen):
    from ..services.applications import application_submit

    item = instant_item_make(rules=[AGE_RULE, REGION_RULE, ONCE_RULE])
    principal = citizen.as_principal()
    application = application_submit(
        principal=principal,
        item_code=item.code,
        form_data={"phone": "13800138000"},
        idempotency_key="instant-e2e-1",
    )
    application.refresh_from_db()
    assert application.status == "approved"
    view = decision_explain(principal=principal, number=application.number)
    assert [r.passed for r in view.rules] == [True, True, True]
    again = application_submit(
        principal=principal,
        item_code=item.code,
        form_data={"phone": "13800138000"},
        idempotency_key="instant-e2e-2",
    )
    again.refresh_from_db()
    assert again.status == "rejected" and again.decision_note == ONCE_RULE["message"]


def test_a_submission_without_rules_is_refused_whole(citizen):
    from ..services.applications import application_submit

    item = instant_item_make(rules=[AGE_RULE], publish=False)
    with pytest.raises(Conflict):
        application_submit(
            principal=citizen.as_principal(),
            item_code=item.code,
            form_data={"phone": "13800138000"},
            idempotency_key="instant-e2e-3",
        )
    assert not Application.objects.exists()
