"""The license PDF: the embedded signed envelope verifies offline, a changed one reads as
tampered, the QR code encodes the public verification URL, the seal is drawn."""

from __future__ import annotations

import io
import json
import re

import pytest
import segno
from django.core.cache import cache
from django.test import override_settings
from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.pdfgen import canvas

from ..models import LicenseUse
from ..rendering import (
    ATTACHMENT_NAME,
    envelope_bytes,
    license_pdf,
    license_verify_url,
    pdf_attach,
    pdf_attachment,
)
from ..selectors.verification import license_envelope, published_key_cache_clear
from ..services import verification as verify
from ..services.issuance import license_issue
from ..testing import SYSTEM, issuer, type_make, world_make
from .test_verify_service import PUBLIC


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()
    published_key_cache_clear()
    yield
    cache.clear()


@pytest.fixture
def license(db):
    world = world_make()
    type_make(
        fields=[
            {"key": "category", "label": "类别", "type": "enum", "choices": ["甲", "乙"]},
            {"key": "scope", "label": "经营范围", "type": "string"},
        ]
    )
    return license_issue(
        principal=SYSTEM,
        type_code="TESTZ",
        issuer_id=issuer().pk,
        holder_kind="person",
        holder_key=world.people[0],
        data={"category": "甲", "scope": "预包装食品销售（含冷藏冷冻食品）" * 6},
    )


def _page_content(pdf: bytes) -> str:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    return page["/Contents"].get_object().data.decode("latin-1")


def test_the_pdf_embeds_the_envelope_and_verifies(license):
    pdf = license_pdf(license)
    assert pdf.startswith(b"%PDF-")
    attached = pdf_attachment(pdf)
    assert json.loads(attached) == license_envelope(license)
    result = verify.license_verify_pdf(principal=PUBLIC, content=pdf)
    assert (result.outcome, result.source, result.address) == ("valid", "pdf", license.address)
    assert verify.license_verify_file(principal=PUBLIC, content=pdf).outcome == "valid"
    assert LicenseUse.objects.filter(license=license, kind="verify").count() == 2


def _replace_attachment(pdf: bytes, data: bytes) -> bytes:
    """What a forger does: an incremental update pointing license.json at other bytes."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[1].get_object()
    stream = embed.EmbeddedFileObject.from_file_data(writer, data, mime_type="application/json")
    spec["/EF"]["/F"] = stream.ef_stream_ref
    spec["/EF"]["/UF"] = stream.ef_stream_ref
    writer.update_container(spec)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_with_a_changed_envelope_reads_tampered(license):
    pdf = license_pdf(license)
    envelope = license_envelope(license)
    envelope["document"]["data"]["category"] = "乙"
    forged = _replace_attachment(pdf, envelope_bytes(envelope))
    assert json.loads(pdf_attachment(forged))["document"]["data"]["category"] == "乙"
    result = verify.license_verify_pdf(principal=PUBLIC, content=forged)
    assert result.outcome == "tampered" and result.source == "pdf"
    assert result.is_copy_tampered


def test_a_second_attachment_of_the_same_name_cannot_hide_the_forgery(license):
    envelope = license_envelope(license)
    envelope["document"]["holder"]["name"] = "王五"
    forged = pdf_attach(license_pdf(license), name=ATTACHMENT_NAME, data=envelope_bytes(envelope))
    assert verify.license_verify_pdf(principal=PUBLIC, content=forged).outcome == "tampered"


def _plain_pdf() -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.drawString(100, 100, "no license here")
    c.showPage()
    c.save()
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        _plain_pdf(),
        b"%PDF-1.7\n garbage \x00\xff" * 10,
        b"%PDF-",
        b"\x89PNG\r\n\x1a\n",
    ],
)
def test_pdfs_without_a_readable_envelope_are_malformed(db, content):
    result = verify.license_verify_file(principal=PUBLIC, content=content)
    assert result.outcome == "malformed"
    assert LicenseUse.objects.count() == 0


def test_a_pdf_carrying_non_json_is_malformed(license):
    pdf = pdf_attach(_plain_pdf(), name=ATTACHMENT_NAME, data=b"\x00not json")
    assert verify.license_verify_pdf(principal=PUBLIC, content=pdf).outcome == "malformed"


def test_a_truncated_license_pdf_is_malformed_not_a_crash(license):
    pdf = license_pdf(license)
    result = verify.license_verify_pdf(principal=PUBLIC, content=pdf[: len(pdf) // 2])
    assert result.outcome == "malformed"


@override_settings(DIGIGOV_PUBLIC_URL="https://www.gdzwfw.gov.cn")
def test_the_qr_code_encodes_the_public_verification_url(license):
    url = license_verify_url(license.address)
    assert url == f"https://www.gdzwfw.gov.cn/verify/l/{license.address}/"
    expected = segno.make(url, error="m", micro=False).matrix
    count = len(expected)
    module = 120 / (count + 4)
    content = _page_content(license_pdf(license))
    number = r"(-?\d+(?:\.\d+)?)"
    squares = [
        tuple(float(v) for v in m.groups())
        for m in re.finditer(rf"{number} {number} {number} {number} re", content)
        if abs(float(m.group(3)) - module) < 0.01 and abs(float(m.group(4)) - module) < 0.01
    ]
    assert squares
    # Row 0 and column 0 hold the finder patterns, so the extreme squares anchor the grid.
    left, top = min(x for x, *_ in squares), max(y for _, y, *_ in squares)
    drawn = {(round((top - y) / module), round((x - left) / module)) for x, y, *_ in squares}
    wanted = {(r, c) for r, row in enumerate(expected) for c, dark in enumerate(row) if dark}
    assert drawn == wanted


def _pdf_strings(content: str) -> list[str]:
    """The text shown by each `(...) Tj` (UTF-16BE literal strings of the CID font)."""
    escapes = {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b", "f": b"\f"}
    shown = []
    for literal in re.findall(r"\(((?:\\.|[^\\)])*)\) Tj", content, re.S):
        raw, i = bytearray(), 0
        while i < len(literal):
            char = literal[i]
            if char == "\\":
                octal = re.match(r"[0-7]{1,3}", literal[i + 1 :])
                if octal:
                    raw.append(int(octal.group(), 8))
                    i += 1 + len(octal.group())
                    continue
                following = literal[i + 1]
                raw += escapes.get(following, following.encode("latin-1"))
                i += 2
                continue
            raw += char.encode("latin-1")
            i += 1
        shown.append(bytes(raw).decode("utf-16-be", errors="replace"))
    return shown


def test_the_seal_is_drawn_in_red_with_the_issuers_name_along_the_arc(license):
    content = _page_content(license_pdf(license))
    seal = content[content.index(".815686 .007843 .105882 rg") :]
    # one rotated glyph per character of the issuer's name, in reading order
    name = license.issuer.name
    assert "".join(text for text in _pdf_strings(seal) if len(text) == 1) == name
    assert seal.count(" cm") >= len(name)
    assert license.holder_name in "".join(_pdf_strings(content))
