"""Display preferences shared by every portal page (elderly mode, 适老化).

Kept in the session for the signed-in visit and in a long-lived cookie so the choice
survives logout and the next visit, before anyone has signed in again.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

ELDERLY_SESSION_KEY = "digigov_elderly"
ELDERLY_COOKIE = "digigov_elderly"
ELDERLY_COOKIE_SECONDS = 365 * 24 * 3600


def elderly_enabled(request: HttpRequest | None) -> bool:
    if request is None:
        return False
    session = getattr(request, "session", None)
    if session is not None and ELDERLY_SESSION_KEY in session:
        return bool(session[ELDERLY_SESSION_KEY])
    return request.COOKIES.get(ELDERLY_COOKIE) == "1"


def elderly_set(request: HttpRequest, response: HttpResponse, *, enabled: bool) -> None:
    request.session[ELDERLY_SESSION_KEY] = enabled
    response.set_cookie(
        ELDERLY_COOKIE,
        "1" if enabled else "0",
        max_age=ELDERLY_COOKIE_SECONDS,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
