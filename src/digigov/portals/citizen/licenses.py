"""粤省事 卡包: my electronic licenses, one license (face data, 亮证 QR, downloads, use log,
third-party authorisations), and the holder's decisions on third-party requests. Needs L2
real name; someone else's license is a 404 (audited). Thin: parse, call, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
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

from .views import PORTAL, citizen_required

refusals = case_page_errors(PORTAL)


@require_safe
@citizen_required
@refusals
def wallet(request: HttpRequest) -> HttpResponse:
    context = wallet_page_context(principal=request_principal(request))
    return render(
        request,
        "citizen/licenses/list.html",
        {**PORTAL, **context, "nav": "licenses", "page_title": "我的证照"},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
@refusals
def license_detail(request: HttpRequest, address: str) -> HttpResponse:
    """GET: the license; POST: the same page with a fresh 亮证 QR for the chosen fields."""
    principal = request_principal(request)
    show = (
        license_show_post(request, principal=principal, address=address)
        if request.method == "POST"
        else None
    )
    context = license_page_context(principal=principal, address=address, show=show)
    return render(
        request,
        "citizen/licenses/detail.html",
        {
            **PORTAL,
            **context,
            "nav": "licenses",
            "page_title": context["license"].card.type_name,
            "back_url": "citizen:licenses",
            "detail_url": "citizen:license",
            "download_url": "citizen:license_download",
            "hidden": {},
        },
    )


@require_safe
@citizen_required
@refusals
def license_download(request: HttpRequest, address: str, file_format: str) -> HttpResponse:
    return license_download_response(
        principal=request_principal(request), address=address, file_format=file_format
    )


@require_POST
@citizen_required
@refusals
def authorization_decide(request: HttpRequest, authorization_id: int, action: str) -> HttpResponse:
    authorization_action(
        request,
        principal=request_principal(request),
        authorization_id=authorization_id,
        action=action,
    )
    back = request.POST.get("back", "")
    if back and back.replace("-", "").isalnum():  # a license address, nothing else
        return redirect("citizen:license", address=back)
    return redirect("citizen:licenses")
