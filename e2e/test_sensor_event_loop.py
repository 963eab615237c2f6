"""The closed loop of issue 7 in a browser: a water-level gauge inside one of 天河区's grids
reports over MQTT through the real Mosquitto broker; the ingest worker (in-process, bounded)
stores the readings, the threshold rule raises one alert, and the alerts' outbox makes it a
city event (env.water_level) routed to 广州's command centre and 水务局. Then, on the event's
page, the command centre registers and dispatches it, the 水务局 handles it with a photo, the
grid's worker verifies it on site with a photo (phone), and the command centre closes it."""

from __future__ import annotations

import uuid

import pytest
from browser_steps import PHONE
from cityevents_steps import event_act, event_staff_make, event_staff_page
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from sensor_steps import mqtt_ingest, reading_payloads, readings_flushable  # noqa: F401

from digigov.apps.cityevents.models import CityEvent
from digigov.apps.cityevents.services.demo import demo_png
from digigov.apps.cityevents.testing import world_make
from digigov.apps.sensors.models import Alert, Reading
from digigov.apps.sensors.services.alerts import alert_escalate, alerts_escalate_pending
from digigov.apps.sensors.services.devices import (
    DeviceInput,
    RuleInput,
    device_register,
    rule_save,
)
from digigov.apps.sensors.testing import SYSTEM, water_kind
from digigov.kernel.organizations.models import Organization
from digigov.support.identity.constants import DEMO_PASSWORDS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# 4.2 normal; 8.3 breaches once (streak 1), 4.4 resets it; 8.7 and 9.1 breach twice in a
# row -> one alert at 9.1; 9.4 stays quiet while that alert is open; 7.0 is normal again.
VALUES = [4.2, 8.3, 4.4, 8.7, 9.1, 9.4, 7.0]


def _ingest(topic: str, payloads: list[bytes]) -> list[int]:
    """Run the ingest worker until every message is stored; report each alert that wants a
    city event right after its batch commits (what the worker's reporter thread does)."""
    reported: list[int] = []

    def on_committed(outcome) -> None:
        reported.extend(i for i in outcome.event_alert_ids if alert_escalate(alert_id=i))

    totals = mqtt_ingest(topic, payloads, prefix="e2e-loop", on_committed=on_committed)
    assert (totals.stored, totals.rejected, totals.alerts) == (len(payloads), 0, 1)
    return reported


def test_sensor_breach_over_mqtt_becomes_a_city_event_driven_to_closure(
    open_browser, base_url, screenshot, tmp_path, settings
):
    settings.DIGIGOV_UPLOAD_ROOT = tmp_path / "uploads"
    world = world_make()  # regions, organizations, event types, 天河区's grids and workers
    kind = water_kind()
    rule_save(
        principal=SYSTEM,
        data=RuleInput(
            kind_code=kind.code,
            name="水位超警戒（城市事件）",
            rule_type="above",
            limit=8.0,
            consecutive=2,
            level="general",
            raises_event=True,
            event_type_code="env.water_level",
        ),
    )
    code = f"wl-loop-{uuid.uuid4().hex[:6]}"
    lng, lat = world.grid_point
    device = device_register(
        principal=SYSTEM,
        data=DeviceInput(
            code=code,
            kind_code=kind.code,
            name="猎德涌水位计",
            longitude=lng,
            latitude=lat,
            region_code="440106",
            owner_organization_id=Organization.objects.get(code="440100-slt").pk,
        ),
    )
    dispatcher_device = event_staff_make("gz_loop_dispatch", "440100-zsj", "城市事件指挥调度人员")
    handler_device = event_staff_make("gz_loop_slt", "440100-slt", "城市事件处置人员")
    worker_device = TOTPDevice.objects.get(user=world.worker)
    handled = tmp_path / "handled.png"
    handled.write_bytes(demo_png(3, size=32))
    checked = tmp_path / "checked.png"
    checked.write_bytes(demo_png(4, size=32))

    # --- the gauge reports over MQTT; the breach becomes an alert and a city event ----------
    payloads = reading_payloads(VALUES, now=timezone.now())
    reported = _ingest(f"gd/sensors/440106/{code}/reading", payloads)
    assert Reading.objects.filter(device=device).count() == len(VALUES)
    alert = Alert.objects.get(device=device)
    assert alert.value == 9.1 and alert.wants_event
    assert reported == [alert.pk]
    assert alerts_escalate_pending() == 0  # nothing left in the outbox
    alert.refresh_from_db()
    event = CityEvent.objects.get(pk=alert.city_event_id)
    assert alert.city_event_number == event.number
    assert (event.source, event.stage, event.external_ref) == (
        "sensor",
        "reported",
        f"sensor-alert:{alert.pk}",
    )
    assert event.event_type.code == "env.water_level" and event.grid_id == world.grid.pk
    assert event.command_organization.code == "440100-zsj"
    assert event.handling_organization.code == "440100-slt"

    # --- the command centre finds it among the sensor events, registers and dispatches -----
    dispatcher = event_staff_page(open_browser, base_url, "gz_loop_dispatch", dispatcher_device)
    dispatcher.get_by_label("来源").select_option(label="感知终端告警")
    dispatcher.get_by_label("待本单位办理").check()
    with dispatcher.expect_navigation():
        dispatcher.get_by_role("button", name="筛选").click()
    assert dispatcher.get_by_test_id("total").inner_text() == "共 1 件"
    with dispatcher.expect_navigation():
        dispatcher.get_by_test_id("event-list").get_by_role("link", name=event.number).click()
    assert dispatcher.get_by_test_id("stage").inner_text() == "上报"
    facts = dispatcher.locator("dl.facts").inner_text()
    assert "感知终端告警" in facts and code in facts and "9.1m" in facts
    assert world.grid.name in facts
    event_act(dispatcher, base_url, event.number, "立案")
    assert dispatcher.get_by_test_id("stage").inner_text() == "立案"
    event_act(dispatcher, base_url, event.number, "派遣")
    assert dispatcher.get_by_test_id("stage").inner_text() == "派遣"

    # --- 水务局 handles it with a photo -----------------------------------------------------
    handler = event_staff_page(open_browser, base_url, "gz_loop_slt", handler_device)
    assert event.number in handler.get_by_test_id("event-list").inner_text()
    event_act(handler, base_url, event.number, "处置完成", photo=handled)
    assert handler.get_by_test_id("stage").inner_text() == "处置"
    # the department cannot verify its own work: 核查 is the grid worker's
    assert handler.get_by_role("button", name="核查通过", exact=True).count() == 0

    # --- the grid's worker verifies on site with a photo (phone) -----------------------------
    worker = event_staff_page(
        open_browser,
        base_url,
        world.worker.username,
        worker_device,
        password=DEMO_PASSWORDS["staff"],
        next_path="/staff/events/grid/",
        viewport=PHONE,
    )
    mine = worker.get_by_test_id("grid-events").locator("li", has_text=event.number)
    assert "待核查" in mine.inner_text()
    event_act(worker, base_url, event.number, "核查通过", photo=checked)
    assert worker.get_by_test_id("stage").inner_text() == "核查"

    # --- the command centre closes it ---------------------------------------------------------
    event_act(dispatcher, base_url, event.number, "结案")
    assert dispatcher.get_by_test_id("stage").inner_text() == "结案"
    steps = dispatcher.get_by_test_id("timeline").locator("li > strong").all_inner_texts()
    assert steps == ["上报", "立案", "派遣", "处置完成", "核查通过", "结案"]
    screenshot(dispatcher, "sensor-event-loop-closed")

    event.refresh_from_db()
    alert.refresh_from_db()
    assert event.stage == "closed" and event.closed_at is not None
    assert alert.city_event_id == event.pk and alert.city_event_number == event.number
    assert event.photos.count() == 2
