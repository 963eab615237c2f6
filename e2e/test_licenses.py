"""电子证照 in a browser (issue 4). A citizen's 秒批 case for 退休证核发 of 广州市人力资源和社会
保障局 is approved and the 退休证 is issued into the citizen's wallet (卡包); its QR opens the
public verification page, which shows 有效 with the masked name only. A downloaded signed copy
with one face field changed reads as tampered; a 制证人员 suspends the license until a date
and the public page shows 暂停使用 and that date. A bank (registered API client with the scope
licenses:use) reads the license only after the holder grants it in the wallet, and the holder
sees the bank's read in the license's use log (用证记录)."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from browser_steps import login, staff_login

from digigov.apps.services.models import Application
from digigov.apps.services.services.applications import application_submit
from digigov.apps.services.services.instant import ruleset_draft_save, ruleset_publish
from digigov.apps.services.testing import item_make, organizations_ready
from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.ids import mask_name
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.portals.testing import PASSWORD, citizen_make, totp_code, totp_device_make
from digigov.support.identity import services as identity
from digigov.support.licenses.models import Authorization, License, LicenseUse
from digigov.support.licenses.rendering import license_verify_url
from digigov.support.licenses.services.catalog import license_types_load

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OPERATOR = Principal(kind="operator", id="e2e")
ITEM_CODE = "E2E-RSJ-TXZ-440100"
ISSUER = "广州市人力资源和社会保障局"
EXISTS_RULE = {
    "id": "exists",
    "label": "申请人在人口库中有记录",
    "fact": "applicant.exists_in_registry",
    "op": "is_true",
    "message": "人口库中没有申请人的记录",
}
FORM = {
    "type": "object",
    "required": ["applicant_name", "applicant_id_number", "phone", "retired_on"],
    "properties": {
        "applicant_name": {"type": "string", "title": "申请人姓名", "prefill": "person.name"},
        "applicant_id_number": {
            "type": "string",
            "title": "公民身份号码",
            "prefill": "person.id_number",
        },
        "phone": {"type": "string", "title": "联系电话", "pattern": "^1[3-9][0-9]{9}$"},
        "retired_on": {"type": "string", "title": "退休日期"},
        "former_employer": {"type": "string", "title": "原工作单位"},
    },
}
RETIRED_ON = "2025-06-30"
BANK = "广州某某银行天河支行"


def _retiree_case(registry, *, username: str) -> tuple[Application, License]:
    """The license catalog (seed file), a 秒批 item of 广州市人社局 whose result is the 退休证
    (TXZ), and a real-name citizen's case for it, approved at once; the license is issued on
    approval (the domain event is delivered when the filing transaction commits)."""
    organizations_ready()
    license_types_load()
    item = item_make(
        code=ITEM_CODE,
        name="退休证核发",
        organization_code="440100-rsj",
        approval_mode="instant",
        item_type="confirmation",
        subject_kind="person",
        form_schema=FORM,
        result_name="退休证",
        result_license_type="TXZ",
    )
    draft = ruleset_draft_save(
        principal=OPERATOR, standard_code=item.standard_code, rules=[EXISTS_RULE]
    )
    ruleset_publish(principal=OPERATOR, ruleset_id=draft.pk)
    citizen = citizen_make(username=username, id_number=registry.id_numbers[0])
    application = application_submit(
        principal=citizen.as_principal(),
        item_code=ITEM_CODE,
        form_data={
            "phone": "13800138000",
            "retired_on": RETIRED_ON,
            "former_employer": "广州市某某机械厂",
        },
        idempotency_key=f"e2e-{username}",
    )
    assert application.status == "approved", application.status  # 秒批
    application.refresh_from_db()
    license = License.objects.select_related("license_type", "issuer").get(
        source_reference=application.number
    )
    return application, license


def _no_template_source(page) -> None:
    """Nothing of the templates' own source (comments, tags) reaches the reader."""
    text = page.locator("main").inner_text()
    assert "{#" not in text and "{%" not in text, text[:300]


def _verify_page(open_browser, base_url: str, address: str):
    """An anonymous visitor opens what the license's QR code encodes."""
    url = license_verify_url(address)
    assert url == f"{base_url}/verify/l/{address}/"  # DIGIGOV_PUBLIC_URL is the live server
    page = open_browser().page
    page.goto(url)
    return page


def test_approved_case_puts_the_license_in_the_wallet_and_its_qr_verifies(
    open_browser, base_url, registry, screenshot, settings
):
    settings.DIGIGOV_PUBLIC_URL = base_url
    application, license = _retiree_case(registry, username="retiree")
    id_number = registry.id_numbers[0]
    name = registry.name_of(id_number)
    # the database: the 退休证 of the applicant, signed by the handling department, from the case
    assert (license.license_type.code, license.holder_key) == ("TXZ", id_number)
    assert license.issuer.code == "440100-rsj"
    assert license.source == License.Source.CASE
    assert license.status == License.Status.VALID
    assert license.data["retired_on"] == RETIRED_ON
    assert application.result_reference == license.address

    # --- the citizen finds it in 我的证照 -------------------------------------------------------
    page = open_browser().page
    login(page, base_url, username="retiree", password=PASSWORD, next_path="/citizen/")
    assert page.url == f"{base_url}/citizen/"
    with page.expect_navigation():
        page.get_by_role("navigation", name="粤省事").get_by_role("link", name="我的证照").click()
    assert page.get_by_role("heading", level=1).inner_text() == "我的证照"
    cards = page.get_by_test_id("license-cards").get_by_role("listitem")
    assert cards.count() == 1
    card = cards.first
    assert card.get_by_role("heading", name="退休证").is_visible()
    assert license.number in card.inner_text()
    assert ISSUER in card.inner_text()
    assert card.locator("[data-status]").inner_text() == "有效"
    _no_template_source(page)
    with page.expect_navigation():
        card.get_by_role("link").click()
    assert page.url == f"{base_url}/citizen/licenses/{license.address}/"
    assert page.get_by_role("heading", level=1).inner_text() == "退休证"
    face = page.get_by_test_id("license-face").inner_text()
    assert name in face
    assert "2025-06-30" in face
    assert license.address in face
    _no_template_source(page)

    # --- the case shows the issued license -------------------------------------------------------
    with page.expect_navigation():
        page.get_by_role("navigation", name="粤省事").get_by_role("link", name="我的办件").click()
    with page.expect_navigation():
        page.get_by_test_id("case-list").get_by_role("link", name="退休证核发").click()
    assert page.url == f"{base_url}/citizen/cases/{application.number}/"
    assert page.get_by_test_id("case-status").inner_text() == "准予许可"
    assert license.address in page.get_by_test_id("case-facts").inner_text()
    timeline = page.get_by_test_id("timeline").inner_text()
    assert f"已签发电子证照：退休证（{license.address}），已存入卡包" in timeline
    screenshot(page, "licenses-case-issued")

    # --- an anonymous visitor scans the QR -------------------------------------------------------
    verifier = _verify_page(open_browser, base_url, license.address)
    result = verifier.get_by_test_id("verify-result")
    assert result.get_attribute("data-outcome") == "valid"
    assert verifier.get_by_role("status").inner_text().endswith("有效")
    assert verifier.get_by_test_id("verify-type").inner_text() == "退休证"
    assert verifier.get_by_test_id("verify-issuer").inner_text() == ISSUER
    assert verifier.get_by_test_id("verify-holder").inner_text() == mask_name(name)
    body = verifier.locator("body").inner_text()
    assert id_number not in body and id_number[-4:] not in body
    assert name not in body  # only the masked name
    assert RETIRED_ON not in body  # no face data
    screenshot(verifier, "licenses-verify-valid")
    # the check is the holder's to see
    assert LicenseUse.objects.filter(license=license, kind=LicenseUse.Kind.VERIFY).count() == 1


def test_modified_copy_fails_and_suspended_license_shows_its_date(
    open_browser, base_url, registry, screenshot, settings, tmp_path
):
    settings.DIGIGOV_PUBLIC_URL = base_url
    _application, license = _retiree_case(registry, username="retiree2")

    # --- the citizen downloads the signed JSON from the wallet --------------------------------
    page = open_browser().page
    login(
        page,
        base_url,
        username="retiree2",
        password=PASSWORD,
        next_path=f"/citizen/licenses/{license.address}/",
    )
    assert page.get_by_role("heading", level=1).inner_text() == "退休证"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载签名文件（JSON）").click()
    download = download_info.value
    assert download.suggested_filename == f"{license.address}.json"
    original = tmp_path / "original.json"
    download.save_as(original)
    envelope = json.loads(original.read_text(encoding="utf-8"))
    assert envelope["document"]["data"]["retired_on"] == RETIRED_ON
    assert LicenseUse.objects.filter(license=license, kind=LicenseUse.Kind.DOWNLOAD).count() == 1

    # the untouched copy verifies (so the tampered verdict below is about the change)
    verifier = open_browser().page
    verifier.goto(f"{base_url}/verify/")
    verifier.get_by_label("或上传文件").set_input_files(str(original))
    with verifier.expect_navigation():
        verifier.get_by_role("button", name="开始核验").click()
    assert verifier.get_by_test_id("verify-result").get_attribute("data-outcome") == "valid"
    assert "内容完整，未被改动" in verifier.get_by_test_id("verify-copy").inner_text()

    # --- one face field changed: the page says the copy was tampered with --------------------
    envelope["document"]["data"]["retired_on"] = "2015-06-30"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(envelope, ensure_ascii=False, indent=2), encoding="utf-8")
    verifier.goto(f"{base_url}/verify/")
    verifier.get_by_label("或上传文件").set_input_files(str(forged))
    with verifier.expect_navigation():
        verifier.get_by_role("button", name="开始核验").click()
    result = verifier.get_by_test_id("verify-result")
    assert result.get_attribute("data-outcome") == "tampered"
    assert verifier.get_by_role("status").inner_text().endswith("内容被篡改")
    assert "篡改" in verifier.get_by_test_id("verify-message").inner_text()
    assert "已被改动" in verifier.get_by_test_id("verify-copy").inner_text()
    screenshot(verifier, "licenses-verify-tampered")
    license.refresh_from_db()
    assert license.status == License.Status.VALID  # a forged copy changes nothing

    # --- a 制证人员 of the issuing department suspends it until a date ---------------------------
    identity.roles_seed()
    clerk = identity.staff_account_create(
        actor=None,
        username="gz_rsj_licenses",
        password=PASSWORD,
        real_name="黎制证",
        organization_id=Organization.objects.get(code="440100-rsj").pk,
        roles=["制证人员"],
    )
    device = totp_device_make(clerk)
    staff = open_browser().page
    staff_login(
        staff,
        base_url,
        username="gz_rsj_licenses",
        password=PASSWORD,
        code=totp_code(device),
        next_path="/staff/licenses/",
    )
    assert staff.get_by_role("heading", level=1).inner_text() == "证照管理"
    row = staff.get_by_role("row").filter(has_text=license.number)
    assert row.count() == 1
    with staff.expect_navigation():
        row.get_by_role("link").first.click()
    assert staff.url == f"{base_url}/staff/licenses/{license.address}/"
    assert staff.get_by_test_id("license-status").inner_text() == "有效"
    until = dt.date.today() + dt.timedelta(days=90)
    suspend = staff.locator("form").filter(has=staff.get_by_role("heading", name="暂停使用"))
    suspend.get_by_label("暂停至（含当日）").fill(until.isoformat())
    suspend.get_by_label("原因").fill("违反社会保险待遇领取规定，暂停三个月")
    with staff.expect_navigation():
        suspend.get_by_role("button", name="暂停使用").click()
    assert "已暂停使用" in staff.get_by_role("status").inner_text()
    assert staff.get_by_test_id("license-status").inner_text() == "暂停使用"
    assert f"至 {until.isoformat()}" in staff.get_by_test_id("license-facts").inner_text()
    screenshot(staff, "licenses-staff-suspended")
    license.refresh_from_db()
    assert (license.status, license.suspended_until) == (License.Status.SUSPENDED, until)

    # --- the public page shows 暂停使用 and the date ---------------------------------------------
    verifier.goto(license_verify_url(license.address))
    result = verifier.get_by_test_id("verify-result")
    assert result.get_attribute("data-outcome") == "suspended"
    assert verifier.get_by_role("status").inner_text().endswith("暂停使用")
    shown = f"{until.year}年{until.month}月{until.day}日"
    assert verifier.get_by_test_id("verify-suspended-until").inner_text() == shown
    assert f"{until:%Y年%m月%d日}" in verifier.get_by_test_id("verify-message").inner_text()
    screenshot(verifier, "licenses-verify-suspended")

    # --- and the holder's wallet says the same -----------------------------------------------
    page.goto(f"{base_url}/citizen/licenses/")
    badge = page.get_by_test_id("license-cards").locator("[data-status]")
    assert badge.inner_text() == f"暂停使用（至 {until.isoformat()}）"


def test_bank_sees_a_license_only_after_the_holder_authorises(
    open_browser, base_url, registry, screenshot, settings
):
    settings.DIGIGOV_PUBLIC_URL = base_url
    _application, license = _retiree_case(registry, username="retiree3")
    id_number = registry.id_numbers[0]
    bank = machine_client_create(actor=OPERATOR, name=BANK, scopes=["licenses:use"])
    headers = {"X-API-Key": api_key_issue(actor=OPERATOR, client_id=bank.pk).key}
    api = httpx.Client(base_url=f"{base_url}/api/v1/licenses", timeout=10)

    # --- the bank asks; the answer is "pending" and reading fails ------------------------------
    asked = api.post(
        "/authorizations",
        headers=headers,
        json={
            "holder_kind": "person",
            "holder_key": id_number,
            "license_type": "TXZ",
            "purpose": "办理养老金账户开户",
            "days": 30,
        },
    )
    assert asked.status_code == 201, asked.text
    authorization_id = asked.json()["id"]
    assert asked.json()["status"] == "pending"
    early = api.get(f"/authorizations/{authorization_id}/license", headers=headers)
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "licenses/authorization_not_granted"
    assert "data" not in early.json() and id_number not in early.text
    # without the key nobody reads anything either
    assert api.get(f"/authorizations/{authorization_id}/license").status_code == 401
    assert not LicenseUse.objects.filter(kind=LicenseUse.Kind.THIRD_PARTY).exists()

    # --- the holder grants it in the wallet -------------------------------------------------------
    page = open_browser().page
    login(page, base_url, username="retiree3", password=PASSWORD, next_path="/citizen/licenses/")
    assert page.get_by_role("heading", level=1).inner_text() == "我的证照"
    request = page.locator(f"[data-authorization='{authorization_id}']")
    assert request.get_by_role("heading").inner_text() == f"{BANK} 申请查看您的“退休证”"
    assert "办理养老金账户开户" in request.inner_text()
    assert "待持证人授权" in request.inner_text()
    _no_template_source(page)
    request.get_by_role("radio", name=f"退休证（{license.number}，{ISSUER}）").check()
    screenshot(page, "licenses-authorization-request")
    with page.expect_navigation():
        request.get_by_role("button", name="同意授权").click()
    assert "已同意授权" in page.locator("main").inner_text()
    authorization = Authorization.objects.get(pk=authorization_id)
    assert authorization.status == Authorization.Status.GRANTED
    assert authorization.license_id == license.pk

    # --- the bank reads it ------------------------------------------------------------------------
    status = api.get(f"/authorizations/{authorization_id}", headers=headers)
    assert status.json()["status"] == "granted"
    view = api.get(f"/authorizations/{authorization_id}/license", headers=headers)
    assert view.status_code == 200, view.text
    assert view.json()["address"] == license.address
    assert view.json()["data"]["retired_on"] == RETIRED_ON
    assert view.json()["issuer_name"] == ISSUER
    use = LicenseUse.objects.get(kind=LicenseUse.Kind.THIRD_PARTY)
    assert (use.license_id, use.client_id, use.user_label) == (license.pk, bank.pk, BANK)
    api.close()

    # --- the holder sees that use ----------------------------------------------------------------
    page.goto(f"{base_url}/citizen/licenses/{license.address}/")
    uses = page.get_by_test_id("license-uses").get_by_role("row").filter(has_text=BANK)
    assert uses.count() == 1
    assert "授权用证" in uses.inner_text()
    assert "办理养老金账户开户" in uses.inner_text()
    granted = page.locator(f"[data-authorization='{authorization_id}']")
    assert "已授权" in granted.inner_text()
    assert "已查看" in granted.inner_text()
    _no_template_source(page)
    screenshot(page, "licenses-use-log")
