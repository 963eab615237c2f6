"""一体化政务大数据中心 in a browser (issue 5), its "Done when" as user journeys.

1. 广州市市场监督管理局's catalog administrator registers a topic dataset with a personal
   field (the operator's ID number, masked by rule) on /staff/catalog/new/, uploads a CSV and
   submits it; the provincial data bureau's reviewer (another person) publishes it;
   广州市民政局 requests two of its fields on /staff/sharing/new/; the owner approves one per
   checkbox in /staff/sharing/inbox/; 民政局's machine client pulls the rows through
   /api/v1/exchange/... and gets only that field, masked; the refused field is refused with
   the documented error; the owner sees both calls on /staff/sharing/access/ and the needs
   list shows the request and indicator 11.
2. A department's client reads a citizen's record in 自然人基础库 (published by the catalog's
   demo seed) by key; the citizen sees that read on /citizen/data-use/, another citizen not.
3. The quality demo's flawed dataset: a data steward runs 立即检查 on /staff/quality/ and the
   report lists the seeded flaws; an analyst queries a masked snapshot on /staff/workspace/
   and a COPY statement is refused."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from browser_steps import login, staff_login
from django.core.cache import cache
from django.utils import timezone

from digigov.data.catalog.models import DataResource, DatasetRow
from digigov.data.catalog.services.demo import catalog_demo_seed
from digigov.data.quality.models import QualityRun, WorkspaceQuery, WorkspaceSnapshot
from digigov.data.quality.services.demo import CODE as QUALITY_CODE
from digigov.data.quality.services.demo import ROWS as QUALITY_ROWS
from digigov.data.quality.services.demo import quality_demo_seed
from digigov.data.registries.selectors import registry_records
from digigov.data.registries.services import registry_demo_generate
from digigov.data.sharing.models import ExchangeLogEntry, Grant, SharingRequest
from digigov.data.sharing.services.exchange import exchange_caches_clear
from digigov.data.sharing.services.requests import sharing_request_decide, sharing_request_submit
from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.ids import mask_id_number
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load
from digigov.portals.testing import PASSWORD, citizen_make, totp_code, totp_device_make
from digigov.support.identity import services as identity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OPERATOR = Principal(kind="operator", id="e2e", label="端到端测试运维")
SCJG, MZT, GAT, ZSJ = "440100-scjg", "440100-mzt", "440000-gat", "440000-zsj"
SCJG_NAME, MZT_NAME = "广州市市场监督管理局", "广州市民政局"
RESOURCE_CODE = "GZ-SCJG-GTJYZ"
RESOURCE_NAME = "广州市个体工商户经营者信息"
PURPOSE = "高龄津贴申请人经营情况核对"
ID_MASK = re.compile(r"^\d{4}\*{10}[\dX]{4}$")


@pytest.fixture(autouse=True)
def _fresh_exchange_caches():
    """The exchange keeps per-process caches (resources, the log's key, rate counters) that
    outlive a test's database; the live server runs in this process."""
    exchange_caches_clear()
    cache.clear()
    yield
    exchange_caches_clear()
    cache.clear()


def _departments() -> None:
    if not Region.objects.filter(code="440000").exists():
        regions_load()
    if not Organization.objects.filter(code=SCJG).exists():
        organizations_seed(county_level=False, town_level=False)


def _organization(code: str) -> Organization:
    return Organization.objects.get(code=code)


def _staff(username: str, real_name: str, organization: str, roles: list[str]):
    """A civil servant with roles and an authenticator; returns (account, device)."""
    identity.roles_seed()
    account = identity.staff_account_create(
        actor=None,
        username=username,
        password=PASSWORD,
        real_name=real_name,
        organization_id=_organization(organization).pk,
        roles=roles,
    )
    return account, totp_device_make(account)


def _signed_in(open_browser, base_url: str, username: str, device, next_path: str):
    page = open_browser().page
    staff_login(
        page,
        base_url,
        username=username,
        password=PASSWORD,
        code=totp_code(device),
        next_path=next_path,
    )
    return page


def _machine(organization: str, name: str) -> dict[str, str]:
    """A department's system registered for the exchange: its API key header."""
    client = machine_client_create(
        actor=OPERATOR,
        name=name,
        scopes=["exchange:read"],
        organization_id=_organization(organization).pk,
    )
    return {"X-API-Key": api_key_issue(actor=OPERATOR, client_id=client.pk).key}


def _no_template_source(page) -> None:
    text = page.locator("main").inner_text()
    assert "{#" not in text and "{%" not in text and "{{" not in text, text[:300]


# --- 1. register, review, request, approve, pull masked -------------------------------------


def test_registered_resource_is_reviewed_requested_approved_and_pulled_masked(
    open_browser, base_url, registry, screenshot, tmp_path
):
    _departments()
    _admin, admin_device = _staff(
        "gz_scjg_catalog", "谢目录", SCJG, ["数据目录管理员", "数据共享审批人员"]
    )
    _reviewer, reviewer_device = _staff("gd_zsj_reviewer", "罗审核", ZSJ, ["数据资源审核人员"])
    _requester, requester_device = _staff("gz_mzt_requester", "冯申请", MZT, ["数据共享申请人员"])
    operators = registry.id_numbers[:3]

    # --- the catalog administrator registers the resource ------------------------------------
    admin = _signed_in(open_browser, base_url, "gz_scjg_catalog", admin_device, "/staff/catalog/")
    assert admin.get_by_role("heading", level=1).inner_text() == "数据目录"
    with admin.expect_navigation():
        admin.get_by_role("main").get_by_role("link", name="登记数据资源").first.click()
    assert admin.url == f"{base_url}/staff/catalog/new/"
    assert admin.get_by_role("heading", level=1).inner_text() == "登记数据资源"
    admin.get_by_label("资源代码").fill(RESOURCE_CODE)
    admin.get_by_label("资源名称").fill(RESOURCE_NAME)
    admin.get_by_label("资源摘要").fill("个体工商户登记的经营者信息，用于民生补贴核对。")
    admin.get_by_label("资源层级").select_option(label="主题库")
    admin.get_by_label("存储方式").select_option(label="平台存储（上传数据集）")
    admin.get_by_label("主题分类").fill("市场监管")
    admin.get_by_label("更新周期").select_option(label="每月")
    admin.get_by_label("数据格式").fill("CSV")
    admin.get_by_label("共享属性").select_option(label="有条件共享")
    admin.get_by_label("共享条件 / 不予共享依据").fill("依法履职需要，经本局审核同意后共享")
    admin.get_by_label("数据分级").select_option(label="重要数据")
    admin.get_by_label("含个人信息").check()
    admin.get_by_label("主键字段").fill("license_no")
    fields = [
        ("license_no", "登记编号", "字符串", "内部", "不脱敏"),
        ("shop_name", "字号名称", "字符串", "公开", "不脱敏"),
        ("operator_id_number", "经营者公民身份号码", "代码", "个人信息", "证件号码脱敏"),
        ("operator_name", "经营者姓名", "字符串", "个人信息", "姓名脱敏"),
    ]
    for row, (name, label, data_type, sensitivity, masking) in enumerate(fields, 1):
        admin.get_by_label(f"第 {row} 行字段名").fill(name)
        admin.get_by_label(f"第 {row} 行中文名称").fill(label)
        admin.get_by_label(f"第 {row} 行类型").select_option(label=data_type)
        admin.get_by_label(f"第 {row} 行敏感程度").select_option(label=sensitivity)
        admin.get_by_label(f"第 {row} 行默认脱敏").select_option(label=masking)
    admin.get_by_label("第 1 行必填").check()
    with admin.expect_navigation():
        admin.get_by_role("button", name="登记为草稿").click()
    assert admin.url == f"{base_url}/staff/catalog/resources/{RESOURCE_CODE}/"
    assert "已登记" in admin.get_by_role("status").inner_text()
    assert admin.get_by_test_id("status").inner_text() == "草稿"
    shown = admin.get_by_test_id("fields").inner_text()
    assert "经营者公民身份号码" in shown and "证件号码脱敏" in shown
    resource = DataResource.objects.get(code=RESOURCE_CODE)
    assert (resource.status, resource.organization.code) == ("draft", SCJG)
    assert (resource.layer, resource.storage, resource.share_condition) == (
        "topic",
        "dataset",
        "conditional",
    )
    assert resource.has_personal_info
    masking = dict(resource.fields.values_list("name", "masking"))
    assert masking == {
        "license_no": "none",
        "shop_name": "none",
        "operator_id_number": "id_number",
        "operator_name": "name",
    }

    # --- ... uploads a small CSV ------------------------------------------------------------
    names = [registry.name_of(number) for number in operators]
    csv_file = tmp_path / "经营者.csv"
    csv_file.write_text(
        "license_no,shop_name,operator_id_number,operator_name\n"
        + "".join(
            f"GT-2025-{n:03d},广州市天河区演示{n}号小店,{number},{name}\n"
            for n, (number, name) in enumerate(zip(operators, names, strict=True), 1)
        ),
        encoding="utf-8",
    )
    with admin.expect_navigation():
        admin.get_by_test_id("actions").get_by_role("link", name="上传数据").click()
    assert admin.get_by_role("heading", level=1).inner_text() == f"上传数据：{RESOURCE_NAME}"
    admin.get_by_label(re.compile(r"^CSV 或 JSON 文件")).set_input_files(str(csv_file))
    with admin.expect_navigation():
        admin.get_by_role("button", name="上传", exact=True).click()
    assert "已载入 3 行" in admin.get_by_role("status").inner_text()
    assert "共 3 行，有误 0 行" in admin.get_by_test_id("upload-report").inner_text()
    assert DatasetRow.objects.filter(resource=resource).count() == 3

    # --- ... and submits it for review -----------------------------------------------------
    admin.goto(f"{base_url}/staff/catalog/resources/{RESOURCE_CODE}/")
    # the submitter never gets the review form (four-eyes)
    assert admin.get_by_role("button", name="审核通过并发布").count() == 0
    with admin.expect_navigation():
        admin.get_by_role("button", name="提交审核").click()
    assert "已提交审核" in admin.get_by_role("status").inner_text()
    assert admin.get_by_test_id("status").inner_text() == "待审核"
    assert re.search(r"记录数\s*3", admin.get_by_test_id("resource-facts").inner_text())

    # --- the data bureau's reviewer publishes it --------------------------------------------
    reviewer = _signed_in(
        open_browser, base_url, "gd_zsj_reviewer", reviewer_device, "/staff/catalog/review/"
    )
    assert reviewer.get_by_role("heading", level=1).inner_text() == "数据资源审核"
    queue = reviewer.get_by_test_id("review-queue")
    assert SCJG_NAME in queue.inner_text()
    with reviewer.expect_navigation():
        queue.get_by_role("link", name=RESOURCE_NAME).click()
    assert reviewer.get_by_test_id("status").inner_text() == "待审核"
    reviewer.get_by_label("审核意见（退回时必填）").fill("分级与脱敏规则符合要求，同意发布")
    with reviewer.expect_navigation():
        reviewer.get_by_role("button", name="审核通过并发布").click()
    assert reviewer.url == f"{base_url}/staff/catalog/review/"
    assert "已发布" in reviewer.get_by_role("status").inner_text()
    assert "没有待审核的数据资源" in reviewer.locator("main").inner_text()
    resource.refresh_from_db()
    assert resource.status == "published" and resource.published_at is not None
    assert resource.reviewed_by != resource.submitted_by
    reviewer.context.close()

    # --- 广州市民政局 requests two fields ------------------------------------------------------
    requester = _signed_in(
        open_browser, base_url, "gz_mzt_requester", requester_device, "/staff/sharing/new/"
    )
    assert requester.get_by_role("heading", level=1).inner_text() == "申请共享数据"
    requester.get_by_label("数据资源", exact=True).select_option(value=RESOURCE_CODE)
    with requester.expect_navigation():
        requester.get_by_role("button", name="选择").click()
    form = requester.get_by_role("form", name="共享申请")
    assert requester.get_by_role("heading", level=2, name=RESOURCE_NAME).is_visible()
    form.get_by_role("checkbox", name=re.compile(r"^经营者公民身份号码")).check()
    form.get_by_role("checkbox", name=re.compile(r"^经营者姓名")).check()
    form.get_by_label("用途").fill(PURPOSE)
    form.get_by_label("依据（法律法规、政策文件）").fill("《广东省养老服务条例》第二十条")
    form.get_by_label("使用范围").fill("广州市民政局高龄津贴审核")
    with requester.expect_navigation():
        form.get_by_role("button", name="提交申请").click()
    assert requester.url == f"{base_url}/staff/sharing/needs/"
    assert "已提交共享申请（待审批）" in requester.get_by_role("status").inner_text()
    request = SharingRequest.objects.get()
    assert request.requester_organization.code == MZT
    assert request.fields == ["operator_id_number", "operator_name"]
    assert request.state == "pending"
    assert not Grant.objects.exists()

    # --- the owner approves one field per checkbox -------------------------------------------
    admin.goto(f"{base_url}/staff/sharing/inbox/")
    assert admin.get_by_role("heading", level=1).inner_text() == "共享审批"
    card = admin.get_by_test_id(f"request-{request.pk}")
    assert card.get_by_role("heading").inner_text() == (
        f"#{request.pk} {MZT_NAME} 申请 {RESOURCE_NAME}"
    )
    assert PURPOSE in card.inner_text()
    assert card.get_by_role("checkbox", name="同意共享 经营者公民身份号码").is_checked()
    card.get_by_role("checkbox", name="同意共享 经营者姓名").uncheck()
    card.get_by_label("不同意的理由（有数据项不同意时必填）").fill(
        "按最小必要原则，核对只需证件号码"
    )
    screenshot(admin, "data-center-inbox-decision")
    with admin.expect_navigation():
        card.get_by_role("button", name="提交审批意见").click()
    assert f"已审批共享申请 #{request.pk}（部分同意）" in admin.get_by_role("status").inner_text()
    assert "没有待审批的共享申请" in admin.locator("main").inner_text()
    request.refresh_from_db()
    assert request.state == "partial"
    assert request.approved_fields == ["operator_id_number"]
    grant = Grant.objects.get()
    assert grant.fields == ["operator_id_number"] and grant.unmasked_fields == []
    assert grant.organization.code == MZT

    # --- 民政局's system pulls the rows: the approved field only, masked ----------------------
    headers = _machine(MZT, "广州市民政局高龄津贴系统")
    path = f"{base_url}/api/v1/exchange/{RESOURCE_CODE}/records"
    with httpx.Client(timeout=10) as api:
        pulled = api.get(path, params={"purpose": PURPOSE}, headers=headers)
        assert pulled.status_code == 200, pulled.text
        body = pulled.json()
        assert body["fields"] == ["operator_id_number"]
        assert body["total"] == 3
        assert sorted(row["operator_id_number"] for row in body["rows"]) == sorted(
            mask_id_number(number) for number in operators
        )
        assert all(list(row) == ["operator_id_number"] for row in body["rows"])
        assert all(ID_MASK.match(row["operator_id_number"]) for row in body["rows"])
        for number, name in zip(operators, names, strict=True):
            assert number not in pulled.text and name not in pulled.text

        # the refused field: the documented error, nothing of the rows
        refused = api.get(
            path, params={"purpose": PURPOSE, "fields": "operator_name"}, headers=headers
        )
        assert refused.status_code == 403, refused.text
        error = refused.json()["error"]
        assert error["code"] == "field_not_granted"
        assert error["message"] == "未获授权的数据项：operator_name"
        assert all(name not in refused.text for name in names)

        # no key, no answer (and no log entry either: nobody to log)
        assert api.get(path, params={"purpose": PURPOSE}).status_code == 401

    log = list(ExchangeLogEntry.objects.order_by("seq"))
    assert [(e.operation, e.outcome, e.row_count, e.error_code) for e in log] == [
        ("query", "answered", 3, ""),
        ("query", "refused", 0, "field_not_granted"),
    ]
    assert {e.organization.code for e in log} == {MZT}
    assert log[0].fields == ["operator_id_number"] and log[0].purpose == PURPOSE

    # --- the owner sees that access ----------------------------------------------------------
    admin.goto(f"{base_url}/staff/sharing/access/")
    assert admin.get_by_role("heading", level=1).inner_text() == "授权与调用记录"
    given = admin.get_by_test_id("grants-given").get_by_role("row").filter(has_text=MZT_NAME)
    assert given.count() == 1
    assert RESOURCE_NAME in given.inner_text() and "operator_id_number" in given.inner_text()
    assert "operator_name" not in given.inner_text()
    assert admin.get_by_test_id("log-total").inner_text() == "共 2 次调用"
    calls = admin.get_by_test_id("access-log").get_by_role("row").filter(has_text=MZT_NAME)
    assert calls.count() == 2
    answered = calls.filter(has_text="已应答")
    assert answered.count() == 1
    assert PURPOSE in answered.inner_text() and "条件查询" in answered.inner_text()
    assert "广州市民政局高龄津贴系统" in answered.inner_text()
    assert "field_not_granted" in calls.filter(has_text="已拒绝").inner_text()
    _no_template_source(admin)
    screenshot(admin, "data-center-owner-access")

    # --- the needs list shows the request and indicator 11 ------------------------------------
    requester.goto(f"{base_url}/staff/sharing/needs/")
    row = requester.get_by_test_id("needs-list").get_by_role("row").filter(has_text=RESOURCE_CODE)
    assert row.count() == 1
    text = row.inner_text()
    assert MZT_NAME in text and SCJG_NAME in text and "有条件共享" in text
    assert "部分同意" in text and "同意：经营者公民身份号码" in text
    assert "按最小必要原则" in text
    indicator = requester.get_by_test_id("indicator")
    assert indicator.get_by_test_id("indicator-rate").inner_text() == "100.0%"
    assert "满足 1 件 / 应共享 1 件" in indicator.inner_text()
    assert "数据项满足率 50.0%" in indicator.inner_text()
    _no_template_source(requester)
    screenshot(requester, "data-center-needs-list")


# --- 2. 谁用了我的数据 -------------------------------------------------------------------------


def test_citizen_sees_who_read_their_records(open_browser, base_url, registry, screenshot):
    _departments()
    # the catalog's demo seed publishes 自然人基础库 (GD-GAT-RKJC) through its services
    catalog_demo_seed(people=len(registry.id_numbers), entities=len(registry.usccs))
    person_registry = DataResource.objects.get(code="GD-GAT-RKJC")
    assert (person_registry.status, person_registry.name) == ("published", "自然人基础库")
    requester, _ = _staff("gz_mzt_requester2", "冯申请", MZT, ["数据共享申请人员"])
    owner, _ = _staff("gd_gat_approver", "邓审批", GAT, ["数据共享审批人员"])
    request = sharing_request_submit(
        principal=requester.as_principal(),
        resource_code="GD-GAT-RKJC",
        fields=["id_number", "name", "household_region_code"],
        purpose="高龄津贴资格核对",
        legal_basis="《广东省养老服务条例》第二十条",
        scope="广州市民政局高龄津贴审核",
        period_end=timezone.localdate() + dt.timedelta(days=200),
    )
    sharing_request_decide(
        principal=owner.as_principal(),
        request_id=request.pk,
        approved_fields=["id_number", "name", "household_region_code"],
    )
    reader, other = registry.id_numbers[0], registry.id_numbers[1]
    citizen_make(username="data_use_reader", id_number=reader)
    citizen_make(username="data_use_other", id_number=other)

    # --- 广州市民政局's system reads the citizen's record by key --------------------------------
    headers = _machine(MZT, "广州市民政局养老服务系统")
    with httpx.Client(timeout=10) as api:
        read = api.get(
            f"{base_url}/api/v1/exchange/GD-GAT-RKJC/records/{reader}",
            params={"purpose": "高龄津贴资格核对"},
            headers=headers,
        )
    assert read.status_code == 200, read.text
    record = read.json()["record"]
    assert record["id_number"] == mask_id_number(reader)
    assert record["name"] != registry.name_of(reader) and "*" in record["name"]
    entry = ExchangeLogEntry.objects.get()
    assert (entry.operation, entry.outcome, entry.row_count) == ("record", "answered", 1)

    # --- the citizen sees that read ---------------------------------------------------------
    page = open_browser().page
    login(page, base_url, username="data_use_reader", password=PASSWORD, next_path="/citizen/")
    with page.expect_navigation():
        page.get_by_role("navigation", name="粤省事").get_by_role(
            "link", name="谁用了我的数据"
        ).click()
    assert page.url == f"{base_url}/citizen/data-use/"
    assert page.get_by_role("heading", level=1).inner_text() == "谁用了我的数据"
    assert page.get_by_test_id("total").inner_text() == "共 1 条记录"
    rows = page.get_by_test_id("data-use").locator("tbody tr")
    assert rows.count() == 1
    cells = [rows.first.locator("td").nth(i).inner_text() for i in range(5)]
    assert cells[1] == MZT_NAME
    assert cells[2] == "自然人基础库"
    assert "按主键查询" in cells[3]
    # the data items by their catalog labels, never by column names
    assert "公民身份号码" in cells[3] and "姓名" in cells[3]
    for field in ("id_number", "household_region_code"):
        assert field not in cells[3]
    assert cells[4] == "高龄津贴资格核对"
    # the department, not its internal system's name
    assert "养老服务系统" not in page.locator("main").inner_text()
    _no_template_source(page)
    screenshot(page, "data-center-citizen-data-use")

    # --- another citizen's page does not show it ----------------------------------------------
    other_page = open_browser().page
    login(
        other_page,
        base_url,
        username="data_use_other",
        password=PASSWORD,
        next_path="/citizen/data-use/",
    )
    assert other_page.url == f"{base_url}/citizen/data-use/"
    assert other_page.get_by_test_id("total").inner_text() == "共 0 条记录"
    assert other_page.get_by_test_id("data-use").count() == 0
    assert "暂无部门读取您的数据" in other_page.locator("main").inner_text()
    assert MZT_NAME not in other_page.locator("main").inner_text()


# --- 3. quality report and the analytics workspace -------------------------------------------


def test_quality_report_flags_the_seeded_bad_rows(
    open_browser, base_url, screenshot, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    _departments()
    registry_demo_generate(people=6, entities=QUALITY_ROWS + 5)
    assert "质量评分" in quality_demo_seed()
    resource = DataResource.objects.get(code=QUALITY_CODE)
    _steward, steward_device = _staff("gz_scjg_steward", "钟治理", SCJG, ["数据治理人员"])
    _analyst, analyst_device = _staff("gd_zsj_analyst", "方分析", ZSJ, ["数据分析人员"])

    # --- the data steward runs a check now ----------------------------------------------------
    steward = _signed_in(open_browser, base_url, "gz_scjg_steward", steward_device, "/staff/")
    with steward.expect_navigation():
        steward.get_by_role("navigation").get_by_role("link", name="数据治理").click()
    assert steward.url == f"{base_url}/staff/quality/"
    assert steward.get_by_role("heading", level=1).inner_text() == "数据治理"
    scored = (
        steward.get_by_test_id("resource-scores").get_by_role("row").filter(has_text=QUALITY_CODE)
    )
    assert scored.count() == 1
    with steward.expect_navigation():
        scored.get_by_role("button", name="立即检查").click()
    run = QualityRun.objects.filter(resource=resource).order_by("-pk").first()
    assert (run.trigger, run.rows_checked) == ("manual", QUALITY_ROWS)
    assert steward.url == f"{base_url}/staff/quality/runs/{run.pk}/"
    assert f"检查完成：{QUALITY_ROWS} 行" in steward.get_by_role("status").inner_text()
    assert steward.get_by_role("heading", level=1).inner_text() == "质量检查报告"
    summary = steward.get_by_test_id("run-summary").inner_text()
    assert "广州市市场主体年报主题库" in summary and "人工发起" in summary
    assert str(run.score) in summary

    # the report lists the seeded flaws, each under the rule that found it
    report = steward.get_by_test_id("run-report")
    assert "#5：" in report.inner_text()

    def rule_row(*words: str):
        found = report.locator("tbody tr")
        for word in words:
            found = found.filter(has_text=word)
        assert found.count() == 1, words
        return found.inner_text()

    bad_id = rule_row("#5：")
    assert "法定代表人公民身份号码" in bad_id
    duplicate = rule_row("#13：")
    assert "重复" in duplicate and "#12" in duplicate
    assert "449999" in rule_row("#20：")
    assert "法人基础库" in rule_row("#27：")
    assert "企业名称" in rule_row("#33：") and "为空" in rule_row("#33：")
    assert "天未更新" in rule_row("天未更新")
    # no personal value in clear: the bad ID number is shown masked
    entities = registry_records(kind="entity", fields=["legal_rep_id_number"], limit=QUALITY_ROWS)
    text = steward.locator("main").inner_text()
    # (row #5's number differs in its check digit only: compare the first 17 characters)
    assert not any(e["legal_rep_id_number"][:17] in text for e in entities)
    assert re.search(r"\d{4}\*{10}[\dX]{4}", bad_id), bad_id
    failing = {r["rule_id"]: r["failed"] for r in run.report}
    assert sum(failing.values()) == 6  # the five rows and the stale dataset, nothing else
    _no_template_source(steward)
    screenshot(steward, "data-center-quality-report")

    # the same flaws are open issues assigned to the department
    with steward.expect_navigation():
        steward.get_by_role("link", name="← 数据治理").click()
    assert steward.get_by_test_id("issue-total").inner_text() == "共 6 个"

    # --- an analyst queries a snapshot: masked values -----------------------------------------
    analyst = _signed_in(
        open_browser, base_url, "gd_zsj_analyst", analyst_device, "/staff/workspace/"
    )
    assert analyst.get_by_role("heading", level=1).inner_text() == "数据分析工作台"
    dataset = (
        analyst.get_by_test_id("datasets").get_by_role("listitem").filter(has_text=QUALITY_CODE)
    )
    with analyst.expect_navigation():
        dataset.get_by_role("button", name="建立快照").click()
    snapshot = WorkspaceSnapshot.objects.get()
    assert analyst.url == f"{base_url}/staff/workspace/?snapshot={snapshot.pk}"
    assert f"已建立快照（{QUALITY_ROWS} 行" in analyst.get_by_role("status").inner_text()
    query = analyst.get_by_test_id("query-form")
    query.get_by_label("SQL").fill(
        "SELECT uscc, legal_rep_name, legal_rep_id_number FROM data ORDER BY uscc LIMIT 5"
    )
    with analyst.expect_navigation():
        query.get_by_role("button", name="执行查询").click()
    assert analyst.get_by_test_id("result-count").inner_text() == "返回 5 行"
    result = analyst.get_by_test_id("result")
    headers = result.locator("thead th").all_inner_texts()
    assert headers == ["uscc", "legal_rep_name", "legal_rep_id_number"]
    cells = result.locator("tbody tr")
    assert cells.count() == 5
    for i in range(5):
        name = cells.nth(i).locator("td").nth(1).inner_text()
        number = cells.nth(i).locator("td").nth(2).inner_text()
        assert ID_MASK.match(number), number
        assert name[1:] == "*" * (len(name) - 1), name
    page_text = analyst.locator("main").inner_text()
    assert not any(e["legal_rep_id_number"][:17] in page_text for e in entities)
    screenshot(analyst, "data-center-workspace-masked")

    # --- a COPY ... TO is refused, with the reason shown --------------------------------------
    leak = tmp_path / "leak.csv"
    query = analyst.get_by_test_id("query-form")
    query.get_by_label("SQL").fill(f"COPY data TO '{leak}' (HEADER)")
    with analyst.expect_navigation():
        query.get_by_role("button", name="执行查询").click()
    error = analyst.get_by_test_id("query-error")
    assert error.inner_text() == "只允许只读查询（SELECT / WITH），不允许 COPY 语句"
    assert analyst.get_by_test_id("result").count() == 0
    assert not leak.exists()
    history = analyst.get_by_test_id("history").get_by_role("row").filter(has_text="COPY data")
    assert "已拒绝" in history.inner_text()
    assert list(WorkspaceQuery.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "success",
        "refused",
    ]
    _no_template_source(analyst)
    screenshot(analyst, "data-center-workspace-refused")
