"""PostgreSQL: Django's backend, whose health check (CONN_HEALTH_CHECKS) runs SELECT 1 on
every request that reuses a connection: a round trip before the request's first statement,
one in three of a license verification's. A connection the server has ended (restart,
pg_terminate_backend, idle_session_timeout) has sent its notice and closed its end, so its
socket reads as ready; an idle healthy one has nothing to read. The check therefore looks at
the socket (a poll, no round trip) and runs SELECT 1 only when there is something to read
or the connection is not idle. A peer that vanished without closing (a crashed host) is
missed by both: SELECT 1 would wait for the same TCP timeout as the request's statement."""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        pgconn = connection.pgconn
        if (
            pgconn.status != pq.ConnStatus.OK
            or pgconn.transaction_status != pq.TransactionStatus.IDLE
        ):
            return super().is_usable()
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError):
            return False
        return super().is_usable() if readable else True
