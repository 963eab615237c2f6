"""Test data of the seals app for its own tests, the portals' tests and benchmarks: the
principals of a seal administrator and approver, seals made through the services, PDFs."""

from __future__ import annotations

import io

from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load

from .models import Seal
from .services import lifecycle

ADMIN_PERMISSIONS = frozenset(
    {"seals.apply_seal", "seals.manage_seal", "seals.use_seal", "seals.view_seal"}
)
APPROVER_PERMISSIONS = frozenset({"seals.approve_seal", "seals.manage_seal", "seals.view_seal"})


def organizations_make() -> None:
    """Regions and the provincial and city departments (no counties or towns)."""
    if not Region.objects.filter(code="440000").exists():
        regions_load()
    if not Organization.objects.filter(code="440100-scjg").exists():
        organizations_seed(county_level=False, town_level=False)


def organization(code: str = "440100-scjg") -> Organization:
    organizations_make()
    return Organization.objects.get(code=code)


def admin_principal(code: str = "440100-scjg", *, id: str = "9001", **extra) -> Principal:
    return Principal(
        kind="staff",
        id=id,
        label="测试印章管理员",
        organization_id=organization(code).pk,
        permissions=ADMIN_PERMISSIONS,
        **extra,
    )


def approver_principal(code: str = "440100-scjg", *, id: str = "9002", **extra) -> Principal:
    return Principal(
        kind="staff",
        id=id,
        label="测试印章审批人",
        organization_id=organization(code).pk,
        permissions=APPROVER_PERMISSIONS,
        **extra,
    )


def seal_make(code: str = "440100-scjg", *, kind: str = "official", active: bool = True) -> Seal:
    """A seal applied for by the organization's administrator and, when `active`, approved
    by its approver (four-eyes), through the services."""
    seal = lifecycle.seal_apply(principal=admin_principal(code), kind=kind, purpose_note="测试")
    if active:
        seal = lifecycle.seal_approve(principal=approver_principal(code), seal_id=seal.pk)
    return seal


def pdf_make(text: str = "Official document 2025-001", *, pages: int = 1) -> bytes:
    """A small uncompressed PDF (its text is findable in the bytes, to tamper with)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pageCompression=0)
    for number in range(pages):
        c.drawString(72, 760, f"{text} / page {number + 1}")
        c.showPage()
    c.save()
    return buffer.getvalue()
