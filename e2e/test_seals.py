"""电子印章 in a browser (issue 4): 广州市市场监督管理局's seal administrator applies for the
行政审批专用章 on /staff/seals/, the seal approver (another person: four-eyes) approves it, the
administrator seals an uploaded PDF on /staff/seals/use/ and downloads it; an anonymous
visitor verifies it on /verify/pdf/ (有效), and copies changed after sealing (an appended
incremental update, a flipped byte in the sealed content) fail (签章后被修改)."""

from __future__ import annotations

import io

import pytest
from browser_steps import staff_login
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from digigov.kernel.organizations.models import Organization
from digigov.portals.testing import PASSWORD, totp_code, totp_device_make
from digigov.support.identity import services as identity
from digigov.support.seals.models import Seal, SealStatus, SealUse
from digigov.support.seals.testing import organizations_make, pdf_make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ORGANIZATION = "广州市市场监督管理局"
SEAL_NAME = f"{ORGANIZATION}行政审批专用章"
DOCUMENT_TEXT = "Food business licence decision GZ-2025-001, amount 100 yuan"


def _staff(username: str, real_name: str, role: str):
    """A civil servant of 广州市市场监督管理局 with the role; returns their authenticator."""
    identity.roles_seed()
    account = identity.staff_account_create(
        actor=None,
        username=username,
        password=PASSWORD,
        real_name=real_name,
        organization_id=Organization.objects.get(code="440100-scjg").pk,
        roles=[role],
    )
    return totp_device_make(account)


def _verify(page, base_url: str, path) -> str:
    """Upload a PDF on the public page; the verdict of its one seal."""
    page.goto(f"{base_url}/verify/pdf/")
    page.get_by_label("PDF 文件").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="开始验证").click()
    assert page.get_by_role("heading", level=1).inner_text() == "签章文件验证结果"
    verdicts = page.get_by_test_id("seal-verdict")
    assert verdicts.count() == 1, page.locator("main").inner_text()
    return verdicts.get_attribute("data-verdict")


def test_department_seals_a_pdf_and_a_changed_copy_fails(
    open_browser, base_url, screenshot, tmp_path
):
    organizations_make()
    admin_device = _staff("gz_scjg_seal_admin", "吴管章", "印章管理员")
    approver_device = _staff("gz_scjg_seal_approver", "郑审批", "印章审批人员")

    # --- the seal administrator applies for the seal --------------------------------------------
    admin = open_browser().page
    staff_login(
        admin,
        base_url,
        username="gz_scjg_seal_admin",
        password=PASSWORD,
        code=totp_code(admin_device),
        next_path="/staff/seals/",
    )
    assert admin.get_by_role("heading", level=1).inner_text() == "电子印章"
    assert "本单位还没有电子印章" in admin.locator("main").inner_text()
    form = admin.get_by_test_id("apply-form")
    form.get_by_label("印章类型").select_option(label="行政审批专用章")
    form.get_by_label("申请事由").fill("食品经营许可决定书网上签章")
    with admin.expect_navigation():
        form.get_by_role("button", name="提交申请").click()
    assert "已提交" in admin.get_by_role("status").inner_text()
    assert admin.get_by_role("heading", level=1).inner_text() == SEAL_NAME
    assert admin.get_by_test_id("seal-status").inner_text() == "申请中"
    # the applicant may not approve their own application
    assert admin.get_by_test_id("decide-form").count() == 0
    assert "双人复核" in admin.get_by_test_id("own-application").inner_text()
    seal = Seal.objects.get()
    assert (seal.name, seal.status) == (SEAL_NAME, SealStatus.APPLIED)

    # --- the approver approves it ----------------------------------------------------------------
    approver = open_browser().page
    staff_login(
        approver,
        base_url,
        username="gz_scjg_seal_approver",
        password=PASSWORD,
        code=totp_code(approver_device),
        next_path="/staff/seals/",
    )
    waiting = approver.get_by_test_id("waiting")
    with approver.expect_navigation():
        waiting.get_by_role("link", name=SEAL_NAME).click()
    decide = approver.get_by_test_id("decide-form")
    decide.get_by_label("审批意见（驳回时必填）").fill("同意启用")
    with approver.expect_navigation():
        decide.get_by_role("button", name="批准并启用").click()
    assert "已批准" in approver.get_by_role("status").inner_text()
    assert approver.get_by_test_id("seal-status").inner_text() == "已启用"
    seal.refresh_from_db()
    assert seal.status == SealStatus.ACTIVE
    assert seal.certificate_serial
    approver.context.close()

    # --- the administrator seals a PDF and downloads it ------------------------------------------
    original = tmp_path / "决定书.pdf"
    original.write_bytes(pdf_make(DOCUMENT_TEXT))
    admin.goto(f"{base_url}/staff/seals/")
    with admin.expect_navigation():
        admin.get_by_role("link", name="用章：对 PDF 文件签章").click()
    assert admin.get_by_role("heading", level=1).inner_text() == "用章：对 PDF 文件签章"
    use = admin.get_by_test_id("use-form")
    use.get_by_label("印章").select_option(label=f"{SEAL_NAME}（行政审批专用章）")
    use.get_by_label("PDF 文件").set_input_files(str(original))
    use.get_by_label("用章事由").fill("食品经营许可决定书")
    with admin.expect_download() as download_info:
        use.get_by_role("button", name="签章并下载").click()
    download = download_info.value
    assert download.suggested_filename == "决定书-已签章.pdf"
    sealed = tmp_path / "sealed.pdf"
    download.save_as(sealed)
    sealed_bytes = sealed.read_bytes()
    assert sealed_bytes.startswith(original.read_bytes())  # an incremental signature
    record = SealUse.objects.get()
    assert (record.seal_id, record.file_name, record.purpose) == (
        seal.pk,
        "决定书.pdf",
        "食品经营许可决定书",
    )
    admin.goto(f"{base_url}/staff/seals/")
    assert "决定书.pdf" in admin.get_by_test_id("use-log").inner_text()
    screenshot(admin, "seals-use-log")

    # --- an anonymous visitor verifies it ---------------------------------------------------------
    visitor = open_browser().page
    assert _verify(visitor, base_url, sealed) == "valid"
    verdict = visitor.get_by_test_id("seal-verdict")
    assert verdict.locator(".outcome").inner_text().endswith("有效")
    facts = verdict.inner_text()
    assert SEAL_NAME in facts and "440100-scjg" in facts
    assert "食品经营许可决定书" in facts
    assert "均有效" in visitor.get_by_test_id("seal-verify-summary").inner_text()
    screenshot(visitor, "seals-verify-valid")

    # --- a copy with an appended incremental change fails ----------------------------------------
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed_bytes))
    stamp = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 30 Tf 72 500 Td (AMOUNT WAIVED) Tj ET")
    )
    writer.add_stream_to_page(0, stamp)
    appended = io.BytesIO()
    writer.write(appended)
    appended_path = tmp_path / "appended.pdf"
    appended_path.write_bytes(appended.getvalue())
    assert _verify(visitor, base_url, appended_path) == "modified"
    verdict = visitor.get_by_test_id("seal-verdict")
    assert "签章后被修改" in verdict.inner_text()
    assert "追加了签章以外的改动" in verdict.inner_text()
    assert "请勿采信" in visitor.get_by_test_id("seal-verify-summary").inner_text()

    # --- and so does a copy with one changed byte in the sealed content --------------------------
    position = sealed_bytes.index(b"amount 100")
    flipped = sealed_bytes[:position] + b"amount 900" + sealed_bytes[position + 10 :]
    flipped_path = tmp_path / "flipped.pdf"
    flipped_path.write_bytes(flipped)
    assert _verify(visitor, base_url, flipped_path) == "modified"
    verdict = visitor.get_by_test_id("seal-verdict")
    assert "签章后被修改" in verdict.inner_text()
    assert "摘要不符" in verdict.inner_text()
    screenshot(visitor, "seals-verify-modified")
    assert SealUse.objects.count() == 1  # verifying seals nothing
