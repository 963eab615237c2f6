"""The visible seal: a red circle, a five-pointed star, the organization's name along the
upper arc, the seal's kind below the star and the organization code at the bottom.

Drawn twice from the same geometry: as a one-page PDF (reportlab, with its built-in CID font
STSong-Light, because the machine has no CJK TrueType font and the PDF must not depend on
one) that pyHanko uses as the stamp background, and as SVG for the web pages, where the
browser renders the text with its own fonts. Pure functions, no database."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

SIZE = 120.0  # points: 42 mm, the diameter of a paper official seal
RED = (0.8, 0.07, 0.07)
_FONT = "STSong-Light"


@dataclass(frozen=True)
class Glyph:
    char: str
    x: float
    y: float
    rotate: float  # degrees, counter-clockwise (PDF convention)


@dataclass(frozen=True)
class Layout:
    arc: list[Glyph]
    arc_font_size: float
    star: list[tuple[float, float]]
    bottom: str
    bottom_font_size: float
    code: str


def _layout(*, organization_name: str, bottom_text: str, code: str) -> Layout:
    centre, radius = SIZE / 2, SIZE / 2 - 5
    chars = list(organization_name)[:24]
    font_size = 13.0 if len(chars) <= 12 else max(8.0, 13.0 - (len(chars) - 12) * 0.5)
    text_radius = radius - 4 - font_size * 0.85
    span = min(250.0, max(60.0, len(chars) * (font_size * 1.15 / text_radius) * 180 / math.pi))
    glyphs = []
    for i, char in enumerate(chars):
        angle = 90 + span / 2 - (span * i / (len(chars) - 1) if len(chars) > 1 else span / 2)
        rad = math.radians(angle)
        glyphs.append(
            Glyph(
                char,
                centre + text_radius * math.cos(rad),
                centre + text_radius * math.sin(rad),
                angle - 90,
            )
        )
    star_outer, star_inner, star_y = 17.0, 6.8, centre + 2
    star = []
    for i in range(10):
        r = star_outer if i % 2 == 0 else star_inner
        angle = math.radians(90 + i * 36)
        star.append((centre + r * math.cos(angle), star_y + r * math.sin(angle)))
    bottom_size = 9.0 if len(bottom_text) <= 8 else 7.5
    return Layout(glyphs, font_size, star, bottom_text[:12], bottom_size, code[:20])


def seal_pdf(*, organization_name: str, bottom_text: str, code: str) -> bytes:
    """A SIZE x SIZE point PDF page with the seal, vector only."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    layout = _layout(organization_name=organization_name, bottom_text=bottom_text, code=code)
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=(SIZE, SIZE), invariant=1)
    c.setStrokeColorRGB(*RED)
    c.setFillColorRGB(*RED)
    c.setLineWidth(3.2)
    c.circle(SIZE / 2, SIZE / 2, SIZE / 2 - 3, stroke=1, fill=0)
    path = c.beginPath()
    path.moveTo(*layout.star[0])
    for point in layout.star[1:]:
        path.lineTo(*point)
    path.close()
    c.drawPath(path, stroke=0, fill=1)
    c.setFont(_FONT, layout.arc_font_size)
    for glyph in layout.arc:
        c.saveState()
        c.translate(glyph.x, glyph.y)
        c.rotate(glyph.rotate)
        c.drawCentredString(0, -layout.arc_font_size * 0.35, glyph.char)
        c.restoreState()
    if layout.bottom:
        c.setFont(_FONT, layout.bottom_font_size)
        c.drawCentredString(SIZE / 2, SIZE / 2 - 27, layout.bottom)
    if layout.code:
        c.setFont("Helvetica", 5.5)
        c.drawCentredString(SIZE / 2, 13, layout.code)
    c.showPage()
    c.save()
    return buffer.getvalue()


def seal_svg(*, organization_name: str, bottom_text: str, code: str, title: str = "") -> str:
    """The same seal as inline SVG (y axis flipped: SVG grows downwards)."""
    layout = _layout(organization_name=organization_name, bottom_text=bottom_text, code=code)
    red = "#cc1212"
    flip = SIZE

    def y(value: float) -> float:
        return round(flip - value, 2)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE:g} {SIZE:g}" '
        f'width="{SIZE:g}" height="{SIZE:g}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" '
        'class="seal-image">',
        f"<title>{escape(title)}</title>" if title else "",
        f'<circle cx="{SIZE / 2:g}" cy="{SIZE / 2:g}" r="{SIZE / 2 - 3:g}" fill="none" '
        f'stroke="{red}" stroke-width="3.2"/>',
        '<polygon fill="{}" points="{}"/>'.format(
            red, " ".join(f"{round(px, 2)},{y(py)}" for px, py in layout.star)
        ),
    ]
    for glyph in layout.arc:
        parts.append(
            f'<text x="{round(glyph.x, 2)}" y="{y(glyph.y)}" fill="{red}" '
            f'font-size="{layout.arc_font_size:g}" text-anchor="middle" '
            f'dominant-baseline="central" font-family="serif" '
            f'transform="rotate({round(-glyph.rotate, 2)} {round(glyph.x, 2)} {y(glyph.y)})">'
            f"{escape(glyph.char)}</text>"
        )
    if layout.bottom:
        parts.append(
            f'<text x="{SIZE / 2:g}" y="{y(SIZE / 2 - 27)}" fill="{red}" '
            f'font-size="{layout.bottom_font_size:g}" text-anchor="middle" font-family="serif">'
            f"{escape(layout.bottom)}</text>"
        )
    if layout.code:
        parts.append(
            f'<text x="{SIZE / 2:g}" y="{y(13)}" fill="{red}" font-size="5.5" '
            f'text-anchor="middle" font-family="sans-serif">{escape(layout.code)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
