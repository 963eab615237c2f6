"""粤商通 卡包: the licenses of an entity the agent may use licenses for (legal
representative, or an agent bound with the "代为用证" scope), chosen with `?uscc=`; one
license (face data, 亮证 QR, downloads, use log, third-party authorisations) and decisions
on third-party requests. Another entity's license is a 404 (audited). Thin."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.kernel.principals import request_principal
from digigov.portals.web.forms_schema import case_page_errors
from digigov.portals.web.license_show import (
    authorization_action,
    license_download_response,
    license_page_context,
    license_show_post,
    wallet_page_context,
)
from digigov.support.identity.selectors import entity_bindings_for

from .views import PORTAL, enterprise_required

refusals = case_page_errors(PORTAL)


def _uscc(request: HttpRequest, bindings) -> str:
    uscc = (request.POST.get("uscc") or request.GET.get("uscc") or "").strip().upper()
    if not uscc and bindings:
        uscc = bindings[0].uscc
    return uscc


@require_safe
@enterprise_required
@refusals
def wallet(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    bindings = [b for b in entity_bindings_for(principal=principal) if b.is_active]
    uscc = _uscc(request, bindings)
    context = wallet_page_context(principal=principal, uscc=uscc) if uscc else {}
    return render(
        request,
        "business/licenses/list.html",
        {
            **PORTAL,
            **context,
            "nav": "licenses",
            "page_title": "企业证照",
            "bindings": bindings,
            "uscc": uscc,
            "hidden": {"uscc": uscc},
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@enterprise_required
@refusals
def license_detail(request: HttpRequest, address: str) -> HttpResponse:
    """GET: the license; POST: the same page with a fresh 亮证 QR for the chosen fields."""
    principal = request_principal(request)
    uscc = _uscc(request, [])
    show = (
        license_show_post(request, principal=principal, address=address, uscc=uscc)
        if request.method == "POST"
        else None
    )
    context = license_page_context(principal=principal, address=address, uscc=uscc, show=show)
    return render(
        request,
        "business/licenses/detail.html",
        {
            **PORTAL,
            **context,
            "nav": "licenses",
            "page_title": context["license"].card.type_name,
            "detail_url": "business:license",
            "download_url": "business:license_download",
            "uscc": uscc,
            "hidden": {"uscc": uscc},
        },
    )


@require_safe
@enterprise_required
@refusals
def license_download(request: HttpRequest, address: str, file_format: str) -> HttpResponse:
    return license_download_response(
        principal=request_principal(request),
        address=address,
        file_format=file_format,
        uscc=_uscc(request, []),
    )


@require_POST
@enterprise_required
@refusals
def authorization_decide(request: HttpRequest, authorization_id: int, action: str) -> HttpResponse:
    authorization_action(
        request,
        principal=request_principal(request),
        authorization_id=authorization_id,
        action=action,
    )
    query = "?" + urlencode({"uscc": request.POST.get("uscc", "")})
    back = request.POST.get("back", "")
    if back and back.replace("-", "").isalnum():  # a license address, nothing else
        return redirect(reverse("business:license", kwargs={"address": back}) + query)
    return redirect(reverse("business:licenses") + query)
