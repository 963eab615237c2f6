"""好差评 in a browser: a citizen whose case was approved at once (秒批) rates it 1 (非常不满意)
with a reason on the case page; the handling organization's staff find the rectification
task in the workbench and reply; the citizen reads the reply on the case page."""

import pytest
from browser_steps import login

from digigov.apps.services.models import Rating, Rectification
from digigov.apps.services.services.applications import application_submit
from digigov.apps.services.services.instant import ruleset_draft_save, ruleset_publish
from digigov.apps.services.testing import item_make, organizations_ready
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.portals.testing import PASSWORD, citizen_make, totp_code, totp_device_make
from digigov.support.identity import services as identity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ITEM_CODE = "E2E-RSJ-BT-440100"
ADULT_RULE = {
    "id": "adult",
    "label": "申请人年满18周岁",
    "fact": "applicant.age",
    "op": "gte",
    "value": 18,
    "message": "申请人未满18周岁，不符合条件",
}
REPLY = "经核实，申报页面联系电话校验规则有误，已于当日修复，并安排专人回访。"


def _instant_item() -> None:
    """A 秒批 item of 广州市人力资源和社会保障局 with its published rule set."""
    organizations_ready()
    item = item_make(
        code=ITEM_CODE,
        name="灵活就业人员社会保险补贴",
        organization_code="440100-rsj",
        approval_mode="instant",
        item_type="benefit",
    )
    operator = Principal(kind="operator", id="e2e")
    draft = ruleset_draft_save(
        principal=operator, standard_code=item.standard_code, rules=[ADULT_RULE]
    )
    ruleset_publish(principal=operator, ruleset_id=draft.pk)


def test_bad_rating_opens_a_rectification_the_citizen_sees_answered(
    open_browser, base_url, registry, screenshot
):
    _instant_item()
    citizen = citizen_make(username="rater", id_number=registry.id_numbers[0])
    application = application_submit(
        principal=citizen.as_principal(),
        item_code=ITEM_CODE,
        form_data={"phone": "13800138000"},
        idempotency_key="e2e-rating-1",
    )
    assert application.status == "approved"  # 秒批: closed at once
    number = application.number
    case_url = f"{base_url}/citizen/cases/{number}/"

    # --- the citizen rates the closed case on its page --------------------------------------
    page = open_browser().page
    login(
        page, base_url, username="rater", password=PASSWORD, next_path=f"/citizen/cases/{number}/"
    )
    assert page.url == case_url
    assert page.get_by_test_id("case-status").inner_text() == "准予许可"
    panel = page.get_by_test_id("rating-panel")
    assert panel.get_by_role("heading", name="服务评价（好差评）").is_visible()
    panel.get_by_role("radio", name="1 分 · 非常不满意").check()
    panel.get_by_role("checkbox", name="系统不好用").check()
    panel.get_by_label("评价内容").fill("联系电话一直提示格式错误，试了三次才提交成功")
    screenshot(page, "rating-form")
    with page.expect_navigation():
        panel.get_by_role("button", name="提交评价").click()
    assert page.url == case_url
    assert "已转办理部门整改" in page.get_by_role("status").inner_text()
    panel = page.get_by_test_id("rating-panel")
    assert panel.get_by_test_id("rating-grade").inner_text() == "非常不满意（1 分）"
    assert "系统不好用" in panel.inner_text()
    opened = panel.get_by_test_id("rectification-open").inner_text()
    assert "广州市人力资源和社会保障局" in opened
    rating = Rating.objects.get(application__number=number)
    assert (rating.grade, rating.reasons) == (1, ["system_hard"])
    assert Rectification.objects.get().status == "open"

    # --- the handling organization's staff reply in the workbench ---------------------------
    identity.roles_seed()
    handler = identity.staff_account_create(
        actor=None,
        username="gz_rsj_handler",
        password=PASSWORD,
        real_name="苏整改",
        organization_id=Organization.objects.get(code="440100-rsj").pk,
        roles=["审批人员"],
    )
    device = totp_device_make(handler)
    staff = open_browser().page
    login(staff, base_url, username="gz_rsj_handler", password=PASSWORD, next_path="/staff/")
    assert "/login/otp/" in staff.url
    staff.get_by_label("动态验证码").fill(totp_code(device))
    with staff.expect_navigation():
        staff.get_by_role("button", name="验证").click()
    assert staff.url == f"{base_url}/staff/"
    with staff.expect_navigation():
        staff.get_by_role("navigation", name="粤政易").get_by_role("link", name="差评整改").click()
    assert staff.get_by_role("heading", level=1).inner_text() == "差评整改"
    row = staff.get_by_test_id("rectifications").get_by_role("row").filter(has_text=number)
    assert row.count() == 1
    assert "非常不满意" in row.inner_text()
    assert "待整改" in row.inner_text()
    with staff.expect_navigation():
        row.get_by_role("link", name=number).click()
    assert staff.get_by_test_id("grade").inner_text() == "非常不满意（1 分）"
    assert "联系电话一直提示格式错误" in staff.locator("main").inner_text()
    staff.get_by_label("整改答复（申请人可见）").fill(REPLY)
    screenshot(staff, "rating-rectification")
    with staff.expect_navigation():
        staff.get_by_role("button", name="提交答复").click()
    assert "整改答复已提交" in staff.get_by_role("status").inner_text()
    assert staff.get_by_test_id("status").inner_text() == Rectification.Status.REPLIED.label
    assert staff.get_by_test_id("reply").inner_text().startswith(REPLY)

    # --- the citizen reads the reply on the case page ---------------------------------------
    page.goto(case_url)
    reply = page.get_by_test_id("rating-panel").get_by_test_id("rectification-reply")
    assert reply.inner_text() == f"广州市人力资源和社会保障局答复：{REPLY}"
    assert page.get_by_test_id("rectification-open").count() == 0
    screenshot(page, "rating-replied")
