"""粤商通: the enterprise portal, for agents bound to an enterprise."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from digigov.kernel.errors import DomainError
from digigov.kernel.principals import request_principal
from digigov.portals.web.access import portal_for
from digigov.support.identity.selectors import entity_bindings_for, profile_get
from digigov.support.identity.services import entity_bind

PORTAL = {"portal": "business", "portal_name": "粤商通"}
enterprise_required = portal_for("enterprise", **PORTAL)


@require_safe
@enterprise_required
def home(request: HttpRequest) -> HttpResponse:
    bindings = entity_bindings_for(principal=request_principal(request))
    return render(request, "business/home.html", {**PORTAL, "nav": "home", "bindings": bindings})


@require_safe
@enterprise_required
def profile(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    context = {
        **PORTAL,
        "nav": "profile",
        "page_title": "账号与企业",
        "profile": profile_get(principal=principal),
        "bindings": entity_bindings_for(principal=principal),
    }
    return render(request, "business/profile.html", context)


@require_POST
@enterprise_required
def bind(request: HttpRequest) -> HttpResponse:
    """The legal representative binds an enterprise by its USCC (checked against 法人库)."""
    uscc = request.POST.get("uscc", "").strip().upper()
    if not uscc:
        messages.error(request, "请填写统一社会信用代码。")
        return redirect("business:profile")
    try:
        binding = entity_bind(principal=request_principal(request), uscc=uscc)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已绑定企业（{binding.entity_id}）。")
    return redirect("business:profile")
