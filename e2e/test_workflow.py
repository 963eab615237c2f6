"""开办餐饮店 in a browser: an enterprise agent applies for 食品经营许可 (GD-SCJG-XK-010, BPMN
process `restaurant_opening`) with its materials; the market-regulation window accepts it
in the workbench; the reviewer returns it for correction (退回补正); the enterprise sees
"待补正" and corrects; market regulation, fire brigade and city management review in
parallel; a different approver (four-eyes) grants it; the enterprise sees "准予许可" and
the timeline of every step."""

import json

import pytest
from browser_steps import login
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from digigov.apps.services.models import Application
from digigov.apps.services.services.bundles import DATA_FILE
from digigov.apps.services.services.items import items_catalog_load
from digigov.apps.services.services.workflow import DEMO_PASSWORD, workflow_demo_seed
from digigov.apps.services.testing import organizations_ready
from digigov.data.registries.selectors import entity_brief
from digigov.kernel.principals import Principal
from digigov.portals.testing import PASSWORD, enterprise_agent_make, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ITEM_CODE = "GD-SCJG-XK-010-440100"  # 食品经营许可, 广州市市场监督管理局
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * 200
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 200


def _catalog() -> None:
    """食品经营许可 in every city (demo seed step 40, this entry only) and the Guangzhou
    workflow staff with their authenticators (seed step 43)."""
    organizations_ready()
    entries = json.loads((DATA_FILE.parent / "items_bundles.json").read_text(encoding="utf-8"))
    items_catalog_load(
        principal=Principal(kind="operator", id="e2e"),
        entries=[e for e in entries if e["standard_code"] == "GD-SCJG-XK-010"],
    )
    workflow_demo_seed()


def _file(name: str, content: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


def _staff_page(open_browser, base_url: str, username: str):
    """A civil servant's own browser, signed in with password and authenticator code, on
    the task inbox."""
    account = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.get(user_id=account.pk, confirmed=True)
    browser = open_browser()
    page = browser.page
    login(page, base_url, username=username, password=DEMO_PASSWORD, next_path="/staff/tasks/")
    assert "/login/otp/" in page.url
    page.get_by_label("动态验证码").fill(totp_code(device))
    with page.expect_navigation():
        page.get_by_role("button", name="验证").click()
    assert page.url == f"{base_url}/staff/tasks/"
    assert page.get_by_role("heading", level=1).inner_text() == "审批任务"
    return browser, page


def _open_task(page, number: str, step: str) -> None:
    """From the inbox, open the case's task of this step."""
    row = page.get_by_test_id("task-row").filter(has_text=number).filter(has_text=step)
    assert row.count() == 1, page.get_by_test_id("task-rows").inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name=number).click()
    assert page.get_by_role("heading", level=1).inner_text() == f"{step}：食品经营许可"
    assert page.get_by_test_id("task-status").inner_text() == "待办"


def _main(page) -> str:
    return page.locator("main").inner_text()


def _complete(page, outcome: str, comment: str = "") -> None:
    form = page.get_by_test_id("complete-form")
    form.get_by_role("radio", name=outcome, exact=True).check()
    if comment:
        form.get_by_label("办理意见").fill(comment)
    with page.expect_navigation():
        form.get_by_role("button", name="提交办理结果").click()
    assert "成功：已办理。" in page.get_by_role("status").inner_text(), _main(page)
    assert page.get_by_test_id("task-status").inner_text() == "已办"


def test_restaurant_licence_runs_through_the_departments_with_a_correction(
    open_browser, base_url, registry, settings, tmp_path, screenshot
):
    settings.DIGIGOV_UPLOAD_ROOT = tmp_path / "uploads"
    _catalog()
    uscc = next(u for u in registry.usccs if entity_brief(uscc=u).is_operating)
    entity = entity_brief(uscc=uscc)
    enterprise_agent_make(username="canting_rep", uscc=uscc)

    # --- the enterprise applies, the form prefilled from the entity registry -------------
    business = open_browser().page
    login(
        business,
        base_url,
        username="canting_rep",
        password=PASSWORD,
        next_path=f"/business/apply/{ITEM_CODE}/",
    )
    assert business.url == f"{base_url}/business/apply/{ITEM_CODE}/"
    assert business.get_by_role("heading", level=1).inner_text() == "食品经营许可"
    name = business.get_by_label("企业名称")
    assert name.input_value() == entity.name
    assert name.get_attribute("readonly") is not None  # 免填写
    assert business.get_by_label("统一社会信用代码").input_value() == uscc
    assert business.get_by_label("法定代表人").input_value() == entity.legal_rep_name
    business.get_by_label("经营场所地址").fill("广州市天河区体育西路100号首层")
    business.get_by_label("经营项目").select_option("热食类食品制售")
    business.get_by_label("经营场所面积").fill("120")
    business.get_by_label("上传文件：营业执照").set_input_files(
        _file("营业执照.pdf", PDF, "application/pdf")
    )
    business.get_by_label("上传文件：经营场所平面布局图").set_input_files(
        _file("平面布局图.png", PNG, "image/png")
    )
    business.get_by_label("上传文件：不动产权证书或房屋租赁合同").set_input_files(
        _file("租赁合同.pdf", PDF, "application/pdf")
    )
    screenshot(business, "workflow-apply")
    with business.expect_navigation():
        business.get_by_role("button", name="提交申请").click()
    application = Application.objects.get(item__code=ITEM_CODE)
    number = application.number
    case_url = f"{base_url}/business/cases/{number}/"
    assert business.url == case_url
    assert business.get_by_test_id("case-status").inner_text() == "已提交"
    assert application.approval_mode == "workflow"

    # --- the market-regulation window accepts it ------------------------------------------
    clerk_browser, clerk = _staff_page(open_browser, base_url, "gz_scjg_clerk")
    _open_task(clerk, number, "受理")
    assert "营业执照" in clerk.locator("main").inner_text()
    _complete(clerk, "予以受理", "材料齐全，予以受理")
    clerk_browser.close()

    business.reload()
    assert business.get_by_test_id("case-status").inner_text() == "已受理"

    # --- the reviewer asks for a correction -----------------------------------------------
    reviewer_browser, reviewer = _staff_page(open_browser, base_url, "gz_scjg_reviewer")
    _open_task(reviewer, number, "食品经营许可审查")
    returning = reviewer.get_by_test_id("return-form")
    returning.get_by_label("需要补正的内容").fill("经营场所平面布局图未标明加工操作区，请重新上传")
    returning.get_by_label("说明").fill("请补正后再审")
    with reviewer.expect_navigation():
        returning.get_by_role("button", name="退回补正").click()
    assert "已退回申请人补正" in reviewer.locator("main").inner_text()
    assert reviewer.get_by_test_id("application-status").inner_text() == "待补正"
    screenshot(reviewer, "workflow-returned")

    # --- the enterprise sees 待补正 and corrects ------------------------------------------
    business.goto(case_url)
    assert business.get_by_test_id("case-status").inner_text() == "待补正"
    assert "未标明加工操作区" in business.locator("main").inner_text()
    correcting = business.get_by_test_id("correct-form")
    correcting.get_by_label("重新上传：经营场所平面布局图").set_input_files(
        _file("平面布局图（补正）.png", PNG, "image/png")
    )
    screenshot(business, "workflow-correction")
    with business.expect_navigation():
        correcting.get_by_role("button", name="提交补正").click()
    assert business.url == case_url
    assert "补正材料已提交" in business.locator("main").inner_text()
    assert business.get_by_test_id("case-status").inner_text() == "已受理"

    # --- three departments review in parallel ---------------------------------------------
    reviewer.goto(f"{base_url}/staff/tasks/")
    _open_task(reviewer, number, "食品经营许可审查")
    _complete(reviewer, "审查通过", "布局合理，符合要求")

    for username, step, outcome in (
        ("gz_xf_reviewer", "消防安全检查", "检查合格"),
        ("gz_cgj_reviewer", "门头招牌设置审查", "同意设置"),
    ):
        browser, page = _staff_page(open_browser, base_url, username)
        _open_task(page, number, step)
        _complete(page, outcome)
        browser.close()

    # --- the reviewer may not decide (four-eyes); another approver does -------------------
    reviewer.goto(f"{base_url}/staff/tasks/")
    _open_task(reviewer, number, "决定")
    assert "四眼原则" in reviewer.get_by_test_id("four-eyes").inner_text()
    form = reviewer.get_by_test_id("complete-form")
    form.get_by_role("radio", name="准予许可", exact=True).check()
    with reviewer.expect_navigation():
        form.get_by_role("button", name="提交办理结果").click()
    assert "四眼原则" in reviewer.get_by_role("status").inner_text()
    assert reviewer.get_by_test_id("task-status").inner_text() == "待办"
    reviewer_browser.close()

    approver_browser, approver = _staff_page(open_browser, base_url, "gz_scjg_approver")
    _open_task(approver, number, "决定")
    assert approver.get_by_test_id("four-eyes").count() == 0
    _complete(approver, "准予许可", "准予食品经营许可")
    assert approver.get_by_test_id("application-status").inner_text() == "准予许可"
    screenshot(approver, "workflow-decided")
    approver_browser.close()

    # --- the enterprise sees the result and every step ------------------------------------
    business.goto(case_url)
    assert business.get_by_test_id("case-status").inner_text() == "准予许可"
    timeline = business.get_by_test_id("timeline").inner_text()
    steps = [
        "网上申办：提交申请",
        "受理：予以受理（广州市市场监督管理局）",
        "退回补正：1. 经营场所平面布局图未标明加工操作区",
        "申请人已补正",
        "食品经营许可审查：审查通过（广州市市场监督管理局）",
        "消防安全检查：检查合格（广州市消防救援支队）",
        "门头招牌设置审查：同意设置（广州市城市管理和综合执法局）",
        "决定：准予许可（广州市市场监督管理局）",
        "办结：准予许可",
    ]
    positions = [timeline.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), timeline
    facts = business.get_by_test_id("case-facts")
    assert facts.get_by_test_id("decision-note").inner_text() == "准予食品经营许可"
    screenshot(business, "workflow-result")
    application.refresh_from_db()
    assert application.status == "approved"
