"""粤省事: the citizen portal. Every page but the display toggle needs a citizen login."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.kernel.errors import DomainError
from digigov.kernel.principals import request_principal
from digigov.portals.web.access import portal_for
from digigov.portals.web.preferences import elderly_set
from digigov.support.identity.selectors import delegations_for, profile_get
from digigov.support.identity.services import delegation_grant, delegation_revoke

from .forms import DelegationGrantForm

PORTAL = {"portal": "citizen", "portal_name": "粤省事"}
citizen_required = portal_for("citizen", **PORTAL)


@require_safe
@citizen_required
def home(request: HttpRequest) -> HttpResponse:
    profile = profile_get(principal=request_principal(request))
    return render(request, "citizen/home.html", {**PORTAL, "nav": "home", "profile": profile})


@require_safe
@citizen_required
def profile(request: HttpRequest) -> HttpResponse:
    profile = profile_get(principal=request_principal(request))
    return render(
        request,
        "citizen/profile.html",
        {**PORTAL, "nav": "profile", "page_title": "个人资料", "profile": profile},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def relatives(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    status = 200
    if request.method == "POST":
        form = DelegationGrantForm(request.POST)
        if form.is_valid():
            try:
                delegation_grant(
                    principal=principal,
                    agent_id_number=form.cleaned_data["agent_id_number"],
                    agent_name=form.cleaned_data["agent_name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=form.expires_at(),
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, "已授权亲友代办。")
                return redirect("citizen:relatives")
        status = 422  # the form is shown again with its errors
    else:
        form = DelegationGrantForm(
            initial={"expires_on": timezone.localdate() + datetime.timedelta(days=365)}
        )
    delegations = delegations_for(principal=principal)
    context = {
        **PORTAL,
        "nav": "relatives",
        "page_title": "亲友代办",
        "form": form,
        "granted": [d for d in delegations if d.direction == "granted"],
        "received": [d for d in delegations if d.direction == "received"],
    }
    return render(request, "citizen/relatives.html", context, status=status)


@require_POST
@citizen_required
def relative_revoke(request: HttpRequest, delegation_id: int) -> HttpResponse:
    try:
        delegation_revoke(principal=request_principal(request), delegation_id=delegation_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已撤销该亲友代办授权。")
    return redirect("citizen:relatives")


@require_POST
def elderly(request: HttpRequest) -> HttpResponse:
    """Turn elderly mode on or off. Open to everyone: it changes only how pages look, and
    people need it before they sign in (on the login page) as much as after."""
    enabled = request.POST.get("enabled") == "1"
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("web:home")
    response = HttpResponseRedirect(target)
    elderly_set(request, response, enabled=enabled)
    messages.success(request, "已开启长辈模式。" if enabled else "已关闭长辈模式。")
    return response
