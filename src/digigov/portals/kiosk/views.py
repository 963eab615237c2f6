"""政务服务一体机: a big-button touch flow for a citizen's own application at a service hall
terminal: choose an item -> sign in -> the prefilled form -> submit -> a receipt with the
case number and a QR code to follow it on the phone. A person's 一件事 runs the same way
(one merged form, materials once) and ends at a receipt with the bundle number and each
component's case number. Thin views."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_safe

from digigov.apps.services.selectors.applications import case_detail
from digigov.apps.services.selectors.bundles import (
    bundle_application_get,
    bundle_form,
    bundle_search,
)
from digigov.apps.services.selectors.items import item_search
from digigov.apps.services.selectors.prefill import form_prefill
from digigov.apps.services.services.applications import item_resolve
from digigov.kernel.errors import NotFound
from digigov.kernel.principals import request_principal
from digigov.portals.web.access import portal_for
from digigov.portals.web.bundles import bundle_apply_context, bundle_apply_post
from digigov.portals.web.forms_schema import (
    apply_context,
    apply_post,
    case_page_errors,
    commitment_text_of,
)

PORTAL = {"portal": "kiosk", "portal_name": "政务服务一体机"}
kiosk_citizen_required = portal_for("citizen", **PORTAL)
refusals = case_page_errors(PORTAL)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    page = item_search(query=query, subject_kind="person", page_size=12)
    items = [i for i in page.items if i.is_online]
    bundles = bundle_search(query=query, subject_kind="person")
    return render(
        request,
        "kiosk/home.html",
        {**PORTAL, "page_title": "自助办事", "items": items, "bundles": bundles, "query": query},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@kiosk_citizen_required
@refusals
def apply(request: HttpRequest, item_code: str) -> HttpResponse:
    principal = request_principal(request)
    item = item_resolve(item_code=item_code, region_code=principal.region_code)
    version = item.published
    prefill = form_prefill(principal=principal, item_version=version)
    result, status = None, 200
    if request.method == "POST":
        result = apply_post(request, principal=principal, item=item, channel="kiosk")
        if result.application is not None:
            messages.success(request, "申请已提交。")
            return redirect("kiosk:receipt", number=result.application.number)
        status = 422
    context = apply_context(
        item=item,
        prefill=prefill,
        holder_kind="person",
        holder_key=principal.person_id_number,
        values=result.values if result else None,
        errors=result.errors if result else None,
        chosen_licenses=result.chosen_licenses if result else None,
        commitment_text=commitment_text_of(version),
    )
    return render(
        request,
        "kiosk/apply.html",
        {
            **PORTAL,
            **context,
            "page_title": version.name,
            "action": request.path,
            "applicant_hidden": {},
            "error_message": result.message if result else "",
        },
        status=status,
    )


def _qr(url: str, title: str):
    # segno writes the SVG itself (no user text in it but the URL it encodes): safe inline.
    return mark_safe(  # noqa: S308
        segno.make(url, error="m").svg_inline(scale=6, title=title)
    )


@require_safe
@kiosk_citizen_required
@refusals
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    case = case_detail(principal=request_principal(request), number=number)
    url = request.build_absolute_uri(reverse("citizen:case", kwargs={"number": case.number}))
    qr = _qr(url, f"办件 {case.number} 的查询二维码")
    return render(
        request,
        "kiosk/receipt.html",
        {**PORTAL, "page_title": "申请回执", "case": case, "qr_svg": qr, "case_url": url},
    )


# --- 一件事 ------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@kiosk_citizen_required
@refusals
def bundle_apply(request: HttpRequest, code: str) -> HttpResponse:
    principal = request_principal(request)
    detail = bundle_form(principal=principal, bundle_code=code)
    if detail.summary.subject_kind == "entity":
        raise NotFound("自助终端仅办理个人一件事，企业一件事请通过粤商通或窗口办理")
    result, status = None, 200
    if request.method == "POST":
        result = bundle_apply_post(request, principal=principal, detail=detail, channel="kiosk")
        if result.bundle_application is not None:
            messages.success(request, "一件事申请已提交。")
            return redirect("kiosk:bundle_receipt", number=result.bundle_application.number)
        status = 422
    context = bundle_apply_context(
        detail=detail, holder_kind="person", holder_key=principal.person_id_number, result=result
    )
    return render(
        request,
        "kiosk/bundle_apply.html",
        {
            **PORTAL,
            **context,
            "page_title": detail.summary.name,
            "action": request.path,
            "applicant_hidden": {},
        },
        status=status,
    )


@require_safe
@kiosk_citizen_required
@refusals
def bundle_receipt(request: HttpRequest, number: str) -> HttpResponse:
    view = bundle_application_get(principal=request_principal(request), number=number)
    url = request.build_absolute_uri(
        reverse("citizen:bundle_application", kwargs={"number": view.number})
    )
    return render(
        request,
        "kiosk/bundle_receipt.html",
        {
            **PORTAL,
            "page_title": "一件事申请回执",
            "view": view,
            "qr_svg": _qr(url, f"一件事 {view.number} 的查询二维码"),
            "bundle_url": url,
        },
    )
