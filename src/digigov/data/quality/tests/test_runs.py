"""Quality runs: the seeded flawed dataset is found out exactly; re-runs keep, close and
reopen issues; issues are capped per rule; registry references are looked up in batches;
the score formula; who may run a check, and that refusals change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digigov.data.catalog.selectors.resources import resource_by_code
from digigov.data.catalog.services.datasets import dataset_rows_replace
from digigov.data.registries.selectors import registry_records
from digigov.kernel.errors import PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.kernel.principals import ANONYMOUS

from ..models import QualityIssue, QualityRule, QualityRun
from ..services import checks, runs
from ..services.demo import CODE, FLAWS, ROWS, flawed_rows, quality_demo_seed
from ..services.issues import quality_issue_transition
from ..services.rules import RuleDraft, quality_rule_activate, quality_rule_create
from ..services.runs import _score, quality_run, quality_run_many
from .factories import (
    DEPARTMENT,
    SYSTEM,
    audit_head,
    audit_since,
    dataset_make,
    staff,
    steward,
)

pytestmark = pytest.mark.django_db
Kind = QualityRule.Kind


@pytest.fixture
def seeded(world):
    summary = quality_demo_seed()
    assert "质量评分" in summary
    return resource_by_code(code=CODE)


def _live(resource) -> set[tuple[str, str, tuple[str, ...]]]:
    return {
        (i.row_ref, i.rule.kind, tuple(i.rule.field_names))
        for i in QualityIssue.objects.filter(resource=resource, state="open").select_related("rule")
    }


def test_the_seeded_run_finds_each_flaw_and_nothing_else(seeded):
    run = QualityRun.objects.get(resource=seeded)
    found = _live(seeded)
    expected = set()
    for ref, (field, kind) in FLAWS.items():
        fields = (field,) if field else ()
        expected.add((ref, kind, fields))
    assert found == expected
    assert run.rows_checked == ROWS and run.issues_opened == len(FLAWS)
    failed = {r["rule_id"]: r["failed"] for r in run.report}
    assert sum(failed.values()) == len(FLAWS)
    assert 0 < run.score < 100
    # personal values never appear in clear in the report or the issues
    row5 = flawed_rows(
        registry_records(
            kind="entity",
            fields=["uscc", "name", "legal_rep_name", "legal_rep_id_number", "region_code"],
            limit=ROWS,
        )
    )[4]
    texts = str(run.report) + " ".join(QualityIssue.objects.values_list("message", flat=True))
    assert row5["legal_rep_id_number"] not in texts
    assert row5["legal_rep_id_number"][:4] + "**********" in texts
    assert QualityIssue.objects.filter(organization__code="440100-scjg").count() == len(FLAWS)
    assert Event.objects.filter(topic="quality.run.completed").count() == 1
    assert quality_demo_seed() == "已存在，跳过"


def test_a_rerun_keeps_open_issues_closes_fixed_ones_and_respects_ignored(seeded):
    first = {i.row_ref: i.pk for i in QualityIssue.objects.filter(resource=seeded)}
    ignored = QualityIssue.objects.get(resource=seeded, row_ref="#27")
    quality_issue_transition(
        principal=steward(), issue_id=ignored.pk, action="ignore", note="新设立企业，登记同步中"
    )
    resolved = QualityIssue.objects.get(resource=seeded, row_ref="#5")
    quality_issue_transition(principal=steward(), issue_id=resolved.pk, action="resolve")
    entities = registry_records(
        kind="entity",
        fields=["uscc", "name", "legal_rep_name", "legal_rep_id_number", "region_code"],
        limit=ROWS,
    )
    rows = flawed_rows(entities)
    rows[19]["region_code"] = entities[19]["region_code"]  # #20 fixed at the source
    dataset_rows_replace(principal=DEPARTMENT, resource_id=seeded.pk, rows=rows)

    run = quality_run(principal=steward(), resource_id=seeded.pk)

    issues = {i.row_ref: i for i in QualityIssue.objects.filter(resource=seeded, state="open")}
    # data reloaded: timeliness passes now; #20 fixed; #5 was marked resolved but still fails
    assert set(issues) == {"#5", "#13", "#33"}
    assert issues["#13"].pk == first["#13"] and issues["#13"].last_run_id == run.pk
    assert issues["#5"].pk != first["#5"]  # a new issue: the old one stays resolved history
    assert QualityIssue.objects.get(pk=first["#20"]).state == "resolved"
    assert QualityIssue.objects.get(pk=first[""]).state == "resolved"
    assert QualityIssue.objects.get(pk=ignored.pk).state == "ignored"  # still ignored
    assert run.issues_closed == 2 and run.issues_opened == 1


def test_a_rule_switched_off_no_longer_counts_and_its_issues_close(seeded):
    rule = QualityRule.objects.get(resource=seeded, kind=Kind.TIMELINESS)
    before = QualityRun.objects.get(resource=seeded).score
    quality_rule_activate(principal=steward(), rule_id=rule.pk, is_active=False)
    run = quality_run(principal=steward(), resource_id=seeded.pk)
    assert run.score > before
    assert not QualityIssue.objects.filter(rule=rule, state="open").exists()
    assert rule.pk not in {r["rule_id"] for r in run.report}


def test_issues_are_capped_per_rule_and_the_rest_counted(world, monkeypatch):
    monkeypatch.setattr(runs, "ISSUE_CAP", 3)
    resource = dataset_make(
        fields=[
            {"name": "code", "label": "编号", "data_type": "code", "is_required": True},
            {"name": "region", "label": "地区", "data_type": "code"},
        ],
        rows=[{"code": f"C{n}", "region": "000000"} for n in range(8)],
        key_field="code",
    )
    quality_rule_create(
        principal=steward(),
        resource_id=resource.pk,
        draft=RuleDraft(Kind.VALIDITY, ["region"], check_type="region"),
    )
    run = quality_run(principal=steward(), resource_id=resource.pk)
    report = run.report[0]
    assert report["failed"] == 8 and report["issues_listed"] == 3 and report["unlisted"] == 5
    assert len(report["examples"]) == runs.EXAMPLES
    assert QualityIssue.objects.filter(resource_id=resource.pk).count() == 3
    again = quality_run(principal=steward(), resource_id=resource.pk)
    assert again.issues_opened == 0 and again.issues_closed == 0
    assert QualityIssue.objects.filter(resource_id=resource.pk).count() == 3


def test_references_are_looked_up_in_batches(world, monkeypatch):
    monkeypatch.setattr(checks, "REFERENCE_BATCH", 10)
    usccs = [r["uscc"] for r in registry_records(kind="entity", fields=["uscc"], limit=40)]
    resource = dataset_make(
        fields=[{"name": "uscc", "label": "代码", "data_type": "code", "is_required": True}],
        rows=[{"uscc": u} for u in usccs + usccs[:10]] + [{"uscc": "91440101MA0000000X"}],
        key_field="uscc",
    )
    quality_rule_create(
        principal=steward(),
        resource_id=resource.pk,
        draft=RuleDraft(Kind.REFERENCE, ["uscc"], registry="entity"),
    )
    with CaptureQueriesContext(connection) as queries:
        run = quality_run(principal=steward(), resource_id=resource.pk)
    lookups = [q for q in queries.captured_queries if "registries_entity" in q["sql"]]
    # 41 distinct values in batches of 10; values seen before are not looked up again
    assert len(lookups) == 5
    assert run.report[0]["failed"] == 1 and run.report[0]["checked"] == 51


def test_score_is_the_weighted_pass_ratio():
    # (weight, checked, failed): 2 x 0.5 + 1 x 1.0 over weights 3 -> 66.67; unchecked ignored
    assert _score([(2, 10, 5), (1, 4, 0), (5, 0, 0)]) == Decimal("66.67")
    assert _score([(1, 0, 0)]) is None


def test_a_resource_without_rules_is_refused(world):
    resource = dataset_make(
        fields=[{"name": "k", "label": "键", "data_type": "code", "is_required": True}],
        rows=[{"k": "1"}],
        key_field="k",
    )
    with pytest.raises(ValidationFailed) as error:
        quality_run(principal=steward(), resource_id=resource.pk)
    assert error.value.code == "quality_no_rules"
    assert not QualityRun.objects.exists()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("citizen", False),
        ("other_department", False),
        ("same_department_without_permission", False),
        ("other_city_bureau", False),
        ("steward", True),
        ("catalog_admin", True),
        ("city_bureau", True),
        ("province_bureau", True),
    ],
)
def test_who_may_run_a_check(seeded, who, allowed):
    from digigov.kernel.principals import Principal

    principals = {
        "anonymous": ANONYMOUS,
        "citizen": Principal(kind="citizen", id="5", person_id_number="x"),
        "other_department": steward("440100-gat", id="12"),
        "same_department_without_permission": staff("440100-scjg", id="13"),
        "other_city_bureau": staff("440300-zsj", "quality.manage_rules", id="14"),
        "steward": steward(),
        "catalog_admin": staff("440100-scjg", "catalog.register_resource", id="15"),
        "city_bureau": staff("440100-zsj", "quality.manage_rules", id="16"),
        "province_bureau": staff("440000-zsj", "quality.handle_issue", id="17"),
    }
    principal = principals[who]
    runs_before, issues_before = QualityRun.objects.count(), QualityIssue.objects.count()
    head = audit_head()
    if allowed:
        run = quality_run(principal=principal, resource_id=seeded.pk)
        assert run.triggered_by == principal.actor
        assert ("quality.run", "success") in audit_since(head)
        return
    expected = Unauthenticated if who == "anonymous" else PermissionDenied
    with pytest.raises(expected):
        quality_run(principal=principal, resource_id=seeded.pk)
    assert QualityRun.objects.count() == runs_before
    assert QualityIssue.objects.count() == issues_before
    if who != "anonymous":
        assert audit_since(head) == [("quality.run", "denied")]


def test_run_many_checks_every_resource_with_rules_and_reports_skips(seeded):
    outcome = quality_run_many(principal=SYSTEM, codes=[CODE, "NO-SUCH"])
    assert [r.resource_id for r in outcome.runs] == [seeded.pk]
    assert outcome.skipped == [("NO-SUCH", "数据资源不存在")]
    every = quality_run_many(principal=SYSTEM)
    assert [r.resource_id for r in every.runs] == [seeded.pk] and not every.skipped
