"""GET /api/v1/services/applications/{number}/decision and .../decision/replay: who may
read what (anonymous, applicant, another citizen, staff without and with the right)."""

# ruff: noqa: F811 (pytest fixtures imported from test_instant_support)

from __future__ import annotations

import pytest
from django.db import connection

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.events.models import Event

from ..models import Application, CaseEvent, InstantDecision
from .test_instant_support import (  # noqa: F401 (fixtures)
    AGE_RULE,
    ONCE_RULE,
    REGION_RULE,
    case_make,
    citizen,
    instant_item_make,
    login,
    other_citizen,
    people,
    staff_make,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/services/applications"


@pytest.fixture
def decided(citizen):
    from ..services.instant import instant_decide

    item = instant_item_make(rules=[AGE_RULE, REGION_RULE])
    principal = citizen.as_principal()
    application = case_make(
        item=item, principal=principal, applicant_id_number=citizen.id_number, account=citizen
    )
    instant_decide(application=application, principal=principal)
    return application


def _as(who, client, request):
    if who == "anonymous":
        return client
    if who == "applicant":
        return login(client, request.getfixturevalue("citizen"))
    if who == "other_citizen":
        return login(client, request.getfixturevalue("other_citizen"))
    if who == "staff_other_org":
        return login(
            client, staff_make("s_other", organization_code="440300-scjg", roles=("审批人员",))
        )
    if who == "staff_no_perm":
        return login(
            client, staff_make("s_noperm", organization_code="440100-scjg", roles=("事项管理人员",))
        )
    if who == "handler_no_otp":
        account = staff_make("s_nootp", organization_code="440100-scjg", roles=("审批人员",))
        return login(client, account, verified=False)
    if who == "handler":
        return login(
            client, staff_make("s_handler", organization_code="440100-scjg", roles=("审批人员",))
        )
    raise AssertionError(who)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("other_citizen", 403),
        ("staff_other_org", 403),
        ("staff_no_perm", 403),
        ("handler_no_otp", 403),
        ("applicant", 200),
        ("handler", 200),
    ],
)
def test_decision_endpoint_authorization(client, request, decided, who, status):
    response = _as(who, client, request).get(f"{BASE}/{decided.number}/decision")
    assert response.status_code == status, response.content
    if status == 200:
        body = response.json()
        assert body["is_approved"] is True and body["rule_set_number"] == 1
        assert [r["label"] for r in body["rules"]] == ["申请人年满18周岁", "户籍在广东省"]
        assert body["is_masked"] is (who != "applicant")
    elif status == 403:
        assert response.json()["error"]["code"] == "services/not_your_case"
        assert AuditEntry.objects.filter(
            action="services.application.access", outcome="denied", object_id=decided.number
        ).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("applicant", 403),
        ("other_citizen", 403),
        ("staff_other_org", 403),
        ("staff_no_perm", 403),
        ("handler", 200),
    ],
)
def test_replay_endpoint_authorization(client, request, decided, who, status):
    before = AuditEntry.objects.filter(action="services.instant.replay").count()
    response = _as(who, client, request).get(f"{BASE}/{decided.number}/decision/replay")
    assert response.status_code == status, response.content
    after = AuditEntry.objects.filter(action="services.instant.replay").count()
    if status == 200:
        body = response.json()
        assert body["is_reproduced"] is True and body["current_is_approved"] is True
        assert after == before + 1
    else:
        assert after == before


def test_unknown_case_is_404(client, citizen):
    response = login(client, citizen).get(f"{BASE}/440100-20250101-999999/decision")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "services/application_not_found"


def test_replay_of_a_case_without_instant_decision_is_404(client, request, decided):
    InstantDecision.objects.all().delete()
    response = _as("handler", client, request).get(f"{BASE}/{decided.number}/decision/replay")
    assert response.status_code == 404


def test_decision_endpoint_query_count(client, citizen, decided, django_assert_max_num_queries):
    client = login(client, citizen)
    with django_assert_max_num_queries(12):
        response = client.get(f"{BASE}/{decided.number}/decision")
    assert response.status_code == 200


def test_instant_submission_is_decided_within_a_bounded_number_of_queries(
    client, citizen, django_assert_max_num_queries
):
    """The whole 秒批 path (session, prefill, rules, case, decision, timeline, audit chain,
    events) in a bounded number of round trips: each registry record and region is read
    once, and an approval with no license to issue needs no delivery transaction."""
    item = instant_item_make(code="TEST-INSTANT-Q", rules=[AGE_RULE, REGION_RULE])
    client = login(client, citizen)
    body = {"item_code": item.code, "form_data": {"phone": "13800138000"}, "idempotency_key": "q-1"}
    # PostgreSQL joins the deferred inserts into one statement and links the audit chain in
    # the audit INSERT; SQLite has one statement per table and reads the chain head first
    budget = 13 if connection.vendor == "postgresql" else 17
    with django_assert_max_num_queries(budget) as queries:
        response = client.post(BASE, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "approved"
    sqls = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "registries_person"' in sql for sql in sqls) == 1
    assert not any("events_delivery" in sql for sql in sqls)
    # the filing's timeline entries (submitted, approved) and events go in one INSERT each
    assert sum("INSERT INTO services_caseevent" in sql for sql in sqls) == 1
    assert sum("INSERT INTO events_event" in sql for sql in sqls) == 1
    if connection.vendor == "postgresql":  # ... and with the decision and key, together
        (joined,) = [sql for sql in sqls if "INSERT INTO events_event" in sql]
        for table in ("services_caseevent", "services_instantdecision", "services_idempotencykey"):
            assert f"INSERT INTO {table}" in joined
    assert not any(sql.startswith('UPDATE "django_session"') for sql in sqls)
    # decided before its insert: the case row is written once, already decided
    assert not any(sql.startswith('UPDATE "services_application"') for sql in sqls)
    # the answer's timeline and materials are the rows just written, not read back ...
    assert not any(
        sql.startswith("SELECT") and ('"services_caseevent"' in sql or "applicationmaterial" in sql)
        for sql in sqls
    )
    # ... and the same as a later read shows
    detail = client.get(f"{BASE}/{response.json()['number']}").json()
    assert detail["timeline"] == response.json()["timeline"]
    assert [e["kind"] for e in detail["timeline"]][-1] == "approved"
    assert detail["materials"] == response.json()["materials"]
    if connection.vendor == "postgresql":
        audit = [sql for sql in sqls if "audit_auditentry" in sql]
        assert len(audit) == 1 and "audit_chain_link" in audit[0]


def test_a_filing_decided_at_once_still_records_submitted_then_decided(client, citizen):
    """The case is inserted already decided, but its timeline, audit trail and events
    are those of a submission followed by a decision; the duplicate rule counts the
    applicant's earlier approved case and not the one being filed."""
    item = instant_item_make(code="TEST-INSTANT-SEQ", rules=[AGE_RULE, REGION_RULE, ONCE_RULE])
    client = login(client, citizen)
    numbers = []
    for key in ("seq-1", "seq-2"):
        body = {"item_code": item.code, "form_data": {"phone": "13800138000"}}
        response = client.post(
            BASE, body, content_type="application/json", headers={"Idempotency-Key": key}
        )
        assert response.status_code == 201, response.content
        numbers.append(response.json()["number"])
    first, second = (Application.objects.get(number=n) for n in numbers)
    assert (first.status, second.status) == ("approved", "rejected")
    assert second.decision_note == ONCE_RULE["message"]
    assert first.closed_at is not None and first.submitted_at <= first.closed_at
    for application, decided_as in ((first, "approved"), (second, "rejected")):
        timeline = list(
            CaseEvent.objects.filter(application=application)
            .order_by("pk")
            .values_list("kind", "actor_label")
        )
        kinds = [kind for kind, _ in timeline if kind != "cross_region"]
        assert kinds == ["submitted", decided_as]
        assert timeline[-1] == (decided_as, "秒批（系统自动审批）")
        events = Event.objects.filter(payload__number=application.number).order_by("pk")
        assert [(e.topic, e.payload["status"]) for e in events] == [
            ("services.application.submitted", "submitted"),
            (f"services.application.{decided_as}", decided_as),
        ]
        actions = AuditEntry.objects.filter(
            object_id=application.number, action__startswith="services.application."
        ).order_by("pk")
        assert [a.action for a in actions] == [
            "services.application.submitted",
            f"services.application.{decided_as}",
        ]
    decision = InstantDecision.objects.get(application=second)
    assert decision.facts["history.approved_same_item_count"] == 1
    assert decision.outcomes[-1]["passed"] is False
