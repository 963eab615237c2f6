"""城市事件 in a browser (issue 7): a citizen reports 随手拍 with a photo and a click on the
map of Guangdong (local GeoJSON, no tile server); the 天河区 command centre registers and
dispatches it, the city's 生态环境局 handles it with a photo, the grid's worker verifies it
on site with a photo, the command centre closes it; the citizen sees it closed."""

from __future__ import annotations

import pytest
from browser_steps import PHONE, login
from cityevents_steps import event_act, event_staff_make, event_staff_page
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from digigov.apps.cityevents.models import CityEvent
from digigov.apps.cityevents.services.demo import demo_png
from digigov.apps.cityevents.testing import world_make
from digigov.portals.testing import PASSWORD, citizen_make
from digigov.support.identity.constants import DEMO_PASSWORDS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_citizen_report_driven_to_closure(
    open_browser, base_url, registry, screenshot, tmp_path, settings
):
    settings.DIGIGOV_UPLOAD_ROOT = tmp_path / "uploads"
    world = world_make()
    citizen_make(username="ce_citizen", id_number=registry.id_numbers[0])
    dispatcher_device = event_staff_make("th_dispatch", "440106-zsj", "城市事件指挥调度人员")
    handler_device = event_staff_make("gz_stt_handler", "440100-stt", "城市事件处置人员")
    worker_device = TOTPDevice.objects.get(user=world.worker)
    scene = tmp_path / "scene.png"
    scene.write_bytes(demo_png(1, size=32))
    done = tmp_path / "done.png"
    done.write_bytes(demo_png(2, size=32))

    # --- the citizen reports with a photo and a click on the map ---------------------------
    citizen = open_browser(viewport=PHONE).page
    login(citizen, base_url, username="ce_citizen", password=PASSWORD, next_path="/citizen/events/")
    assert citizen.get_by_role("heading", level=1).inner_text() == "随手拍"
    form = citizen.get_by_test_id("report-form")
    form.get_by_label("问题类型").select_option(label="噪声超标")
    form.get_by_label("简要说明").fill("工地夜间施工噪声扰民")
    form.get_by_label("现场照片").set_input_files(str(scene))
    citizen.wait_for_selector("#report-map[data-ready='1']")
    citizen.wait_for_load_state("networkidle")
    citizen.locator("#report-map").scroll_into_view_if_needed()
    lng, lat = world.grid_point
    position = citizen.evaluate(
        """([lng, lat]) => { const map = document.getElementById('report-map').leafletMap;
             map.invalidateSize(); map.setView([lat, lng], 15, {animate: false});
             const p = map.latLngToContainerPoint([lat, lng]); return {x: p.x, y: p.y}; }""",
        [lng, lat],
    )
    citizen.locator("#report-map").click(position=position)
    expect(citizen.locator("#location-status")).to_contain_text("已在地图上选择位置")
    assert abs(float(form.get_by_label("经度").input_value()) - lng) < 0.001
    with citizen.expect_navigation():
        form.get_by_role("button", name="提交上报").click()
    assert "上报成功" in citizen.get_by_role("status").inner_text()
    event = CityEvent.objects.get()
    assert event.grid_id == world.grid.pk and event.source == "citizen"
    screenshot(citizen, "city-events-citizen-report")

    # --- the command centre registers and dispatches ---------------------------------------
    dispatcher = event_staff_page(open_browser, base_url, "th_dispatch", dispatcher_device)
    assert event.number in dispatcher.get_by_test_id("event-list").inner_text()
    event_act(dispatcher, base_url, event.number, "立案")
    event_act(dispatcher, base_url, event.number, "派遣")
    assert dispatcher.get_by_test_id("stage").inner_text() == "派遣"

    # --- the department handles it with a photo ---------------------------------------------
    handler = event_staff_page(open_browser, base_url, "gz_stt_handler", handler_device)
    event_act(handler, base_url, event.number, "处置完成", photo=done)
    assert handler.get_by_test_id("stage").inner_text() == "处置"

    # --- the grid worker verifies on site with a photo (phone) -----------------------------
    worker = event_staff_page(
        open_browser,
        base_url,
        world.worker.username,
        worker_device,
        password=DEMO_PASSWORDS["staff"],
        next_path="/staff/events/grid/",
        viewport=PHONE,
    )
    assert "待核查" in worker.get_by_test_id("grid-events").inner_text()
    event_act(worker, base_url, event.number, "核查通过", photo=done)
    assert worker.get_by_test_id("stage").inner_text() == "核查"

    # --- the command centre closes it --------------------------------------------------------
    event_act(dispatcher, base_url, event.number, "结案")
    assert dispatcher.get_by_test_id("stage").inner_text() == "结案"
    timeline = dispatcher.get_by_test_id("timeline").inner_text()
    for label in ("上报", "立案", "派遣", "处置完成", "核查通过", "结案"):
        assert label in timeline
    screenshot(dispatcher, "city-events-closed")

    # --- the citizen sees it closed -----------------------------------------------------------
    citizen.goto(f"{base_url}/citizen/events/")
    assert citizen.get_by_test_id(f"stage-{event.number}").inner_text() == "结案"
    event.refresh_from_db()
    assert event.stage == "closed"
    assert event.photos.count() == 3
