"""Sessions with an idle timeout that costs no write per request.

The session expires after SESSION_COOKIE_AGE of inactivity. Django's way to get that
(SESSION_SAVE_EVERY_REQUEST) rewrites the session row on every request; here a request
rewrites it only when the stored expiry is more than SESSION_REFRESH_SECONDS old, so an
active user's session is extended at most once a minute and an idle one still ends
between SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after its last
request. Changes to the session's contents are saved at once, as always."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.utils import timezone

from digigov.kernel.prepared import Prepared

DEFAULT_REFRESH_SECONDS = 60


# Every request with a session reads it: the statement is compiled once (kernel.prepared).
_BY_KEY = Prepared(lambda key: Session.objects.filter(session_key=key), key="")


class SessionStore(DatabaseSessionStore):
    """The database store, remembering the expiry of the row it loaded."""

    stored_expiry: dt.datetime | None = None

    def _get_session_from_db(self):
        key = self.session_key
        row = _BY_KEY.first(key=key) if key else None
        if row is not None and row.expire_date <= timezone.now():
            row = None  # expired: as Django's expire_date__gt=now
        if row is None:
            self._session_key = None
        self.stored_expiry = row.expire_date if row is not None else None
        return row


def _refresh_due(session) -> bool:
    if not session.session_key:
        return False
    session._get_session()  # loads the row (and its expiry) if nothing has yet
    stored = getattr(session, "stored_expiry", None)
    if stored is None:
        return True  # not from this store: extend as Django would
    refresh = getattr(settings, "SESSION_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS)
    left = (stored - timezone.now()).total_seconds()
    return left < session.get_expiry_age() - refresh


class IdleTimeoutSessionMiddleware(SessionMiddleware):
    """SessionMiddleware that extends an unchanged session only when its refresh is due."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if (
            session is not None
            and not session.modified
            and response.status_code < 500
            and _refresh_due(session)
        ):
            session.modified = True  # Django then saves it and renews the cookie
        return super().process_response(request, response)
