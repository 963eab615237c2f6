"""/api/v1/registries: every endpoint, every kind of caller.

Sessions go through the real path (Account.as_principal, with the staff TOTP step done);
machine clients through real API keys. Denied calls change nothing and are audited.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from digigov.data.registries.models import Entity, Person

from .factories import (
    ENTITY_COLUMNS,
    VALID_ID,
    api_key,
    audit_head,
    audit_since,
    csv_bytes,
    entity_rows,
    import_entities,
    import_people,
    people_rows,
)

pytestmark = pytest.mark.usefixtures("regions")
BASE = "/api/v1/registries"


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # {person} / {entity}: the record the call is about
    permission: str  # what staff need
    scope: str  # what machines need
    audit_action: str
    kind: str  # "person" or "entity"


ENDPOINTS = [
    Endpoint(
        "person-detail",
        "get",
        "/people/{person}",
        "view_person",
        "registry:read",
        "registry.person.read",
        "person",
    ),
    Endpoint(
        "person-list",
        "get",
        "/people?region=440000",
        "view_person",
        "registry:read",
        "registry.person.search",
        "person",
    ),
    Endpoint(
        "person-export",
        "get",
        "/people/export",
        "view_person",
        "registry:read",
        "registry.person.export",
        "person",
    ),
    Endpoint(
        "person-import",
        "post",
        "/people/import",
        "add_person",
        "registry:write",
        "registry.person.import",
        "person",
    ),
    Endpoint(
        "entity-detail",
        "get",
        "/entities/{entity}",
        "view_entity",
        "registry:read",
        "registry.entity.read",
        "entity",
    ),
    Endpoint(
        "entity-list",
        "get",
        "/entities?status=存续",
        "view_entity",
        "registry:read",
        "registry.entity.search",
        "entity",
    ),
    Endpoint(
        "entity-export",
        "get",
        "/entities/export",
        "view_entity",
        "registry:read",
        "registry.entity.export",
        "entity",
    ),
    Endpoint(
        "entity-import",
        "post",
        "/entities/import",
        "add_entity",
        "registry:write",
        "registry.entity.import",
        "entity",
    ),
]
CALLERS = [
    "anonymous",
    "bad-key",
    "citizen-other",
    "staff-without-permission",
    "staff-with-permission",
    "machine-without-scope",
    "machine-with-scope",
]
EXPECTED_STATUS = {
    "anonymous": 401,
    "bad-key": 401,
    "citizen-other": 403,
    "staff-without-permission": 403,
    "staff-with-permission": 200,
    "machine-without-scope": 403,
    "machine-with-scope": 200,
}


@pytest.fixture
def world():
    people = people_rows(8)
    entities = entity_rows(6)
    import_people(people[:4])
    import_entities(entities[:3])
    return {"people": people, "entities": entities}


def _account(username: str, kind: str, *, person: str | None = None, permissions=()):
    account = get_user_model().objects.create_user(
        username=username, password="Unused@2025", kind=kind, person_id=person
    )
    if permissions:
        group = Group.objects.create(name=f"组-{username}")
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="registries", codename__in=permissions
            )
        )
        account.groups.add(group)
    return account


def _session(account, *, otp: bool) -> Client:
    client = Client()
    client.force_login(account, backend="django.contrib.auth.backends.ModelBackend")
    if otp:
        device = TOTPDevice.objects.create(user=account, name="测试", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _caller(name: str, endpoint: Endpoint, world) -> tuple[Client, dict]:
    if name == "anonymous":
        return Client(), {}
    if name == "bad-key":
        return Client(), {"HTTP_X_API_KEY": "dg_00000000_not-a-real-key"}
    if name == "citizen-other":
        own = world["people"][1]["id_number"]
        return _session(_account("citizen", "citizen", person=own), otp=False), {}
    if name == "staff-without-permission":
        return _session(_account("staff0", "staff"), otp=True), {}
    if name == "staff-with-permission":
        account = _account("staff1", "staff", permissions=[endpoint.permission])
        return _session(account, otp=True), {}
    if name == "machine-without-scope":
        return Client(), {"HTTP_X_API_KEY": api_key("audit:read")}
    return Client(), {"HTTP_X_API_KEY": api_key(endpoint.scope)}


def _call(client: Client, endpoint: Endpoint, world, headers: dict):
    path = BASE + endpoint.path.format(
        person=world["people"][0]["id_number"], entity=world["entities"][0]["uscc"]
    )
    if endpoint.method == "get":
        return client.get(path, **headers)
    if endpoint.kind == "person":
        upload = csv_bytes(world["people"][4:])
    else:
        upload = csv_bytes(world["entities"][3:], ENTITY_COLUMNS)
    file = io.BytesIO(upload)
    file.name = "upload.csv"
    return client.post(path, {"file": file, "all_or_nothing": "false"}, **headers)


def _state() -> tuple:
    return (
        sorted(Person.objects.values_list("id_number", "updated_at")),
        sorted(Entity.objects.values_list("uscc", "updated_at")),
    )


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_authorization(endpoint: Endpoint, caller: str, world):
    client, headers = _caller(caller, endpoint, world)
    before_state, before_audit = _state(), audit_head()
    response = _call(client, endpoint, world, headers)
    assert response.status_code == EXPECTED_STATUS[caller], response.content
    entries = audit_since(before_audit)
    if response.status_code != 200:
        assert _state() == before_state
        body = response.json()["error"]
        assert body["code"] and body["message"]
    if caller == "anonymous":
        assert entries == []
    elif caller == "bad-key":
        assert [e[:2] for e in entries] == [("api.auth.fail", "denied")]
    elif caller == "machine-without-scope":
        assert [e[:2] for e in entries] == [("api.scope.denied", "denied")]
    elif caller in ("citizen-other", "staff-without-permission"):
        assert [e[:2] for e in entries] == [(endpoint.audit_action, "denied")]
    else:
        assert [e[:2] for e in entries] == [(endpoint.audit_action, "success")]


def test_citizen_reads_own_record_in_full(world):
    own = world["people"][1]
    client = _session(_account("citizen", "citizen", person=own["id_number"]), otp=False)
    before = audit_head()
    body = client.get(f"{BASE}/people/{own['id_number']}").json()
    assert body["is_masked"] is False
    assert (body["id_number"], body["phone"]) == (own["id_number"], own["phone"])
    assert audit_since(before) == [("registry.person.read", "success", own["id_number"])]


def test_staff_without_otp_step_has_no_permissions(world):
    account = _account("staff2", "staff", permissions=["view_person"])
    response = _session(account, otp=False).get(f"{BASE}/people/{world['people'][0]['id_number']}")
    assert response.status_code == 403


def test_machine_detail_is_masked_without_pii_scope_and_full_with_it(world):
    record = world["people"][0]
    masked = (
        Client()
        .get(
            f"{BASE}/people/{record['id_number']}",
            HTTP_X_API_KEY=api_key("registry:read", name="a"),
        )
        .json()
    )
    full = (
        Client()
        .get(
            f"{BASE}/people/{record['id_number']}",
            HTTP_X_API_KEY=api_key("registry:read", "registry:pii", name="b"),
        )
        .json()
    )
    assert (
        masked["is_masked"]
        and masked["phone"] == record["phone"][:3] + "****" + record["phone"][-4:]
    )
    assert masked["residence_address"].endswith("****") and masked["birth_date"] is None
    assert not full["is_masked"] and full["residence_address"] == record["residence_address"]


def test_list_stays_masked_even_with_pii_scope(world):
    key = api_key("registry:read", "registry:pii")
    body = Client().get(f"{BASE}/people?page_size=2", HTTP_X_API_KEY=key).json()
    assert body["has_next"] is True and len(body["items"]) == 2
    assert all(item["is_masked"] for item in body["items"])


def test_export_is_csv_and_masked_without_pii(world):
    response = Client().get(f"{BASE}/people/export", HTTP_X_API_KEY=api_key("registry:read"))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert len(records) == 4 and all("*" in r["id_number"] for r in records)


def test_import_returns_the_rejection_report_with_masked_keys(world):
    records = [dict(r) for r in world["people"][4:]]
    records[1]["phone"] = "12"
    file = io.BytesIO(csv_bytes(records))
    file.name = "people.csv"
    response = Client().post(
        f"{BASE}/people/import", {"file": file}, HTTP_X_API_KEY=api_key("registry:write")
    )
    body = response.json()
    assert (body["total"], body["imported"], body["rejected"], body["written"]) == (4, 3, 1, True)
    [rejection] = body["rejections"]
    assert rejection["line"] == 3 and "*" in rejection["key"]
    assert rejection["reasons"] == ["联系电话格式无效：应为 11 位手机号码或带区号的固定电话"]


def test_import_all_or_nothing_through_the_api(world):
    records = [dict(r) for r in world["people"][4:]]
    records[0]["id_number"] = world["people"][0]["id_number"]  # already in the registry
    records[0].update(
        gender=world["people"][0]["gender"], birth_date=world["people"][0]["birth_date"]
    )
    file = io.BytesIO(csv_bytes(records))
    file.name = "people.csv"
    before = Person.objects.count()
    body = (
        Client()
        .post(
            f"{BASE}/people/import",
            {"file": file, "all_or_nothing": "true"},
            HTTP_X_API_KEY=api_key("registry:write"),
        )
        .json()
    )
    assert body["written"] is False and body["imported"] == 0
    assert Person.objects.count() == before


def test_malformed_upload_is_a_422_and_nothing_is_written(world):
    file = io.BytesIO(b"id_number,name\n1,2\n")
    file.name = "bad.csv"
    response = Client().post(
        f"{BASE}/people/import", {"file": file}, HTTP_X_API_KEY=api_key("registry:write")
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "csv_malformed"
    assert Person.objects.count() == 4


def test_unknown_record_is_404_and_invalid_number_422(world):
    key = api_key("registry:read")
    assert Client().get(f"{BASE}/people/11010519491231002X", HTTP_X_API_KEY=key).status_code == 404
    invalid = Client().get(f"{BASE}/people/{VALID_ID[:17]}1", HTTP_X_API_KEY=key)
    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "id_checksum"


def test_no_data_leaves_when_the_audit_entry_cannot_be_written(world, monkeypatch):
    from digigov.data.registries import selectors

    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    key = api_key("registry:read", "registry:pii")
    monkeypatch.setattr(selectors, "audit_record", broken)
    record = world["people"][0]
    response = Client(raise_request_exception=False).get(
        f"{BASE}/people/{record['id_number']}", HTTP_X_API_KEY=key
    )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert record["phone"] not in response.content.decode()
