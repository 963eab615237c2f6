"""Page guards of the portals, on top of identity's: identity's decorators send anonymous
visitors to the login page (with ?next=); an account of another kind, already signed in,
is told plainly which account the portal needs (403) instead of being bounced to a login
form it has already passed."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from digigov.support.identity.decorators import (
    citizen_required,
    enterprise_required,
    staff_required,
)

KIND_LABELS = {"citizen": "个人", "enterprise": "企业经办人", "staff": "公职人员"}
PORTAL_HOME = {"citizen": "citizen:home", "enterprise": "business:home", "staff": "staff:home"}
_GUARDS = {
    "citizen": citizen_required,
    "enterprise": enterprise_required,
    "staff": staff_required,
}


def portal_for(kind: str, *, portal: str, portal_name: str) -> Callable:
    """Only accounts of `kind` reach the view (staff: with a verified second factor)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        guarded = _GUARDS[kind](view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            current = getattr(user, "kind", "")
            if user.is_authenticated and current != kind:
                context = {
                    "portal": portal,
                    "portal_name": portal_name,
                    "page_title": "账号类型不符",
                    "needed_label": KIND_LABELS[kind],
                    "current_label": KIND_LABELS.get(current, current),
                    "my_portal": PORTAL_HOME.get(current, ""),
                }
                return render(request, "web/wrong_account.html", context, status=403)
            return guarded(request, *args, **kwargs)

        return wrapped

    return decorator
