"""粤政易 · 数据治理 and 数据分析工作台: the department's scores, reports and issues (the data
bureau sees all departments), the rule editor, "立即检查", issue handling; the workspace's
snapshots, queries, refusals and history; who gets in, and that refused actions change
nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digigov.data.catalog.selectors.resources import resource_by_code
from digigov.data.quality.models import (
    QualityIssue,
    QualityRule,
    QualityRun,
    WorkspaceQuery,
    WorkspaceSnapshot,
)
from digigov.data.quality.services.demo import CODE, FLAWS, quality_demo_seed
from digigov.data.registries.services import registry_demo_generate
from digigov.kernel.regions.services import regions_load
from digigov.support.identity import testing as identity_testing

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    regions_load()
    identity_testing.staff_make("seed_only", organization_code="440100-scjg", roles=[])
    registry_demo_generate(people=60, entities=45)
    quality_demo_seed()
    return resource_by_code(code=CODE)


def _login(client, username, organization="440100-scjg", roles=("数据治理人员",)):
    account = identity_testing.staff_make(
        username, organization_code=organization, roles=list(roles)
    )
    identity_testing.login(client, account)
    return account


def test_the_department_sees_its_scores_report_and_issues(seeded, client):
    _login(client, "gz_steward")
    page = client.get("/staff/quality/").content.decode()
    assert "广州市市场主体年报主题库" in page and "立即检查" in page
    assert f"共 {len(FLAWS)} 个" in page
    assert "department-scores" not in page  # departments table: the bureau's view
    run = QualityRun.objects.get()
    report = client.get(f"/staff/quality/runs/{run.pk}/").content.decode()
    assert "#13" in report and "#27" in report and "法人基础库中不存在" in report
    validity = client.get("/staff/quality/", {"kind": "validity"}).content.decode()
    assert "共 2 个" in validity
    assert client.get("/staff/quality/", {"state": "bogus", "page": "x"}).status_code == 200


def test_the_overview_queries_do_not_grow_with_issues(seeded, client):
    _login(client, "gz_steward")
    client.get("/staff/quality/")
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/quality/")
    QualityIssue.objects.filter(row_ref="#33").update(state="resolved")
    quality_demo_seed()  # skipped: exists
    with CaptureQueriesContext(connection) as same:
        client.get("/staff/quality/", {"state": "all"})
    assert len(same) == len(few)


def test_the_provincial_bureau_sees_every_department(seeded, client):
    _login(client, "gd_steward", organization="440000-zsj")
    page = client.get("/staff/quality/").content.decode()
    assert "department-scores" in page and "广州市市场监督管理局" in page


def test_issue_handling_and_run_now(seeded, client):
    _login(client, "gz_steward")
    issue = QualityIssue.objects.get(row_ref="#33")
    response = client.post(
        f"/staff/quality/issues/{issue.pk}/ignore/", {"note": "", "next": "?state=open"}
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.state == "open"  # a reason is required
    client.post(f"/staff/quality/issues/{issue.pk}/ignore/", {"note": "企业已注销"})
    issue.refresh_from_db()
    assert issue.state == "ignored" and issue.note == "企业已注销"
    response = client.post(f"/staff/quality/resources/{issue.resource_id}/run/")
    run = QualityRun.objects.order_by("-id").first()
    assert response.status_code == 302 and response.url == f"/staff/quality/runs/{run.pk}/"
    assert QualityRun.objects.count() == 2
    issue.refresh_from_db()
    assert issue.state == "ignored" and issue.last_run_id == run.pk


def test_the_rule_editor_adds_switches_and_refuses_bad_rules(seeded, client):
    _login(client, "gz_steward")
    url = f"/staff/quality/resources/{seeded.pk}/rules/"
    page = client.get(url).content.decode()
    assert "及时性" in page and "新增规则" in page
    before = QualityRule.objects.count()
    bad = client.post(url, {"action": "create", "kind": "validity", "field_names": ["name"]})
    assert bad.status_code == 422 and "请选择校验方式" in bad.content.decode()
    assert QualityRule.objects.count() == before
    client.post(
        url,
        {
            "action": "create",
            "kind": "validity",
            "field_names": ["report_year"],
            "check_type": "enum",
            "values": "2023,2024",
            "weight": "2",
        },
    )
    rule = QualityRule.objects.order_by("-id").first()
    assert rule.params == {"values": ["2023", "2024"]} and rule.weight == 2
    client.post(url, {"action": "disable", "rule": rule.pk})
    rule.refresh_from_db()
    assert not rule.is_active
    assert client.get("/staff/quality/rules/", {"resource": seeded.pk}).url == url


@pytest.mark.parametrize(
    ("who", "organization", "roles"),
    [
        ("no_role", "440100-scjg", ()),
        ("other_department", "440100-gat", ("数据治理人员",)),
        ("analyst_only", "440100-scjg", ("数据分析人员",)),
    ],
)
def test_others_are_refused_and_change_nothing(seeded, client, who, organization, roles):
    _login(client, who, organization=organization, roles=roles)
    issue = QualityIssue.objects.get(row_ref="#33")
    run = QualityRun.objects.get()
    rules = QualityRule.objects.count()
    overview = client.get("/staff/quality/")
    if who == "other_department":
        assert overview.status_code == 200 and CODE not in overview.content.decode()
        assert client.get(f"/staff/quality/runs/{run.pk}/").status_code == 404
        assert client.get(f"/staff/quality/resources/{seeded.pk}/rules/").status_code == 404
    else:
        assert overview.status_code == 403
        assert client.get(f"/staff/quality/runs/{run.pk}/").status_code == 403
    client.post(f"/staff/quality/issues/{issue.pk}/resolve/")
    client.post(f"/staff/quality/resources/{seeded.pk}/run/")
    response = client.post(
        f"/staff/quality/resources/{seeded.pk}/rules/",
        {"action": "create", "kind": "completeness", "field_names": ["employees"]},
    )
    assert response.status_code in (403, 404)
    issue.refresh_from_db()
    assert issue.state == "open" and QualityRun.objects.count() == 1
    assert QualityRule.objects.count() == rules


def test_anonymous_and_unverified_staff_are_sent_to_log_in(seeded, client):
    assert client.get("/staff/quality/").status_code == 302
    assert client.get("/staff/workspace/").status_code == 302
    account = identity_testing.staff_make(
        "unverified", organization_code="440100-scjg", roles=["数据治理人员", "数据分析人员"]
    )
    identity_testing.login(client, account, verified=False)
    assert client.get("/staff/quality/").status_code in (302, 403)
    client.post("/staff/workspace/snapshots/", {"resource": seeded.pk})
    assert not WorkspaceSnapshot.objects.exists()


# --- the analytics workspace ------------------------------------------------------------


def test_the_analyst_snapshots_queries_and_sees_history(seeded, client):
    _login(client, "gz_analyst", roles=("数据分析人员",))
    page = client.get("/staff/workspace/").content.decode()
    assert CODE in page and "还没有快照" in page
    response = client.post("/staff/workspace/snapshots/", {"resource": seeded.pk})
    snapshot = WorkspaceSnapshot.objects.get()
    assert (
        response.status_code == 302 and response.url == f"/staff/workspace/?snapshot={snapshot.pk}"
    )
    result = client.post(
        "/staff/workspace/",
        {"snapshot": snapshot.pk, "sql": "SELECT legal_rep_id_number FROM data LIMIT 3"},
    )
    body = result.content.decode()
    assert result.status_code == 200 and "返回 3 行" in body and "**********" in body
    refused = client.post(
        "/staff/workspace/", {"snapshot": snapshot.pk, "sql": "COPY data TO '/tmp/x.csv'"}
    )
    assert refused.status_code == 422 and "不允许 COPY 语句" in refused.content.decode()
    history = client.get("/staff/workspace/").content.decode()
    assert "已拒绝" in history and "LIMIT 3" in history
    assert list(WorkspaceQuery.objects.values_list("outcome", flat=True).order_by("id")) == [
        "success",
        "refused",
    ]


@pytest.mark.parametrize(
    ("who", "organization", "roles"),
    [
        ("no_role", "440100-scjg", ("数据治理人员",)),
        ("other_department_analyst", "440100-gat", ("数据分析人员",)),
    ],
)
def test_the_workspace_refuses_others_and_changes_nothing(seeded, client, who, organization, roles):
    owner = identity_testing.staff_make(
        "gz_owner_analyst", organization_code="440100-scjg", roles=["数据分析人员"]
    )
    from digigov.data.quality.services.workspace import workspace_snapshot_create

    snapshot = workspace_snapshot_create(
        principal=identity_testing.principal_of(owner), resource_id=seeded.pk
    )
    _login(client, who, organization=organization, roles=roles)
    page = client.get("/staff/workspace/")
    if who == "no_role":
        assert page.status_code == 403
    else:
        assert page.status_code == 200 and CODE not in page.content.decode()
    assert client.post("/staff/workspace/snapshots/", {"resource": seeded.pk}).status_code == 403
    assert (
        client.post("/staff/workspace/", {"snapshot": snapshot.pk, "sql": "SELECT 1"}).status_code
        == 403
    )
    assert WorkspaceSnapshot.objects.count() == 1 and not WorkspaceQuery.objects.exists()
