"""粤政易 · 城市事件 pages and 粤省事 · 随手拍: who may see and act (anonymous, citizen, staff
without the permission, staff with it; denied cases change nothing), the closed loop through
the forms with photos, merge, types admin, grids, and query counts on the list."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digigov.apps.cityevents.models import CityEvent, EventType
from digigov.apps.cityevents.services import city_event_report
from digigov.apps.cityevents.testing import photo, world_make
from digigov.data.registries.services import demo_person_id_numbers, registry_demo_generate
from digigov.support.identity.testing import citizen_make, login, staff_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.DIGIGOV_UPLOAD_ROOT = tmp_path / "uploads"


@pytest.fixture
def world(db):
    return world_make()


def _upload(seed=1):
    name, data = photo(seed)
    return SimpleUploadedFile(name, data, content_type="image/png")


def _event(world, ref=""):
    return city_event_report(
        source="sensor",
        event_type_code="env.noise",
        lng=world.grid_point[0],
        lat=world.grid_point[1],
        title="夜间施工噪声",
        external_ref=ref,
    )


def _as(client, who):
    if who == "citizen":
        login(client, citizen_make("pg_citizen"))
    elif who == "no_perm":
        login(client, staff_make("pg_clerk", organization_code="440106-zsj", roles=["审批人员"]))
    elif who == "dispatcher":
        login(
            client,
            staff_make("pg_disp", organization_code="440106-zsj", roles=["城市事件指挥调度人员"]),
        )
    return client


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("citizen", 302), ("no_perm", 403), ("dispatcher", 200)]
)
def test_event_list_and_detail_matrix(client, world, who, status):
    ref = _event(world)
    _as(client, who)
    assert client.get("/staff/events/").status_code in ((status,) if status != 302 else (302, 403))
    detail = client.get(f"/staff/events/{ref.number}/")
    assert detail.status_code in ((status,) if status != 302 else (302, 403))
    if status == 200:
        assert "夜间施工噪声" in detail.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "citizen", "no_perm"])
def test_denied_actions_change_nothing(client, world, who):
    ref = _event(world)
    _as(client, who)
    response = client.post(f"/staff/events/{ref.number}/act/", {"action": "register"})
    assert response.status_code in (302, 403)
    assert CityEvent.objects.get(pk=ref.id).stage == "reported"
    assert CityEvent.objects.get(pk=ref.id).timeline.count() == 1


def test_closed_loop_through_the_pages(client, world):
    registry_demo_generate(people=2, entities=1)
    citizen = citizen_make("pg_reporter", demo_person_id_numbers(count=1)[0])
    login(client, citizen)
    lng, lat = world.grid_point
    posted = client.post(
        "/citizen/events/",
        {
            "type": "env.noise",
            "title": "工地夜间施工",
            "description": "每晚十一点后仍在施工",
            "lng": str(lng),
            "lat": str(lat),
            "photos": [_upload(1)],
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:500]
    event = CityEvent.objects.get()
    assert event.source == "citizen" and event.grid_id == world.grid.pk
    dispatcher = staff_make("pg_d", organization_code="440106-zsj", roles=["城市事件指挥调度人员"])
    handler = staff_make("pg_h", organization_code="440100-stt", roles=["城市事件处置人员"])
    steps = [
        (dispatcher, "register", False),
        (dispatcher, "dispatch", False),
        (handler, "handle", True),
        (world.worker, "verify", True),
        (dispatcher, "close", False),
    ]
    for account, action, needs_photo in steps:
        client.logout()
        login(client, account if hasattr(account, "device") else _with_device(account))
        page = client.get(f"/staff/events/{event.number}/").content.decode()
        assert f'data-action="{action}"' in page, action
        data = {"action": action, "note": "已办理"}
        if needs_photo:
            data["photos"] = [_upload(len(action))]
        client.post(f"/staff/events/{event.number}/act/", data)
    event.refresh_from_db()
    assert event.stage == "closed"
    client.logout()
    login(client, citizen)
    mine = client.get("/citizen/events/").content.decode()
    assert event.number in mine and "结案" in mine
    photo_id = event.photos.first().pk
    assert client.get(f"/citizen/events/photos/{photo_id}/").status_code == 200
    client.logout()
    login(client, citizen_make("pg_stranger"))
    assert client.get(f"/citizen/events/photos/{photo_id}/").status_code == 403
    assert client.get(f"/citizen/events/{event.number}/").status_code == 302


def _with_device(account):
    from digigov.support.identity import services as identity

    account.device = identity.totp_device_create(account_id=account.pk)
    return account


def test_citizen_report_outside_guangdong_is_refused(client, world):
    login(client, citizen_make("pg_far"))
    response = client.post(
        "/citizen/events/",
        {
            "type": "env.noise",
            "title": "测试",
            "lng": "116.4",
            "lat": "39.9",
            "photos": [_upload()],
        },
    )
    assert response.status_code == 422
    assert "不在广东省范围内" in response.content.decode()
    assert not CityEvent.objects.exists()


def test_event_list_query_count_and_search(client, world):
    _as(client, "dispatcher")
    for index in range(3):
        _event(world, ref=f"a{index}")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/staff/events/").status_code == 200
    for index in range(8):
        _event(world, ref=f"b{index}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/staff/events/?q=施工&stage=reported")
    assert "共 11 件" in response.content.decode()
    assert len(many) == len(few)


def test_merge_from_the_detail_page(client, world):
    first, second = _event(world, "m1"), _event(world, "m2")
    _as(client, "dispatcher")
    page = client.get(f"/staff/events/{second.number}/").content.decode()
    assert "疑似重复上报" in page and first.number in page
    client.post(f"/staff/events/{second.number}/merge/", {"into": first.number})
    assert CityEvent.objects.get(pk=second.id).stage == "merged"


@pytest.mark.parametrize(("who", "status"), [("no_perm", 403), ("dispatcher", 403), ("admin", 302)])
def test_type_edit_matrix(client, world, who, status):
    if who == "admin":
        login(
            client,
            staff_make("pg_admin", organization_code="440000-zsj", roles=["城市事件管理员"]),
        )
    else:
        _as(client, who)
    data = {
        "name": "噪声扰民",
        "department_function": "stt",
        "handling_level": "county",
        "duplicate_radius_m": "300",
        "duplicate_window_hours": "12",
        "is_active": "1",
        "sla-general-reported": "3",
    }
    response = client.post("/staff/events/types/env.noise/", data)
    assert response.status_code == status
    event_type = EventType.objects.get(code="env.noise")
    if status == 302:
        assert event_type.name == "噪声扰民" and event_type.sla_hours == {
            "general": {"reported": 3.0}
        }
    else:
        assert event_type.name == "噪声超标"


def test_grids_page_and_grid_worker_page(client, world):
    _as(client, "dispatcher")
    page = client.get("/staff/events/grids/").content.decode()
    assert world.grid.code in page
    assert client.get("/staff/events/grids.geojson").json()["features"]
    client.logout()
    login(client, _with_device(world.worker))
    lng, lat = world.grid_point
    response = client.post(
        "/staff/events/grid/",
        {
            "type": "cityapp.garbage",
            "title": "垃圾堆放",
            "lng": lng,
            "lat": lat,
            "photos": [_upload()],
        },
    )
    assert response.status_code == 302
    event = CityEvent.objects.get()
    assert event.source == "grid_worker" and event.grid_id == world.grid.pk
    assert event.number in client.get("/staff/events/grid/").content.decode()
