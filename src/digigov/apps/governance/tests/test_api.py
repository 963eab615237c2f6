"""/api/v1/governance: people (session) and machine clients; denied calls change nothing."""

from __future__ import annotations

import pytest

from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.principals import Principal
from digigov.support.identity.testing import login

from ..models import ReportedValue, Topic
from ..services.compute import indicators_compute

pytestmark = pytest.mark.django_db
BASE = "/api/v1/governance"
ADMIN = Principal(kind="operator", id="test-admin")


def _key(*scopes: str) -> str:
    client = machine_client_create(
        actor=ADMIN, name=f"驾驶舱大屏 {' '.join(scopes)}", scopes=list(scopes)
    )
    return api_key_issue(actor=ADMIN, client_id=client.pk).key


REPORT = {"value": "26.1", "source": "省政务云资源台账", "as_of": "2026-06-30"}


@pytest.mark.parametrize(
    "kind,status",
    [("anonymous", 401), ("citizen", 403), ("staff_without", 403), ("staff_with", 200)],
)
def test_indicators_matrix(as_caller, kind, status):
    response = as_caller(kind).get(f"{BASE}/indicators")
    assert response.status_code == status
    if status == 200:
        rows = response.json()["rows"]
        assert [r["number"] for r in rows] == list(range(1, 22))
        assert rows[3]["kind"] == "reported" and rows[3]["status"] == "not_reported"
        assert rows[9]["baseline"] is None and rows[9]["target"] == "100.0000"


@pytest.mark.parametrize(
    "kind,status",
    [("anonymous", 401), ("citizen", 403), ("staff_without", 403), ("staff_with", 201)],
)
def test_report_matrix_denied_changes_nothing(as_caller, kind, status):
    response = as_caller(kind).post(
        f"{BASE}/indicators/15/reports", REPORT, content_type="application/json"
    )
    assert response.status_code == status
    assert ReportedValue.objects.count() == (1 if status == 201 else 0)


def test_report_of_computed_indicator_refused(client, officer):
    login(client, officer)
    response = client.post(f"{BASE}/indicators/1/reports", REPORT, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "governance/computed_indicator"
    assert not ReportedValue.objects.exists()


def test_machine_client_needs_the_scope_and_cannot_write(client, regions):
    indicators_compute()
    other = _key("catalog:read")
    refused = client.get(f"{BASE}/indicators", HTTP_X_API_KEY=other)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "scope_missing"
    key = _key("governance:read")
    assert (
        client.get(f"{BASE}/indicators", {"region": "440300"}, HTTP_X_API_KEY=key).status_code
        == 200
    )
    history = client.get(f"{BASE}/indicators/10/history", HTTP_X_API_KEY=key).json()
    assert len(history) == 1 and history[0]["value"] == "78.300000"
    written = client.post(
        f"{BASE}/indicators/15/reports", REPORT, content_type="application/json", HTTP_X_API_KEY=key
    )
    assert written.status_code == 403 and not ReportedValue.objects.exists()
    topic = {"name": "交通", "function": "social", "sectors": ["jtt"]}
    put = client.put(
        f"{BASE}/topics/traffic", topic, content_type="application/json", HTTP_X_API_KEY=key
    )
    assert put.status_code == 403 and not Topic.objects.filter(code="traffic").exists()


def test_city_viewer_api_is_limited_to_the_city(client, gz_viewer):
    login(client, gz_viewer)
    assert client.get(f"{BASE}/indicators", {"region": "440100"}).status_code == 200
    other = client.get(f"{BASE}/indicators", {"region": "440300"})
    assert other.status_code == 403 and other.json()["error"]["code"] == "governance/other_city"
    assert client.get(f"{BASE}/indicators").status_code == 403  # the province
    assert client.get(f"{BASE}/indicators", {"region": "44'--"}).status_code == 404


def test_dashboard_data_and_topics(client, officer):
    login(client, officer)
    data = client.get(f"{BASE}/dashboard").json()
    assert data["mapLevel"] == "city" and len(data["casesPerDay"]) == 30
    assert data["eventsAvailable"] is False  # the events area's statistics are not used here
    topics = client.get(f"{BASE}/topics").json()
    assert [t["name"] for t in topics] == [
        "生态环境保护",
        "经济调节",
        "市场监管",
        "公共服务",
        "社会管理",
    ]
    saved = client.put(
        f"{BASE}/topics/traffic",
        {"name": "交通运输", "function": "social", "sectors": ["jtt"], "indicators": [1]},
        content_type="application/json",
    )
    assert saved.status_code == 200 and saved.json()["indicators"] == [1]
    bad = client.put(
        f"{BASE}/topics/traffic",
        {"name": "交通运输", "function": "social", "sectors": ["nope"]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "sectors" in bad.json()["error"]["fields"]
    assert Topic.objects.get(code="traffic").sectors == ["jtt"]
