"""Quality rules as data: suggestions from the catalog metadata, validation with clear
messages, who may change rules (refusals audited, nothing changed), and the issue states."""

from __future__ import annotations

import pytest

from digigov.data.catalog.selectors.resources import resource_by_code
from digigov.kernel.errors import Conflict, PermissionDenied, ValidationFailed

from ..models import QualityIssue, QualityRule
from ..selectors.rules import quality_rules_for
from ..services.demo import CODE, FIELDS, VALUES, quality_demo_seed
from ..services.issues import quality_issue_transition
from ..services.rules import (
    RuleDraft,
    quality_rule_create,
    quality_rule_update,
    quality_rules_adopt,
    quality_rules_suggest,
)
from .factories import audit_head, audit_since, dataset_make, staff, steward

pytestmark = pytest.mark.django_db
Kind = QualityRule.Kind


@pytest.fixture
def resource(world):
    values = {k: v for k, v in VALUES.items() if k != "code"}
    return dataset_make(
        code="GZ-TEST-RULES",
        fields=FIELDS,
        rows=[],
        key_field=values["key_field"],
        frequency=values["update_frequency"],
    )


def test_suggestions_follow_the_field_metadata(resource):
    drafts = {
        (d.kind, tuple(d.field_names), d.check_type, d.registry)
        for d in quality_rules_suggest(resource=resource)
    }
    assert drafts == {
        ("completeness", ("uscc",), "", ""),
        ("validity", ("uscc",), "uscc", ""),
        ("reference", ("uscc",), "", "entity"),
        ("validity", ("legal_rep_id_number",), "id_number", ""),
        ("validity", ("region_code",), "region", ""),
        ("validity", ("report_year",), "integer", ""),
        ("validity", ("employees",), "integer", ""),
        ("uniqueness", ("uscc",), "", ""),
        ("timeliness", (), "", ""),
    }
    made = quality_rules_adopt(principal=steward(), resource_id=resource.pk)
    assert len(made) == 9
    assert quality_rules_adopt(principal=steward(), resource_id=resource.pk) == []


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (RuleDraft("nonsense"), "kind"),
        (RuleDraft(Kind.COMPLETENESS, ["nope"]), "field_names"),
        (RuleDraft(Kind.COMPLETENESS, []), "field_names"),
        (RuleDraft(Kind.VALIDITY, ["name"], check_type=""), "check_type"),
        (RuleDraft(Kind.VALIDITY, ["name"], check_type="enum", params={"values": []}), "params"),
        (
            RuleDraft(Kind.VALIDITY, ["name"], check_type="regex", params={"pattern": "(a+)+$"}),
            "params",
        ),
        (RuleDraft(Kind.VALIDITY, ["name"], check_type="regex", params={"pattern": "("}), "params"),
        (RuleDraft(Kind.REFERENCE, ["uscc"], registry="moon"), "registry"),
        (RuleDraft(Kind.TIMELINESS, [], params={"max_age_days": 0}), "params"),
        (RuleDraft(Kind.TIMELINESS, ["uscc"]), "field_names"),
        (RuleDraft(Kind.COMPLETENESS, ["name"], weight=11), "weight"),
    ],
)
def test_bad_rules_are_refused_with_the_field_and_nothing_is_saved(resource, draft, field):
    with pytest.raises(ValidationFailed) as error:
        quality_rule_create(principal=steward(), resource_id=resource.pk, draft=draft)
    assert field in error.value.fields or draft.kind == "nonsense"
    assert not QualityRule.objects.exists()


def test_enum_values_may_come_as_text_and_a_rule_can_be_changed(resource):
    rule = quality_rule_create(
        principal=steward(),
        resource_id=resource.pk,
        draft=RuleDraft(Kind.VALIDITY, ["report_year"], "enum", params={"values": "2023，2024"}),
    )
    assert rule.params == {"values": ["2023", "2024"]}
    changed = quality_rule_update(
        principal=steward(),
        rule_id=rule.pk,
        draft=RuleDraft(Kind.VALIDITY, ["report_year"], "regex", params={"pattern": r"20\d\d"}),
    )
    assert changed.check_type == "regex" and changed.params == {"pattern": r"20\d\d"}
    with pytest.raises(ValidationFailed):
        quality_rule_update(
            principal=steward(), rule_id=rule.pk, draft=RuleDraft(Kind.COMPLETENESS, ["name"])
        )
    described = quality_rules_for(principal=steward(), resource_id=resource.pk)
    assert described.may_edit and "符合 20\\d\\d" in described.rules[0].description


@pytest.mark.parametrize(
    "who",
    ["other_department", "no_permission", "other_city_bureau", "reviewer_only"],
)
def test_others_may_not_change_rules(resource, who):
    principal = {
        "other_department": steward("440100-gat", id="31"),
        "no_permission": staff("440100-scjg", "quality.handle_issue", id="32"),
        "other_city_bureau": staff("440300-zsj", "quality.manage_rules", id="33"),
        "reviewer_only": staff("440100-scjg", "catalog.review_resource", id="34"),
    }[who]
    head = audit_head()
    with pytest.raises(PermissionDenied):
        quality_rule_create(
            principal=principal,
            resource_id=resource.pk,
            draft=RuleDraft(Kind.COMPLETENESS, ["name"]),
        )
    assert not QualityRule.objects.exists()
    assert audit_since(head) == [("quality.rule.create", "denied")]


def test_the_provincial_bureau_and_catalog_admins_may_change_rules(resource):
    for principal in (
        staff("440000-zsj", "quality.manage_rules", id="41"),
        staff("440100-scjg", "catalog.register_resource", id="42"),
    ):
        quality_rule_create(
            principal=principal,
            resource_id=resource.pk,
            draft=RuleDraft(Kind.COMPLETENESS, ["name"]),
        )
    assert QualityRule.objects.filter(resource_id=resource.pk).count() == 2


def test_issue_states_and_who_may_work_on_them(world):
    quality_demo_seed()
    issue = QualityIssue.objects.get(resource=resource_by_code(code=CODE), row_ref="#33")
    outsider = staff("440100-gat", "quality.handle_issue", id="51")
    head = audit_head()
    with pytest.raises(PermissionDenied):
        quality_issue_transition(principal=outsider, issue_id=issue.pk, action="resolve")
    assert audit_since(head) == [("quality.issue.resolve", "denied")]
    with pytest.raises(ValidationFailed):  # ignoring needs a reason
        quality_issue_transition(principal=steward(), issue_id=issue.pk, action="ignore")
    issue.refresh_from_db()
    assert issue.state == "open"
    quality_issue_transition(principal=steward(), issue_id=issue.pk, action="ignore", note="测试")
    with pytest.raises(Conflict):
        quality_issue_transition(principal=steward(), issue_id=issue.pk, action="resolve")
    reopened = quality_issue_transition(principal=steward(), issue_id=issue.pk, action="reopen")
    assert reopened.state == "open" and reopened.handled_by == steward().actor
