"""A license as a PDF (版式文件): one A4 page with the type's title in its template colour,
the face data, holder, number, validity and issuer, the issuing department's seal drawn as
vector graphics (red ring, five-pointed star, the department's name along the arc) and a QR
code that opens the public verification page (`<DIGIGOV_PUBLIC_URL>/verify/l/<address>/`).

The signed envelope (`selectors.verification.license_envelope`) is embedded as the file
attachment `license.json`, so the PDF verifies offline: the verifier extracts it
(`pdf_envelope_extract`) and checks the signature against the issuer's published key. The
drawn page itself carries no signature; what is trusted is the embedded envelope, and a PDF
whose attachment was changed verifies as tampered.

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe's CJK font pack in the
reader supplies the glyphs): no font files ship with the code and none is fetched. No image
files either: the seal and the QR code are drawn as paths.

OFD (GB/T 33190, the Chinese fixed-layout format) is not exported. PyPI has no maintained
Python library that writes valid OFD: `easyofd` (the most recent) is a converter built on
onnxruntime and PyMuPDF that re-renders pages as images, pulling large native dependencies
for output that is not a structured OFD document; the other `ofd*` packages are readers,
unmaintained or incomplete. A hand-written OFD writer would need the standard's validation
tools to prove its output valid, which we do not have offline. PDF with an embedded signed
payload covers the same use (print, show, verify)."""

from __future__ import annotations

import io
import json
import math
from typing import Any

from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as pdf_canvas

from .models import License
from .selectors.keys import public_base
from .selectors.verification import MAX_INPUT_BYTES, license_envelope

FONT = "STSong-Light"
ATTACHMENT_NAME = "license.json"
DEFAULT_COLOR = "#b71c1c"
SEAL_RED = colors.HexColor("#d0021b")

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def license_verify_url(address: str) -> str:
    """What the QR code encodes: the public verification page of the license."""
    return f"{public_base()}/verify/l/{address}/"


def _color(value: Any) -> colors.Color:
    try:
        return colors.HexColor(str(value)) if value else colors.HexColor(DEFAULT_COLOR)
    except (ValueError, TypeError):
        return colors.HexColor(DEFAULT_COLOR)


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _face(license: License, document: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of the signed face data: the template's row order when it has one,
    else the type's field order; labels from the type's fields."""
    data = document.get("data") or {}
    fields = license.license_type.fields or []
    labels = {f["key"]: f.get("label", f["key"]) for f in fields}
    order = (license.license_type.template or {}).get("rows") or [f["key"] for f in fields]
    keys = [k for k in order if k in data] + [k for k in data if k not in order]
    return [(labels.get(k, k), _display(data[k])) for k in keys]


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break by character (Chinese has no spaces) to fit `width` points."""
    lines, line = [], ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, FONT, size) > width and line:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines or [""]


def _star_path(c: pdf_canvas.Canvas, cx: float, cy: float, radius: float):
    path = c.beginPath()
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(126))
    for i in range(10):
        r = radius if i % 2 == 0 else inner
        angle = math.radians(90 + i * 36)
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        path.moveTo(x, y) if i == 0 else path.lineTo(x, y)
    path.close()
    return path


def seal_draw(c: pdf_canvas.Canvas, *, cx: float, cy: float, radius: float, name: str) -> None:
    """The department's seal: red ring, star in the middle, its name along the upper arc."""
    c.saveState()
    c.setStrokeColor(SEAL_RED)
    c.setFillColor(SEAL_RED)
    c.setLineWidth(radius * 0.06)
    c.circle(cx, cy, radius, stroke=1, fill=0)
    c.drawPath(_star_path(c, cx, cy, radius * 0.3), stroke=0, fill=1)
    chars = list(name)[:24]
    span = min(250.0, 18.0 * len(chars) + 40.0)
    # Square CJK glyphs must fit side by side along the arc.
    fit = radius * 0.68 * math.radians(span) / max(len(chars), 1) * 0.92
    size = max(5.0, min(radius * 0.26, fit))
    text_radius = radius * 0.8 - size * 0.5
    step = span / (len(chars) - 1) if len(chars) > 1 else 0.0
    start = 90 + span / 2 if len(chars) > 1 else 90
    c.setFont(FONT, size)
    for i, char in enumerate(chars):
        angle = start - i * step
        c.saveState()
        c.translate(
            cx + text_radius * math.cos(math.radians(angle)),
            cy + text_radius * math.sin(math.radians(angle)),
        )
        c.rotate(angle - 90)  # the character's top points away from the centre
        c.drawCentredString(0, 0, char)
        c.restoreState()
    c.restoreState()


def qr_draw(c: pdf_canvas.Canvas, *, x: float, y: float, size: float, text: str) -> None:
    """A QR code (segno, error level M) as one filled path of module squares."""
    import segno

    matrix = segno.make(text, error="m", micro=False).matrix
    count = len(matrix)
    quiet = 2  # modules of white margin inside `size`
    module = size / (count + 2 * quiet)
    c.saveState()
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    path = c.beginPath()
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                path.rect(
                    x + (quiet + col) * module,
                    y + size - (quiet + row + 1) * module,
                    module,
                    module,
                )
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


def _page(license: License, document: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    width, height = A4
    template = license.license_type.template or {}
    color = _color(template.get("color"))
    title = str(template.get("title") or license.license_type.name)
    c = pdf_canvas.Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    c.setTitle(f"{title} {license.number}")
    c.setAuthor(license.issuer.name)
    c.setSubject(f"电子证照 {license.address}")
    c.setCreator("digigov 电子证照")

    margin = 36
    c.setStrokeColor(color)
    c.setLineWidth(4)
    c.rect(margin, margin, width - 2 * margin, height - 2 * margin)
    c.setLineWidth(1)
    c.rect(margin + 7, margin + 7, width - 2 * margin - 14, height - 2 * margin - 14)

    c.setFillColor(color)
    c.setFont(FONT, 30)
    c.drawCentredString(width / 2, height - 120, title)
    c.setFont(FONT, 11)
    c.setFillColor(colors.HexColor("#555555"))
    c.drawCentredString(width / 2, height - 145, f"电子证照 · 证照编号 {license.number}")

    holder_label = "持证人" if license.holder_kind == "person" else "持证主体"
    key_label = "公民身份号码" if license.holder_kind == "person" else "统一社会信用代码"
    validity = (
        f"{license.valid_from:%Y年%m月%d日} 至 {license.valid_until:%Y年%m月%d日}"
        if license.valid_until
        else f"{license.valid_from:%Y年%m月%d日} 起长期有效"
    )
    rows = [
        (holder_label, license.holder_name),
        (key_label, license.holder_key),
        *_face(license, document),
        ("有效期限", validity),
        ("颁发单位", license.issuer.name),
        ("签发日期", f"{license.issued_at:%Y年%m月%d日}"),
    ]
    label_x, value_x, value_width = margin + 60, margin + 190, width - 2 * margin - 250
    y = height - 200
    for label, value in rows:
        if y < 300:  # leave room for the seal and the QR code
            break
        c.setFillColor(colors.HexColor("#333333"))
        c.setFont(FONT, 12)
        c.drawString(label_x, y, f"{label}：")
        c.setFillColor(colors.black)
        c.setFont(FONT, 13)
        for line in _wrap(value, value_width, 13)[:3]:
            c.drawString(value_x, y, line)
            y -= 20
        y -= 8

    url = license_verify_url(license.address)
    qr_draw(c, x=margin + 50, y=margin + 110, size=120, text=url)
    c.setFillColor(colors.HexColor("#333333"))
    c.setFont(FONT, 10)
    c.drawCentredString(margin + 110, margin + 95, "扫码核验证照状态")

    seal_x, seal_y = width - margin - 150, margin + 175
    c.setFont(FONT, 12)
    c.setFillColor(colors.black)
    # Printed name and date under the seal's lower half, as a stamped paper license has.
    c.drawCentredString(seal_x, seal_y - 28, license.issuer.name)
    c.drawCentredString(seal_x, seal_y - 46, f"{license.issued_at:%Y年%m月%d日}")
    seal_draw(c, cx=seal_x, cy=seal_y, radius=62, name=license.issuer.name)

    c.setFont(FONT, 8)
    c.setFillColor(colors.HexColor("#555555"))
    notes = [
        str(template.get("footer") or ""),
        f"证照地址：{license.address}  签名算法：{license.algorithm.upper()}  密钥标识：{license.key_id}",
        f"本文件内嵌已签名的证照数据（{ATTACHMENT_NAME}），可在 {url} 或离线核验。",
    ]
    line_y = margin + 60
    for note in filter(None, notes):
        for line in _wrap(note, width - 2 * margin - 40, 8)[:2]:
            c.drawString(margin + 20, line_y, line)
            line_y -= 11
    c.showPage()
    c.save()
    return buffer.getvalue()


def envelope_bytes(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def pdf_attach(pdf: bytes, *, name: str, data: bytes, description: str = "") -> bytes:
    """`pdf` with `data` added as the embedded file `name` (an incremental update)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = embed.EmbeddedFileObject.from_file_data(
        writer,
        data,
        mime_type="application/json",
        params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=True),
    )
    embed.embed_file(
        writer,
        embed.FileSpec(
            file_spec_string=name,
            file_name=name,
            embedded_data=stream,
            description=description or None,
            af_relationship=generic.NameObject("/Data"),
        ),
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def license_pdf(license: License) -> bytes:
    """The license as a PDF with its signed envelope attached as `license.json`."""
    envelope = license_envelope(license)
    page = _page(license, envelope["document"])
    return pdf_attach(
        page, name=ATTACHMENT_NAME, data=envelope_bytes(envelope), description="已签名的证照数据"
    )


def pdf_attachment(pdf: bytes, name: str = ATTACHMENT_NAME) -> bytes | None:
    """The content of the embedded file `name`, or None (not a PDF, no such attachment).
    Any damage to the PDF reads as None: the caller reports it as unrecognisable."""
    if len(pdf) > MAX_INPUT_BYTES or pdf.lstrip()[:5] != b"%PDF-":
        return None
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        # A flat name tree (what we write); the last entry of a name wins, as a reader
        # following incremental updates would show it.
        found = None
        for i in range(0, len(names) - 1, 2):
            if str(names[i]) == name:
                found = names[i + 1].get_object()
        if found is None:
            return None
        data = found["/EF"]["/F"].get_object().data
    except Exception:  # a broken upload of any kind is "not recognised", never a crash
        return None
    return data if len(data) <= MAX_INPUT_BYTES else None
