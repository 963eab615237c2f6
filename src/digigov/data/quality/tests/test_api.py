"""/api/v1/quality for staff sessions: scores, reports, issues and their handling; anonymous
callers, API keys and staff of other departments get nothing and change nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from digigov.data.catalog.selectors.resources import resource_by_code
from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.principals import Principal

from ..models import QualityIssue, QualityRun
from ..services.demo import CODE, FLAWS, quality_demo_seed
from .factories import org

pytestmark = pytest.mark.django_db
BASE = "/api/v1/quality"


@pytest.fixture
def seeded(world):
    quality_demo_seed()
    return resource_by_code(code=CODE)


def _staff(username: str, org_code: str, *codenames: str) -> Client:
    account = get_user_model().objects.create_user(
        username=username, password="Unused@2025", kind="staff", organization_id=org(org_code).pk
    )
    if codenames:
        group = Group.objects.create(name=f"组-{username}")
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="quality", codename__in=codenames)
        )
        account.groups.add(group)
    client = Client()
    client.force_login(account, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.create(user=account, name="测试", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_the_department_reads_scores_reports_and_issues(seeded):
    client = _staff("gz_steward", "440100-scjg", "handle_issue")
    scores = client.get(f"{BASE}/resources").json()
    assert [s["code"] for s in scores] == [CODE] and 0 < float(scores[0]["score"]) < 100
    departments = client.get(f"{BASE}/departments").json()
    assert departments[0]["open_issues"] == len(FLAWS)
    report = client.get(f"{BASE}/runs/{scores[0]['run_id']}").json()
    assert sum(r["failed"] for r in report["report"]) == len(FLAWS)
    issues = client.get(f"{BASE}/issues", {"kind": "validity"}).json()
    assert issues["total"] == 2 and {i["row_ref"] for i in issues["rows"]} == {"#5", "#20"}


def test_issues_are_handled_and_bad_input_changes_nothing(seeded):
    client = _staff("gz_steward", "440100-scjg", "handle_issue")
    issue = QualityIssue.objects.get(row_ref="#33")
    refused = client.post(
        f"{BASE}/issues/{issue.pk}/ignore", {"note": ""}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["error"]["fields"]["note"]
    bogus = client.post(f"{BASE}/issues/{issue.pk}/delete", {}, content_type="application/json")
    assert bogus.status_code == 422
    issue.refresh_from_db()
    assert issue.state == "open"
    done = client.post(
        f"{BASE}/issues/{issue.pk}/ignore", {"note": "历史数据"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["state"] == "ignored"


def test_run_now_answers_with_the_report(seeded):
    client = _staff("gz_rules", "440100-scjg", "manage_rules")
    response = client.post(f"{BASE}/resources/{seeded.pk}/runs")
    assert response.status_code == 201 and response.json()["rows_checked"] == 40
    assert QualityRun.objects.count() == 2


@pytest.mark.parametrize("who", ["anonymous", "api_key", "other_department", "no_permission"])
def test_others_get_nothing_and_change_nothing(seeded, who):
    headers: dict = {}
    if who == "anonymous":
        client = Client()
    elif who == "api_key":
        client = Client()
        operator = Principal(kind="operator", id="test")
        machine = machine_client_create(
            actor=operator,
            name="测试系统",
            scopes=["registry:read"],
            organization_id=org("440100-scjg").pk,
        )
        headers = {"HTTP_X_API_KEY": api_key_issue(actor=operator, client_id=machine.pk).key}
    elif who == "other_department":
        client = _staff("gat", "440100-gat", "handle_issue", "manage_rules")
    else:
        client = _staff("plain", "440100-scjg")
    denied = 401 if who in ("anonymous", "api_key") else 403
    issue = QualityIssue.objects.get(row_ref="#33")
    run = QualityRun.objects.get()
    if who in ("anonymous", "api_key", "no_permission"):
        assert client.get(f"{BASE}/resources", **headers).status_code == denied
        assert client.get(f"{BASE}/issues", **headers).status_code == denied
    else:  # another department sees an empty list, and none of this department's objects
        assert client.get(f"{BASE}/resources").json() == []
        assert client.get(f"{BASE}/issues").json()["total"] == 0
        denied = 404
    assert client.get(f"{BASE}/runs/{run.pk}", **headers).status_code == denied
    resolve = client.post(
        f"{BASE}/issues/{issue.pk}/resolve", {}, content_type="application/json", **headers
    )
    assert resolve.status_code in (401, 403)
    assert client.post(f"{BASE}/resources/{seeded.pk}/runs", **headers).status_code in (401, 403)
    issue.refresh_from_db()
    assert issue.state == "open" and QualityRun.objects.count() == 1
