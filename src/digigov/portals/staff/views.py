"""粤政易: the civil-servant workbench. Staff accounts with a verified second factor only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from digigov.portals.web.access import portal_for
from digigov.support.identity.selectors import profile_get

PORTAL = {"portal": "staff", "portal_name": "粤政易"}
staff_required = portal_for("staff", **PORTAL)


@require_safe
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    principal = request.user.as_principal(source_address=request.META.get("REMOTE_ADDR", ""))
    profile = profile_get(principal=principal)
    return render(request, "staff/home.html", {**PORTAL, "nav": "home", "profile": profile})
