"""/api/v1/exchange: by key, filtered pages and export through a grant, masked; refusals
with stable codes, logged and audited, leaking nothing; verify-only checks; rate limits."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import override_settings

from digigov.data.registries.selectors import person_brief
from digigov.kernel.api.models import ApiKey, MachineClient
from digigov.kernel.ids import mask_id_number, mask_name

from ..digests import subject_digest
from ..models import ExchangeLogEntry, ExchangeSubject, Grant
from ..services.requests import grant_revoke, sharing_request_decide, sharing_request_submit
from .factories import approver, audit_head, audit_since, client_make, log_count, period, requester

BASE = "/api/v1/exchange"


def _grant(world, resource, fields, *, approve=None, unmasked=(), may_export=False):
    request = sharing_request_submit(
        principal=requester(world), resource_code=resource.code, fields=fields,
        purpose="核对", legal_basis="条例", scope="本单位", period_end=period(),
    )  # fmt: skip
    if request.state == "pending":
        sharing_request_decide(
            principal=approver(resource.organization),
            request_id=request.pk,
            approved_fields=list(approve or fields),
            unmasked_fields=list(unmasked),
            may_export=may_export,
            refusal_reason="不需要" if approve is not None and len(approve) < len(fields) else "",
        )
    return Grant.objects.get(request=request)


@pytest.fixture
def key(world):
    return client_make(world.mzt)[1]


def _get(client, key, path, **params):
    return client.get(f"{BASE}{path}", params, HTTP_X_API_KEY=key)


def _last() -> ExchangeLogEntry:
    return ExchangeLogEntry.objects.order_by("-seq").first()


def test_record_by_key_returns_granted_fields_masked_and_logs_the_subject(client, world, key):
    _grant(world, world.person, ["id_number", "name", "phone"], approve=["id_number", "name"])
    target = world.people[0]
    response = _get(client, key, f"/{world.person.code}/records/{target}", purpose="补贴核对")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["fields"] == ["id_number", "name"]
    name = person_brief(id_number=target).name
    assert body["record"] == {"id_number": mask_id_number(target), "name": mask_name(name)}
    entry = _last()
    assert (entry.outcome, entry.operation, entry.row_count) == ("answered", "record", 1)
    assert entry.fields == ["id_number", "name"] and entry.purpose == "补贴核对"
    assert entry.organization_id == world.mzt.pk and entry.resource_id == world.person.pk
    assert list(ExchangeSubject.objects.filter(entry=entry).values_list("digest", flat=True)) == [
        subject_digest(target)
    ]


def test_unmasked_fields_of_the_grant_come_back_in_full(client, world, key):
    _grant(world, world.person, ["id_number", "name"], unmasked=["name"])
    target = world.people[1]
    body = _get(client, key, f"/{world.person.code}/records/{target}", purpose="p").json()
    assert body["record"]["name"] == person_brief(id_number=target).name
    assert body["record"]["id_number"] == mask_id_number(target)


def test_missing_record_is_404_and_still_logged(client, world, key):
    _grant(world, world.person, ["name"])
    before = log_count()
    response = _get(client, key, f"/{world.person.code}/records/440101199001011234", purpose="p")
    assert response.status_code == 404 and response.json()["error"]["code"] == "record_not_found"
    assert log_count() == before + 1 and _last().row_count == 0


def test_query_filters_on_granted_fields_and_pages(client, world, key):
    _grant(world, world.dataset, ["org_name", "manager_id", "beds"])
    response = _get(
        client, key, f"/{world.dataset.code}/records", purpose="p", manager_id=world.people[0],
        page_size=1,
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 2 and len(body["rows"]) == 1
    assert body["rows"][0]["manager_id"] == mask_id_number(world.people[0])
    entry = _last()
    assert entry.operation == "query" and entry.row_count == 1
    assert ExchangeSubject.objects.filter(
        entry=entry, digest=subject_digest(world.people[0])
    ).exists()


def test_export_needs_a_grant_that_allows_it(client, world, key):
    grant = _grant(world, world.dataset, ["org_name", "manager_id"])
    response = _get(client, key, f"/{world.dataset.code}/export", purpose="p")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "export_not_granted"
    Grant.objects.filter(pk=grant.pk).update(may_export=True)
    response = _get(client, key, f"/{world.dataset.code}/export", purpose="年度统计")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["org_name", "manager_id"] and len(rows) == 4
    assert rows[1] == ["甲养老院", mask_id_number(world.people[0])]
    entry = _last()
    assert (entry.operation, entry.row_count, entry.outcome) == ("export", 3, "answered")
    assert set(ExchangeSubject.objects.filter(entry=entry).values_list("digest", flat=True)) == {
        subject_digest(world.people[0]),
        subject_digest(world.people[1]),
    }


def _refused(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"]["code"] == code
    return body


@pytest.mark.parametrize("case", ["unknown", "not_granted", "not_shareable"])
def test_resources_without_a_grant_answer_alike(client, world, key, case):
    code = {
        "unknown": "NO-SUCH",
        "not_granted": world.person.code,
        "not_shareable": world.secret.code,
    }[case]
    head = audit_head()
    response = _get(client, key, f"/{code}/records/{world.people[0]}", purpose="p")
    body = _refused(response, 403, "grant_missing")
    assert body["error"]["message"] == "本单位没有该数据资源的有效共享授权"
    entry = _last()
    assert entry.outcome == "refused" and entry.error_code == "grant_missing"
    assert not ExchangeSubject.objects.filter(entry=entry).exists()
    assert ("sharing.exchange.record", "denied") in audit_since(head)


def test_field_and_filter_not_granted_are_refused(client, world, key):
    _grant(world, world.person, ["id_number", "name"])
    path = f"/{world.person.code}/records"
    _refused(
        _get(client, key, f"{path}/{world.people[0]}", purpose="p", fields="name,phone"),
        403,
        "field_not_granted",
    )
    _refused(_get(client, key, path, purpose="p", phone="13800138000"), 403, "filter_not_granted")
    assert list(ExchangeLogEntry.objects.values_list("error_code", flat=True).order_by("seq")) == [
        "field_not_granted",
        "filter_not_granted",
    ]
    assert not ExchangeSubject.objects.exists()


def test_sealed_field_filter_and_bad_page_are_refused(client, world, key):
    _grant(world, world.person, ["name", "residence_address"], unmasked=[])
    path = f"/{world.person.code}/records"
    _refused(_get(client, key, path, purpose="p", residence_address="x"), 422, "filter_invalid")
    _refused(_get(client, key, path, purpose="p", page_size=101), 422, "page_invalid")
    assert set(ExchangeLogEntry.objects.values_list("outcome", flat=True)) == {"refused"}


def test_purpose_is_required(client, world, key):
    _grant(world, world.person, ["name"])
    _refused(
        _get(client, key, f"/{world.person.code}/records/{world.people[0]}"),
        422,
        "purpose_required",
    )
    assert _last().error_code == "purpose_required"


def test_expired_and_revoked_grants_never_answer(client, world, key):
    import datetime as dt

    from django.utils import timezone

    grant = _grant(world, world.person, ["name"])
    path = f"/{world.person.code}/records/{world.people[0]}"
    assert _get(client, key, path, purpose="p").status_code == 200
    Grant.objects.filter(pk=grant.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    _refused(_get(client, key, path, purpose="p"), 403, "grant_expired")  # before the command
    Grant.objects.filter(pk=grant.pk).update(valid_until=period())
    grant_revoke(principal=approver(world.gat), grant_id=grant.pk, reason="停止合作")
    _refused(_get(client, key, path, purpose="p"), 403, "grant_revoked")


def test_unknown_and_revoked_clients_are_401_and_audited(client, world, key):
    _grant(world, world.person, ["name"])
    path = f"/{world.person.code}/records/{world.people[0]}"
    head = audit_head()
    assert _get(client, "dg_nope_nope", path, purpose="p").status_code == 401
    ApiKey.objects.update(revoked_at="2020-01-01T00:00:00Z")
    assert _get(client, key, path, purpose="p").status_code == 401
    ApiKey.objects.update(revoked_at=None)
    MachineClient.objects.update(is_active=False)
    assert _get(client, key, path, purpose="p").status_code == 401
    assert audit_since(head) == [("api.auth.fail", "denied")] * 3
    assert not ExchangeLogEntry.objects.filter(outcome="answered").exists()


def test_people_and_clients_without_scope_or_department_are_refused(
    client, world, django_user_model
):
    _grant(world, world.person, ["name"])
    path = f"/{world.person.code}/records/{world.people[0]}"
    _, no_scope = client_make(world.mzt, "registry:read", name="无范围")
    _refused(_get(client, no_scope, path, purpose="p"), 403, "scope_missing")
    _, no_org = client_make(None, "exchange:read", name="无单位")
    _refused(_get(client, no_org, path, purpose="p"), 403, "client_no_organization")
    # another department's client does not ride on 440100-mzt's grant
    _, other = client_make(world.scjg, name="市场监管系统")
    _refused(_get(client, other, path, purpose="p"), 403, "grant_missing")
    # a signed-in person is not a machine client: the router does not take sessions
    user = django_user_model.objects.create_user(username="someone", password="x")
    client.force_login(user)
    assert client.get(f"{BASE}{path}", {"purpose": "p"}).status_code == 401
    assert not ExchangeLogEntry.objects.filter(outcome="answered").exists()


def test_verify_person_answers_yes_or_no_only(client, world, key):
    target = world.people[2]
    name = person_brief(id_number=target).name
    url = f"{BASE}/verify/person"
    good = client.post(
        url,
        {"id_number": target, "name": name},
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    assert good.status_code == 200 and good.json() == {"match": True}
    bad = client.post(
        url,
        {"id_number": target, "name": name + "某"},
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    assert bad.json() == {"match": False}
    invalid = client.post(
        url,
        {"id_number": "440101199001011235", "name": "张三"},
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    assert invalid.status_code == 422
    entries = list(ExchangeLogEntry.objects.order_by("seq"))
    assert [e.outcome for e in entries] == ["answered", "answered", "refused"]
    assert ExchangeSubject.objects.filter(digest=subject_digest(target)).count() == 2


def test_verify_entity_answers_active_or_not(client, world, key):
    from digigov.data.registries.models import Entity

    uscc = world.usccs[0]
    url = f"{BASE}/verify/entity"
    Entity.objects.filter(uscc=uscc).update(status="在业")
    response = client.post(url, {"uscc": uscc}, content_type="application/json", HTTP_X_API_KEY=key)
    assert response.json() == {"active": True}
    Entity.objects.filter(uscc=uscc).update(status="注销")
    response = client.post(url, {"uscc": uscc}, content_type="application/json", HTTP_X_API_KEY=key)
    assert response.json() == {"active": False}


def test_verify_needs_its_own_scope(client, world):
    _, read_only = client_make(world.mzt, "exchange:read", name="只读")
    response = client.post(
        f"{BASE}/verify/person", {"id_number": world.people[0], "name": "x"},
        content_type="application/json", HTTP_X_API_KEY=read_only,
    )  # fmt: skip
    _refused(response, 403, "scope_missing")


@override_settings(DIGIGOV_EXCHANGE_RATE_PER_MINUTE=2)
def test_rate_limit_per_client_is_429_and_logged_once(client, world, key):
    _grant(world, world.person, ["name"])
    path = f"/{world.person.code}/records/{world.people[0]}"
    assert [_get(client, key, path, purpose="p").status_code for _ in range(2)] == [200, 200]
    for _ in range(2):
        _refused(_get(client, key, path, purpose="p"), 429, "exchange_throttled")
    assert ExchangeLogEntry.objects.filter(error_code="exchange_throttled").count() == 1
    _, other = client_make(world.mzt, name="另一系统")
    assert _get(client, other, path, purpose="p").status_code == 200


def test_no_log_no_answer(client, world, key, monkeypatch):
    """If the log entry cannot be written, the caller gets no data."""
    from ..services import exchange

    _grant(world, world.person, ["name"])

    def broken(**_kwargs):
        raise RuntimeError("log store unavailable")

    monkeypatch.setattr(exchange, "exchange_log_append", broken)
    client.raise_request_exception = False
    response = _get(client, key, f"/{world.person.code}/records/{world.people[0]}", purpose="p")
    assert response.status_code == 500
    assert person_brief(id_number=world.people[0]).name not in response.content.decode()
    assert response.json()["error"]["code"] == "internal_error"
