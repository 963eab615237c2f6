"""广东政务服务网 · /verify/pdf/: anyone uploads a sealed PDF and sees the verdict per seal;
a modified copy fails; bad files get a clear message; every check is audited."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from digigov.kernel.audit.models import AuditEntry
from digigov.support.seals.services.sealing import pdf_seal
from digigov.support.seals.testing import admin_principal, pdf_make, seal_make

pytestmark = pytest.mark.django_db


def _upload(content: bytes, name: str = "决定书.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def sealed():
    seal = seal_make()
    return pdf_seal(
        principal=admin_principal(), seal_id=seal.pk, pdf=pdf_make("Licence 42"), reason="许可"
    )


def test_form_is_public(client):
    page = client.get("/verify/pdf/")
    assert page.status_code == 200
    assert 'data-testid="seal-verify-form"' in page.content.decode()


def test_a_sealed_pdf_is_valid_with_seal_and_time(client, sealed):
    page = client.post("/verify/pdf/", {"file": _upload(sealed)})

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-verdict="valid"' in html
    assert "有效" in html and "广州市市场监督管理局" in html and "440100-scjg" in html
    assert "时间戳时间（可信）" in html and "许可" in html
    assert "均有效" in html
    entry = AuditEntry.objects.filter(action="seals.pdf.verify").latest("seq")
    assert entry.outcome == "success" and entry.actor == "anonymous"


def test_a_flipped_byte_shows_modified_after_sealing(client, sealed):
    at = sealed.index(b"Licence 42")
    tampered = sealed[:at] + b"Licence 43" + sealed[at + 10 :]

    html = client.post("/verify/pdf/", {"file": _upload(tampered)}).content.decode()

    assert 'data-verdict="modified"' in html and "签章后被修改" in html
    assert "请勿采信" in html


def test_an_incremental_update_shows_modified_after_sealing(client, sealed):
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.add_stream_to_page(
        0,
        writer.add_object(generic.StreamObject(stream_data=b"BT /F1 20 Tf 72 400 Td (VOID) Tj ET")),
    )
    changed = io.BytesIO()
    writer.write(changed)

    html = client.post("/verify/pdf/", {"file": _upload(changed.getvalue())}).content.decode()

    assert 'data-verdict="modified"' in html


def test_a_pdf_without_seals(client, db):
    html = client.post("/verify/pdf/", {"file": _upload(pdf_make())}).content.decode()
    assert "未发现电子签章" in html


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "请选择要验证的 PDF 文件"),
        ({"file": _upload(b"GIF89a not a pdf", "x.pdf")}, "上传的文件不是 PDF"),
        ({"file": _upload(b"%PDF-1.7 broken", "x.pdf")}, "PDF 文件已损坏或无法解析"),
    ],
)
def test_bad_uploads_get_a_clear_message(client, db, payload, message):
    page = client.post("/verify/pdf/", payload)
    assert page.status_code == 422
    assert message in page.content.decode()
