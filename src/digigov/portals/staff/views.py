"""粤政易: the civil-servant workbench. Staff accounts with a verified second factor only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from digigov.kernel.principals import request_principal
from digigov.portals.web.access import portal_for
from digigov.support.identity.selectors import profile_get

PORTAL = {"portal": "staff", "portal_name": "粤政易"}
staff_required = portal_for("staff", **PORTAL)


@require_safe
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    profile = profile_get(principal=principal)
    return render(request, "staff/home.html", {**PORTAL, "nav": "home", "profile": profile})
