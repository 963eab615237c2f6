"""/api/v1/audit/entries: who may read the audit log."""

import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.audit.services import audit_record

from .factories import account, api_key, log_in, machine_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/entries"


@pytest.fixture
def entries():
    for n in range(25):
        audit_record(actor=f"staff:10{n % 3}", action="registry.person.read", object_id=str(n))


def test_anonymous_is_401(client, entries):
    assert client.get(URL).status_code == 401


def test_citizen_is_403(client, entries):
    log_in(client, account(kind="citizen"), second_factor=False)

    response = client.get(URL)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_staff_without_the_permission_is_403(client, entries):
    log_in(client, account(kind="staff"))

    assert client.get(URL).status_code == 403


def test_staff_with_the_permission_but_no_second_factor_is_403(client, entries):
    log_in(
        client, account(kind="staff", permissions=("audit.view_auditentry",)), second_factor=False
    )

    assert client.get(URL).status_code == 403


def test_staff_with_the_permission_reads(client, entries):
    log_in(client, account(kind="staff", permissions=("audit.view_auditentry",)))

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == AuditEntry.objects.count()


def test_machine_without_audit_read_is_403_and_audited(client, entries):
    machine = machine_client(scopes=["registry:read"])
    key = api_key(machine)

    response = client.get(URL, HTTP_X_API_KEY=key)

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "scope_missing",
        "message": "客户端缺少授权范围：audit:read",
        "fields": {},
    }
    denial = AuditEntry.objects.get(action="api.scope.denied")
    assert denial.actor == f"machine:{machine.pk}"
    assert (denial.outcome, denial.object_id, denial.detail) == (
        "denied",
        URL,
        {"scope": "audit:read"},
    )


def test_machine_with_audit_read_gets_a_paginated_list(client, entries):
    key = api_key(machine_client(scopes=["audit:read"]))
    total = AuditEntry.objects.count()

    first = client.get(URL, {"limit": 10}, HTTP_X_API_KEY=key).json()
    second = client.get(URL, {"limit": 10, "offset": 10}, HTTP_X_API_KEY=key).json()

    assert first["count"] == second["count"] == total
    assert len(first["items"]) == len(second["items"]) == 10
    seqs = [e["seq"] for e in first["items"] + second["items"]]
    assert seqs == sorted(seqs, reverse=True)  # newest first, no overlap
    assert len(set(seqs)) == 20
    assert set(first["items"][0]) == {
        "seq",
        "occurred_at",
        "actor",
        "acting_for",
        "action",
        "object_type",
        "object_id",
        "source_address",
        "outcome",
        "entry_hash",
    }  # no detail: it may hold personal data


def test_default_page_size_and_filters(client, entries):
    key = api_key(machine_client(scopes=["audit:read"]))

    page = client.get(URL, HTTP_X_API_KEY=key).json()
    filtered = client.get(URL, {"actor": "staff:101"}, HTTP_X_API_KEY=key).json()

    assert len(page["items"]) == 20
    assert filtered["count"] == 8
    assert {e["actor"] for e in filtered["items"]} == {"staff:101"}


def test_query_count_does_not_grow_with_the_page(client, entries, django_assert_max_num_queries):
    key = api_key(machine_client(scopes=["audit:read"]))

    with django_assert_max_num_queries(4):  # key lookup, count, page (+ savepoint slack)
        response = client.get(URL, {"limit": 25}, HTTP_X_API_KEY=key)

    assert len(response.json()["items"]) == 25
