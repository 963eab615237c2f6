"""感知终端 in a browser: a water-level gauge registered on /staff/sensors/devices/new/ sends
readings over MQTT through the real Mosquitto broker; the ingest worker (run in-process for
a bounded number of messages) stores them and the threshold breach raises an alert that
becomes a city event; the device page shows it online with its chart (ECharts, local), the
alert is acknowledged and closed on /staff/sensors/alerts/, and the ingest page counts the
malformed message that came with them."""

from __future__ import annotations

import uuid

import pytest
from browser_steps import staff_login
from cityevents_steps import event_staff_make
from django.utils import timezone
from sensor_steps import mqtt_ingest, reading_payloads, readings_flushable  # noqa: F401

from digigov.apps.sensors.models import Alert, Device, Reading
from digigov.apps.sensors.services.alerts import alerts_escalate_pending
from digigov.apps.sensors.testing import SYSTEM, places_ensure, water_kind
from digigov.portals.testing import PASSWORD, totp_code
from digigov.support.identity import services as identity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_breach_over_mqtt_becomes_an_alert_handled_in_the_browser(
    open_browser, base_url, screenshot
):
    from digigov.apps.cityevents.services.catalog import event_types_seed
    from digigov.apps.sensors.services.devices import RuleInput, rule_save

    places_ensure()
    event_types_seed()
    water_kind()
    rule_save(
        principal=SYSTEM,
        data=RuleInput(
            kind_code="water-level",
            name="水位超警戒",
            rule_type="above",
            limit=8.0,
            consecutive=2,
            level="larger",
            raises_event=True,
            event_type_code="env.water_level",
        ),
    )
    identity.roles_seed()
    device = event_staff_make("gz_swj_iot", "440100-slt", "感知设备管理员", real_name="李感知")
    page = open_browser().page
    staff_login(
        page,
        base_url,
        username="gz_swj_iot",
        password=PASSWORD,
        code=totp_code(device),
        next_path="/staff/sensors/",
    )
    code = f"wl-e2e-{uuid.uuid4().hex[:6]}"

    # register the gauge through the form (a wrong longitude first)
    page.get_by_role("link", name="登记设备").click()
    page.get_by_label("设备编码").fill(code)
    page.get_by_label("设备名称").fill("珠江广州段水位计")
    page.get_by_label("设备类型").select_option("water-level")
    page.get_by_label("所在区划").select_option("440100")
    page.get_by_label("经度").fill("123.0")
    page.get_by_label("纬度").fill("23.12")
    page.get_by_label("权属单位").select_option(label="广州市水务局")
    page.get_by_role("button", name="保存").click()
    assert "经度须在广东省范围内" in page.locator("main").inner_text()
    assert not Device.objects.filter(code=code).exists()
    page.get_by_label("经度").fill("113.27")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_test_id("device-code").inner_text() == code
    assert page.get_by_test_id("device-state").inner_text() == "未上线"

    # the gauge reports over MQTT: normal, then two readings above 8 m, and one broken message
    topic = f"gd/sensors/440100/{code}/reading"
    payloads = [*reading_payloads([4.1, 4.3, 8.6, 9.2], now=timezone.now()), b'{"seq": "x"}']
    totals = mqtt_ingest(topic, payloads, prefix="e2e-ingest")
    assert (totals.stored, totals.rejected) == (4, 1)
    assert Reading.objects.filter(device__code=code).count() == 4
    assert alerts_escalate_pending() == 1
    alert = Alert.objects.get(device__code=code)
    assert alert.value == 9.2 and alert.city_event_number

    page.reload()
    assert page.get_by_test_id("device-state").inner_text() == "在线"
    page.wait_for_function("document.querySelector('#reading-chart canvas') !== null")
    assert page.get_by_test_id("readings").locator("tbody tr").count() == 4
    screenshot(page, "sensors-device")

    page.get_by_role("link", name="在告警列表中处理").click()
    row = page.locator(f"#alert-{alert.pk}")
    assert alert.city_event_number in row.inner_text()
    row.get_by_role("button", name="确认").click()
    assert page.locator(f"#alert-{alert.pk}").get_by_test_id("alert-state").inner_text() == "已确认"
    row = page.locator(f"#alert-{alert.pk}")
    row.get_by_label("处置说明").fill("已通知水务部门巡查，水位回落")
    row.get_by_role("button", name="关闭").click()
    assert page.locator(f"#alert-{alert.pk}").get_by_test_id("alert-state").inner_text() == "已关闭"
    alert.refresh_from_db()
    assert alert.state == "closed" and alert.note.startswith("已通知水务部门")

    page.get_by_role("link", name="数据接入").click()
    counters = page.get_by_test_id("counters")
    assert counters.locator('tr[data-key="rejected:malformed"] td').nth(1).inner_text() == "1"
    assert counters.locator('tr[data-key="stored"] td').nth(1).inner_text() == "4"
    screenshot(page, "sensors-ingest")
