"""Demo cases (seed step 45): a few real cases filed by the demo accounts through the same
services as the portals, so that a fresh `make demo` shows decided 秒批 cases with their
explanation, a good and a bad 好差评 (with its rectification task), and an enterprise case
waiting in the Guangzhou market regulator's inbox. Runs once: skipped when cases exist."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from digigov.kernel.errors import DomainError
from digigov.support.identity.selectors import entity_bindings_for

from ..models import Application, ServiceItem, ServiceItemVersion
from ..selectors.items import item_for_region
from ..selectors.prefill import form_prefill
from .applications import application_submit
from .materials import material_stage
from .ratings import rating_submit

# the smallest file each sniffed format accepts
_FILES = {
    "pdf": ("材料.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    "png": ("材料.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
}
CASES_PER_CITIZEN = 2
RESTAURANT_ITEM = "GD-SCJG-XK-010-440100"  # 食品经营许可, BPMN restaurant_opening


def _value(spec: dict[str, Any]) -> Any:
    """A plausible value for a required form field the registries do not fill."""
    if spec.get("enum"):
        return spec["enum"][0]
    kind = spec.get("type", "string")
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return max(1, int(spec.get("minimum", 1)))
    if spec.get("format") == "date":
        return (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    if "1[3-9]" in spec.get("pattern", ""):
        return "13800138000"
    return "演示填写"


def _form(version: ServiceItemVersion, prefill: dict[str, Any]) -> dict[str, Any]:
    properties = (version.form_schema or {}).get("properties") or {}
    data = {name: value for name, value in prefill.items() if value not in (None, "")}
    for name in (version.form_schema or {}).get("required") or []:
        data.setdefault(name, _value(properties.get(name) or {}))
    return data


def _materials(principal, item: ServiceItem) -> list[dict[str, str]]:
    staged = []
    for material in item.published.materials or []:
        if not material.get("required"):
            continue
        formats = material.get("formats") or ["pdf"]
        name, content = _FILES["pdf" if "pdf" in formats else "png"]
        upload = material_stage(
            principal=principal,
            item=item,
            material_code=material["code"],
            original_name=name,
            content=io.BytesIO(content),
        )
        staged.append({"code": material["code"], "upload_token": upload.token})
    return staged


def _file(principal, item: ServiceItem, *, uscc: str | None = None) -> Application | None:
    """File one case, or None when this applicant cannot (rules of the form, materials)."""
    try:
        prefill = form_prefill(
            principal=principal, item_version=item.published, applicant_uscc=uscc
        )
        return application_submit(
            principal=principal,
            item_code=item.code,
            form_data=_form(item.published, prefill),
            materials=_materials(principal, item),
            idempotency_key=f"demo-{item.code}",
            applicant_uscc=uscc,
        )
    except DomainError:
        return None


def _instant_cases(principal, region_code: str, count: int) -> list[Application]:
    standards = (
        ServiceItemVersion.objects.filter(
            status=ServiceItemVersion.Status.PUBLISHED,
            approval_mode="instant",
            subject_kind__in=("person", "both"),
            item__is_standard=True,
        )
        .order_by("item__standard_code")
        .values_list("item__standard_code", flat=True)
    )
    filed: list[Application] = []
    for standard_code in standards:
        item = item_for_region(standard_code=standard_code, region_code=region_code)
        if item is None:
            continue
        application = _file(principal, item)
        if application is not None:
            filed.append(application)
        if len(filed) == count:
            break
    return filed


def demo_cases_seed(**_options) -> str:
    if Application.objects.exists():
        return "已存在，跳过"
    accounts = {
        a.username: a
        for a in get_user_model().objects.filter(username__in=("citizen", "elder", "business"))
    }
    made = []
    rated = 0
    for username, grade, reasons in (
        ("citizen", 5, ["system_easy"]),
        ("elder", 2, ["multiple_visits"]),
    ):
        account = accounts.get(username)
        if account is None:
            continue
        principal = account.as_principal()
        cases = _instant_cases(principal, principal.region_code, CASES_PER_CITIZEN)
        made += cases
        if cases:
            rating_submit(
                principal=principal,
                number=cases[0].number,
                grade=grade,
                reasons=reasons,
                comment="演示评价",
            )
            rated += 1
    business = accounts.get("business")
    restaurant = (
        ServiceItem.objects.filter(code=RESTAURANT_ITEM).select_related("published").first()
    )
    if business is not None and restaurant is not None and restaurant.published is not None:
        principal = business.as_principal()
        usccs = [b.uscc for b in entity_bindings_for(principal=principal) if b.is_active]
        case = _file(principal, restaurant, uscc=usccs[0]) if usccs else None
        if case is not None:
            made.append(case)
    return f"演示办件 {len(made)} 件，评价 {rated} 件"
