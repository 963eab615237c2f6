"""kernel.database: the per-request health check of a reused PostgreSQL connection polls
its socket instead of running SELECT 1, and still replaces a connection the server ended."""

import select
import time
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql import base as django_postgresql

pytestmark = pytest.mark.django_db(transaction=True)  # idle connections, as between requests


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the health check is the PostgreSQL backend's")


def _request_starts() -> None:
    """What Django does with a reused connection when a request starts and first queries."""
    connection.health_check_done = False
    connection.close_if_health_check_failed()


def test_the_settings_use_the_backend():
    assert type(connections[DEFAULT_DB_ALIAS]).__module__ == "digigov.kernel.database.base"
    assert connection.health_check_enabled


def test_a_healthy_idle_connection_is_kept_without_a_statement():
    connection.ensure_connection()
    raw = connection.connection
    with mock.patch.object(
        django_postgresql.DatabaseWrapper, "is_usable", side_effect=AssertionError("SELECT 1")
    ):
        _request_starts()
    assert connection.connection is raw


def test_inside_a_transaction_the_check_runs_select_1():
    connection.ensure_connection()
    connection.connection.execute("BEGIN")
    try:
        with mock.patch.object(
            django_postgresql.DatabaseWrapper, "is_usable", return_value=True
        ) as parent:
            assert connection.is_usable()
        parent.assert_called_once()
    finally:
        connection.connection.execute("ROLLBACK")


def test_a_connection_the_server_ended_is_replaced():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    old = connection.connection
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    deadline = time.monotonic() + 5
    while not select.select([old.pgconn.socket], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server did not end the connection"
    assert not connection.is_usable()
    _request_starts()
    assert connection.connection is None
    with connection.cursor() as cursor:  # the request's statement reconnects
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
