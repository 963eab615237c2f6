"""一件事 in a browser: a demo citizen finds 新生儿出生一件事 on the public site, opens it,
signs in, sees one form already filled from the registries, fills in the child, gives each
shared material once, submits, and gets every component's instant decision (秒批) with
its explanation at once."""

import datetime
import json
import re

import pytest
from browser_steps import DESKTOP, PHONE, login
from django.utils import timezone

from digigov.apps.services.models import Application, BundleApplication
from digigov.apps.services.services.bundles import DATA_FILE, bundles_seed
from digigov.apps.services.services.instant import rules_demo_seed
from digigov.apps.services.services.items import items_catalog_load
from digigov.apps.services.testing import organizations_ready
from digigov.kernel.principals import Principal
from digigov.portals.testing import PASSWORD, citizen_make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * 200


def _newborn_catalog() -> None:
    """The newborn bundle's items in every city, their 秒批 rules and the 13 bundles, as
    the demo seed steps 40-42 make them."""
    organizations_ready()
    bundles = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    newborn = next(b for b in bundles if b["code"] == "newborn")
    codes = {c["standard_code"] for c in newborn["components"]}
    items = json.loads((DATA_FILE.parent / "items_bundles.json").read_text(encoding="utf-8"))
    items_catalog_load(
        principal=Principal(kind="operator", id="e2e"),
        entries=[i for i in items if i["standard_code"] in codes],
    )
    rules_demo_seed()
    bundles_seed()


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _newborn_form_fill(page, *, child: tuple[str, str, str], parents: tuple[str, str]) -> None:
    """The child, the parents and the two shared uploads of the newborn bundle's form."""
    name, gender, born = child
    page.get_by_label("新生儿姓名").fill(name)
    page.get_by_label("新生儿性别").select_option(gender)
    page.get_by_label(re.compile(r"^出生日期")).fill(born)
    page.get_by_label("出生医院").fill("广州市妇女儿童医疗中心")
    page.get_by_label("母亲公民身份号码").fill(parents[0])
    page.get_by_label("父亲公民身份号码").fill(parents[1])
    page.get_by_label("随父或随母落户").select_option("随母")
    page.get_by_label("上传居民身份证").set_input_files(_pdf("身份证.pdf"))
    page.get_by_label("上传居民户口簿").set_input_files(_pdf("户口簿.pdf"))


def test_citizen_files_newborn_bundle_and_gets_instant_decisions(
    open_browser, base_url, registry, settings, tmp_path, screenshot
):
    settings.DIGIGOV_UPLOAD_ROOT = tmp_path / "uploads"
    _newborn_catalog()
    mother_id, father_id = registry.id_numbers[0], registry.id_numbers[1]
    citizen = citizen_make(username="zhangsan", id_number=mother_id)
    born = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    page = open_browser(viewport=PHONE).page

    # Find it from the public home page.
    page.goto(f"{base_url}/")
    with page.expect_navigation():
        page.get_by_role("link", name="一件事主题服务").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("新生儿出生一件事")).click()
    assert page.get_by_role("heading", level=1).inner_text() == "新生儿出生一件事"
    assert page.get_by_test_id("bundle-component").count() == 5
    screenshot(page, "bundle-newborn-guide-390")

    # Apply: the portal asks for a login first and comes back to the form.
    with page.expect_navigation():
        page.get_by_test_id("bundle-apply").click()
    login(page, base_url, username="zhangsan", password=PASSWORD)
    assert page.url == f"{base_url}/citizen/bundles/newborn/apply/"
    name = page.get_by_label("申请人姓名")
    assert name.input_value() == citizen.real_name
    assert name.get_attribute("readonly") is not None  # 免填写: from the registry
    assert page.get_by_label(re.compile(r"^公民身份号码")).input_value() == mother_id
    assert page.get_by_text("已从基础库自动填写").count() >= 2
    assert page.get_by_label("新生儿姓名").count() == 1  # shared by five items, asked once

    _newborn_form_fill(page, child=("王小明", "男", born), parents=(mother_id, father_id))
    page.get_by_label("联系地址").fill("广州市天河区天河路100号")
    screenshot(page, "bundle-newborn-form-390")
    with page.expect_navigation():
        page.get_by_role("button", name="一次提交").click()

    # One result: every component decided at once, each with its explanation.
    bundle_application = BundleApplication.objects.get()
    assert page.url == f"{base_url}/citizen/bundles/applications/{bundle_application.number}/"
    assert page.get_by_test_id("bundle-status").inner_text() == "已办结"
    cases = page.get_by_test_id("bundle-case")
    assert cases.count() == 5
    for index in range(5):
        assert cases.nth(index).get_by_test_id("bundle-case-status").inner_text() == "准予许可"
    assert set(Application.objects.values_list("status", flat=True)) == {"approved"}
    registration = cases.filter(has_text="出生登记（户口）")
    registration.get_by_text("查看决定说明").click()
    explanation = registration.get_by_test_id("decision")
    assert "新生儿出生不超过30天" in explanation.inner_text()
    assert "申请人户籍在广东省" in explanation.inner_text()
    screenshot(page, "bundle-newborn-result-390")

    # The component case page (its own timeline and decision) is one link away.
    with page.expect_navigation():
        registration.get_by_role("link", name="办件详情与进度").click()
    assert re.search(r"/citizen/cases/[0-9A-Z-]+/$", page.url)
    assert "准予许可" in page.locator("main").inner_text()


def test_kiosk_files_newborn_bundle_and_prints_a_receipt(
    open_browser, base_url, registry, settings, tmp_path, screenshot
):
    """The same bundle at a self-service kiosk: picked on the kiosk's home screen, the same
    prefilled form after signing in, and a receipt with every component's case number and a
    QR code to follow the bundle on a phone."""
    settings.DIGIGOV_UPLOAD_ROOT = tmp_path / "uploads"
    _newborn_catalog()
    mother_id, father_id = registry.id_numbers[0], registry.id_numbers[1]
    citizen = citizen_make(username="kiosk_mother", id_number=mother_id)
    born = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    page = open_browser(viewport=DESKTOP).page

    page.goto(f"{base_url}/kiosk/")
    with page.expect_navigation():
        page.get_by_test_id("kiosk-bundles").get_by_role(
            "link", name=re.compile("新生儿出生一件事")
        ).click()
    login(page, base_url, username="kiosk_mother", password=PASSWORD)
    assert page.url == f"{base_url}/kiosk/bundles/newborn/"
    assert page.get_by_label("申请人姓名").input_value() == citizen.real_name
    _newborn_form_fill(page, child=("李小红", "女", born), parents=(mother_id, father_id))
    page.get_by_label("联系地址").fill("广州市越秀区中山路1号")
    with page.expect_navigation():
        page.get_by_role("button", name="一次提交").click()

    bundle_application = BundleApplication.objects.get()
    assert page.url == f"{base_url}/kiosk/bundles/receipts/{bundle_application.number}/"
    assert page.get_by_test_id("bundle-receipt-number").inner_text() == bundle_application.number
    rows = page.get_by_test_id("bundle-receipt-cases").locator("tbody tr")
    assert rows.count() == 5
    numbers = set(bundle_application.applications.values_list("number", flat=True))
    assert {rows.nth(i).locator("td").nth(2).inner_text() for i in range(5)} == numbers
    assert set(bundle_application.applications.values_list("channel", flat=True)) == {"kiosk"}
    assert page.get_by_test_id("receipt-qr").locator("svg").count() == 1
    screenshot(page, "bundle-newborn-kiosk-receipt")
