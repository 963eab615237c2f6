"""粤商通: the enterprise portal, for agents bound to an enterprise."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from digigov.kernel.principals import Principal
from digigov.portals.web.access import portal_for
from digigov.support.identity.selectors import entity_bindings_for, profile_get

PORTAL = {"portal": "business", "portal_name": "粤商通"}
enterprise_required = portal_for("enterprise", **PORTAL)


def _principal(request: HttpRequest) -> Principal:
    return request.user.as_principal(source_address=request.META.get("REMOTE_ADDR", ""))


@require_safe
@enterprise_required
def home(request: HttpRequest) -> HttpResponse:
    bindings = entity_bindings_for(principal=_principal(request))
    return render(request, "business/home.html", {**PORTAL, "nav": "home", "bindings": bindings})


@require_safe
@enterprise_required
def profile(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    context = {
        **PORTAL,
        "nav": "profile",
        "page_title": "账号与企业",
        "profile": profile_get(principal=principal),
        "bindings": entity_bindings_for(principal=principal),
    }
    return render(request, "business/profile.html", context)
