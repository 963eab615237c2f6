"""Page guards by account kind. Staff pages also need the TOTP step (django-otp's
`request.user.is_verified()`): a password alone never opens the staff workbench.

Anonymous visitors go to the login page (with ?next=); an account of another kind, already
signed in, gets a 403 page saying which account the page needs. (Sending it to the login
page would loop: the login page sends a signed-in user straight back to `next`.)"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from .models import Account


def _redirect(name: str, request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


def _labels() -> dict[str, str]:
    return dict(Account.Kind.choices)


def account_kind_required(
    kind: str,
    *,
    page_context: Mapping[str, str] | None = None,
    homes: Mapping[str, str] | None = None,
) -> Callable:
    """Only accounts of `kind` reach the view (staff: with a verified second factor).
    `page_context` is passed to the 403 page (e.g. the portal's name); `homes` maps an
    account kind to the URL name of its own portal, offered as the way back."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return _redirect("identity:login", request)
            current = getattr(user, "kind", "")
            if current != kind:
                labels = _labels()
                context = {
                    **(page_context or {}),
                    "page_title": "账号类型不符",
                    "needed_label": labels[kind],
                    "current_label": labels.get(current, current),
                    "my_portal": (homes or {}).get(current, ""),
                }
                return render(request, "identity/wrong_account.html", context, status=403)
            if kind == Account.Kind.STAFF and not user.is_verified():
                return _redirect("identity:otp", request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


citizen_required = account_kind_required("citizen")
citizen_required.__doc__ = "Only citizens (个人账号)."
enterprise_required = account_kind_required("enterprise")
enterprise_required.__doc__ = "Only enterprise agents (企业经办人)."
staff_required = account_kind_required("staff")
staff_required.__doc__ = "Only civil servants (公职人员) who passed the TOTP step."
