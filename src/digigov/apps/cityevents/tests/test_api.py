"""The 12345 interface (scope, idempotency on the ticket number, status polling) and the
staff JSON API (authorization matrix, stage actions, query counts)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digigov.apps.cityevents.models import CityEvent
from digigov.apps.cityevents.services import city_event_report
from digigov.apps.cityevents.testing import photo
from digigov.kernel.api.tests.factories import api_key, machine_client
from digigov.support.identity.testing import citizen_make, login, staff_make

pytestmark = pytest.mark.django_db
BASE = "/api/v1/city-events"


def _ticket(world, number="12345-0001", **extra):
    return {
        "ticket_number": number,
        "event_type_code": "roads.pothole",
        "lng": world.grid_point[0],
        "lat": world.grid_point[1],
        "title": "路面坑洼",
        "description": "市民来电反映",
        **extra,
    }


@pytest.fixture
def hotline_key(world):
    return api_key(machine_client(scopes=["cityevents:report"], name="12345热线"))


def test_ticket_is_idempotent_and_pollable(client, world, hotline_key):
    headers = {"X-API-Key": hotline_key}
    first = client.post(
        f"{BASE}/tickets", _ticket(world), content_type="application/json", headers=headers
    )
    assert first.status_code == 201, first.content
    again = client.post(
        f"{BASE}/tickets", _ticket(world), content_type="application/json", headers=headers
    )
    assert again.status_code == 200
    assert first.json()["number"] == again.json()["number"]
    assert CityEvent.objects.count() == 1
    status = client.get(f"{BASE}/tickets/12345-0001", headers=headers)
    assert status.status_code == 200
    body = status.json()
    assert body["stage"] == "reported" and body["stage_label"] == "上报"
    assert body["steps"][0]["label"] == "上报"
    assert client.get(f"{BASE}/tickets/nope", headers=headers).status_code == 404


def test_ticket_outside_guangdong_is_refused(client, world, hotline_key):
    response = client.post(
        f"{BASE}/tickets",
        _ticket(world, lng=116.4, lat=39.9),
        content_type="application/json",
        headers={"X-API-Key": hotline_key},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "cityevents/outside_guangdong"
    assert not CityEvent.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "no_scope", "citizen", "staff"])
def test_ticket_needs_a_machine_with_the_scope(client, world, who):
    headers = {}
    if who == "no_scope":
        headers = {"X-API-Key": api_key(machine_client(scopes=["catalog:read"]))}
    elif who == "citizen":
        login(client, citizen_make("ce_api_citizen"))
    elif who == "staff":
        login(
            client,
            staff_make(
                "ce_api_staff", organization_code="440106-zsj", roles=["城市事件指挥调度人员"]
            ),
        )
    response = client.post(
        f"{BASE}/tickets", _ticket(world), content_type="application/json", headers=headers
    )
    assert response.status_code in (401, 403)
    assert not CityEvent.objects.exists()


def _event(world):
    return city_event_report(
        source="sensor",
        event_type_code="env.noise",
        lng=world.grid_point[0],
        lat=world.grid_point[1],
        title="噪声",
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("citizen", 403), ("no_perm", 403), ("dispatcher", 200)],
)
def test_staff_action_matrix(client, world, who, expected):
    ref = _event(world)
    if who == "citizen":
        login(client, citizen_make("ce_m_citizen"))
    elif who == "no_perm":
        login(client, staff_make("ce_m_clerk", organization_code="440106-zsj", roles=["审批人员"]))
    elif who == "dispatcher":
        login(
            client,
            staff_make("ce_m_disp", organization_code="440106-zsj", roles=["城市事件指挥调度人员"]),
        )
    response = client.post(f"{BASE}/events/{ref.number}/actions", {"action": "register"})
    assert response.status_code == expected, response.content
    stage = CityEvent.objects.get(pk=ref.id).stage
    assert stage == ("registered" if expected == 200 else "reported")


def test_handling_with_photo_over_the_api(client, world):
    ref = _event(world)
    dispatcher = staff_make("ce_d", organization_code="440106-zsj", roles=["城市事件指挥调度人员"])
    handler = staff_make("ce_h", organization_code="440100-stt", roles=["城市事件处置人员"])
    login(client, dispatcher)
    for action in ("register", "dispatch"):
        assert (
            client.post(f"{BASE}/events/{ref.number}/actions", {"action": action}).status_code
            == 200
        )
    client.logout()
    login(client, handler)
    missing = client.post(f"{BASE}/events/{ref.number}/actions", {"action": "handle"})
    assert missing.json()["error"]["code"] == "cityevents/photo_required"
    from django.core.files.uploadedfile import SimpleUploadedFile

    name, data = photo(2)
    done = client.post(
        f"{BASE}/events/{ref.number}/actions",
        {"action": "handle", "photos": [SimpleUploadedFile(name, data, "image/png")]},
    )
    assert done.status_code == 200, done.content
    assert done.json()["stage"] == "handled"


def test_event_list_query_count_does_not_grow(client, world):
    staff = staff_make("ce_list", organization_code="440106-zsj", roles=["城市事件指挥调度人员"])
    login(client, staff)
    for _ in range(3):
        _event(world)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{BASE}/events").json()["total"] == 3
    for _ in range(6):
        _event(world)
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"{BASE}/events?q=噪声").json()
    assert body["total"] == 9
    assert len(many) == len(few)


def test_event_list_denied_to_citizens(client, world):
    _event(world)
    login(client, citizen_make("ce_list_c"))
    assert client.get(f"{BASE}/events").status_code == 403


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("citizen", 403), ("no_perm", 403), ("dispatcher", 200)],
)
def test_event_list_and_detail_matrix(client, world, who, expected):
    ref = _event(world)
    if who == "citizen":
        login(client, citizen_make("ce_l_citizen"))
    elif who == "no_perm":
        login(client, staff_make("ce_l_clerk", organization_code="440106-zsj", roles=["审批人员"]))
    elif who == "dispatcher":
        login(
            client,
            staff_make("ce_l_disp", organization_code="440106-zsj", roles=["城市事件指挥调度人员"]),
        )
    assert client.get(f"{BASE}/events").status_code == expected
    detail = client.get(f"{BASE}/events/{ref.number}")
    assert detail.status_code == expected
    if expected == 200:
        body = detail.json()
        assert body["event"]["number"] == ref.number
        assert [a["action"] for a in body["actions"]] == ["register", "reject"]


def test_staff_outside_the_region_does_not_see_the_event(client, world):
    ref = _event(world)
    login(
        client,
        staff_make("ce_sz_disp", organization_code="440300-zsj", roles=["城市事件指挥调度人员"]),
    )
    assert client.get(f"{BASE}/events").json()["total"] == 0
    assert client.get(f"{BASE}/events/{ref.number}").status_code == 404
