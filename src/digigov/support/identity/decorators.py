"""Page guards by account kind. Staff pages also need the TOTP step (django-otp's
`request.user.is_verified()`): a password alone never opens the staff workbench."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


def _redirect(name: str, request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


def _kind_required(kind: str) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated or getattr(user, "kind", None) != kind:
                return _redirect("identity:login", request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


citizen_required = _kind_required("citizen")
citizen_required.__doc__ = "Only citizens (个人账号); others go to the login page."
enterprise_required = _kind_required("enterprise")
enterprise_required.__doc__ = "Only enterprise agents (企业经办人); others go to the login page."


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only civil servants who passed the TOTP step: anonymous users and other kinds go to
    identity:login, staff without a verified second factor to identity:otp."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or getattr(user, "kind", None) != "staff":
            return _redirect("identity:login", request)
        if not user.is_verified():
            return _redirect("identity:otp", request)
        return view(request, *args, **kwargs)

    return wrapped
