"""The idle timeout extends an active session without a session write on every request."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from . import factories

pytestmark = pytest.mark.django_db
ME = "/api/v1/identity/me"


@pytest.fixture
def signed_in(client):
    factories.verified_account(kind="citizen", name="张三", username="zhangsan")
    response = client.post(
        "/login/",
        {"username": "zhangsan", "password": factories.PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    return client


def _stored_expiry(client) -> dt.datetime:
    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def _session_writes(queries) -> list[str]:
    return [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]


def test_a_request_soon_after_the_last_write_does_not_rewrite_the_session(signed_in):
    before = _stored_expiry(signed_in)
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get(ME).status_code == 200
    assert _session_writes(queries.captured_queries) == []
    assert _stored_expiry(signed_in) == before


def test_activity_after_the_refresh_interval_extends_the_session(signed_in):
    before = _stored_expiry(signed_in)
    later = timezone.now() + dt.timedelta(seconds=settings.SESSION_REFRESH_SECONDS + 5)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        CaptureQueriesContext(connection) as queries,
    ):
        assert signed_in.get(ME).status_code == 200
    assert len(_session_writes(queries.captured_queries)) == 1
    after = _stored_expiry(signed_in)
    assert after > before
    assert abs((after - later).total_seconds() - settings.SESSION_COOKIE_AGE) < 1


def test_a_changed_session_is_saved_at_once(signed_in):
    # the elderly-mode switch writes into the session: saved although no refresh is due
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.post("/citizen/elderly/", {"enabled": "1", "next": "/"})
    assert response.status_code == 302
    assert len(_session_writes(queries.captured_queries)) == 1


def test_an_idle_session_still_ends(signed_in):
    idle = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)
    with mock.patch("django.utils.timezone.now", return_value=idle):
        response = signed_in.get(ME)
    assert response.status_code == 401


def test_the_session_account_is_read_with_its_person_in_one_query(signed_in):
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get(ME).status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    reads = [sql for sql in sqls if 'FROM "identity_account"' in sql]
    assert "registries_person" in reads[0]  # the session's account, with its person
    assert not [sql for sql in sqls if sql.startswith('SELECT "registries_person"')]
