"""粤政易 · 电子印章: the seal list, apply, four-eyes approval, suspend/resume/revoke, 用章
with download, the use log, and who may see and do what (denied calls change nothing)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from digigov.support.identity.testing import login, staff_make
from digigov.support.seals.models import Seal, SealUse
from digigov.support.seals.selectors.verification import pdf_verify
from digigov.support.seals.testing import pdf_make, seal_make

pytestmark = pytest.mark.django_db


def _client(username: str, org: str = "440100-scjg", roles=("印章管理员",)) -> Client:
    return login(Client(), staff_make(username, organization_code=org, roles=list(roles)))


@pytest.fixture
def admin():
    return _client("sealadmin01")


@pytest.fixture
def approver():
    return _client("sealapprover01", roles=("印章审批人员",))


def test_list_shows_seals_status_validity_and_uses(admin):
    seal = seal_make()
    seal_make("440100-gat")  # another department's seal is not listed

    page = admin.get("/staff/seals/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "广州市市场监督管理局" in html and "已启用" in html
    assert "广州市公安局" not in html
    assert f"/staff/seals/{seal.pk}/" in html
    assert 'data-testid="apply-form"' in html
    assert "用章：对 PDF 文件签章" in html


def test_apply_then_approve_by_another_person(admin, approver):
    response = admin.post("/staff/seals/apply/", {"kind": "approval", "purpose_note": "审批决定书"})
    seal = Seal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/seals/{seal.pk}/"
    own = admin.get(f"/staff/seals/{seal.pk}/").content.decode()
    assert 'data-testid="decide-form"' not in own  # no approve button for one's own application
    assert "<svg" in own and "行政审批专用章" in own

    approver_page = approver.get("/staff/seals/").content.decode()
    assert 'data-testid="waiting"' in approver_page
    approver.post(f"/staff/seals/{seal.pk}/decide/", {"decision": "approve", "note": "同意"})

    seal.refresh_from_db()
    assert seal.status == "active" and seal.certificate_serial


def test_the_applicant_cannot_approve_by_posting(db):
    both = _client("both01", roles=("印章管理员", "印章审批人员"))
    both.post("/staff/seals/apply/", {"kind": "finance"})
    seal = Seal.objects.get()

    response = both.post(f"/staff/seals/{seal.pk}/decide/", {"decision": "approve"}, follow=True)

    assert "不能审批本人提交的印章申请" in response.content.decode()
    assert Seal.objects.get(pk=seal.pk).status == "applied"


def test_suspend_needs_a_reason_then_resume_and_revoke(admin):
    seal = seal_make()
    page = admin.post(
        f"/staff/seals/{seal.pk}/status/", {"action": "suspend", "reason": ""}, follow=True
    )
    assert "请填写暂停原因" in page.content.decode()
    assert Seal.objects.get(pk=seal.pk).status == "active"

    admin.post(f"/staff/seals/{seal.pk}/status/", {"action": "suspend", "reason": "交接"})
    assert Seal.objects.get(pk=seal.pk).status == "suspended"
    admin.post(f"/staff/seals/{seal.pk}/status/", {"action": "resume", "reason": "交接完成"})
    assert Seal.objects.get(pk=seal.pk).status == "active"
    admin.post(f"/staff/seals/{seal.pk}/status/", {"action": "revoke", "reason": "撤并"})
    assert Seal.objects.get(pk=seal.pk).status == "revoked"
    history = admin.get(f"/staff/seals/{seal.pk}/").content.decode()
    assert "交接完成" in history and "已注销" in history


def _upload(content: bytes, name: str = "通知.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_use_downloads_a_sealed_pdf_and_logs_it(admin):
    seal = seal_make()
    form = admin.get(f"/staff/seals/use/?seal={seal.pk}").content.decode()
    assert "签章并下载" in form

    response = admin.post(
        "/staff/seals/use/",
        {"seal_id": seal.pk, "reason": "发文", "page": "1", "pdf": _upload(pdf_make())},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert pdf_verify(pdf=response.content)[0].verdict == "valid"
    use = SealUse.objects.get()
    assert (use.file_name, use.purpose) == ("通知.pdf", "发文")
    log = admin.get("/staff/seals/").content.decode()
    assert "通知.pdf" in log and "发文" in log


def test_use_with_a_bad_file_or_suspended_seal_shows_the_error(admin):
    seal = seal_make()
    bad = admin.post(
        "/staff/seals/use/", {"seal_id": seal.pk, "reason": "发文", "pdf": _upload(b"hello")}
    )
    assert bad.status_code == 422
    assert "上传的文件不是 PDF" in bad.content.decode()
    admin.post(f"/staff/seals/{seal.pk}/status/", {"action": "suspend", "reason": "暂停"})
    suspended = admin.post(
        "/staff/seals/use/", {"seal_id": seal.pk, "reason": "发文", "pdf": _upload(pdf_make())}
    )
    assert suspended.status_code == 409
    assert "已暂停" in suspended.content.decode()
    assert not SealUse.objects.exists()


def test_staff_of_another_organization_cannot_use_or_manage(db):
    seal = seal_make()
    other = _client("gatadmin01", org="440100-gat")

    response = other.post(
        "/staff/seals/use/", {"seal_id": seal.pk, "reason": "越权", "pdf": _upload(pdf_make())}
    )
    assert response.status_code == 403
    other.post(f"/staff/seals/{seal.pk}/status/", {"action": "revoke", "reason": "越权"})
    assert other.get(f"/staff/seals/{seal.pk}/").status_code == 302  # not found: back to list
    assert Seal.objects.get(pk=seal.pk).status == "active"
    assert not SealUse.objects.exists()


@pytest.mark.parametrize("kind", ["anonymous", "citizen", "staff_no_otp", "staff"])
def test_others_cannot_reach_the_seal_pages(as_kind, kind):
    seal = seal_make(active=False)
    client = as_kind(kind)  # "staff" here is a window clerk without any seal role

    assert client.get("/staff/seals/").status_code in (302, 403)
    client.post("/staff/seals/apply/", {"kind": "contract"})
    client.post(f"/staff/seals/{seal.pk}/decide/", {"decision": "approve"})
    client.post(
        "/staff/seals/use/", {"seal_id": seal.pk, "reason": "x", "pdf": _upload(pdf_make())}
    )

    assert list(Seal.objects.values_list("status", flat=True)) == ["applied"]
    assert not SealUse.objects.exists()
