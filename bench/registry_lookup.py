"""Person lookup by ID number through the API on 1,000,000 people: 16 concurrent keep-alive
clients call GET /api/v1/registries/people/{id} with an API key (key check, scope check,
read + audit entry in one transaction, SM4 open, masking, JSON) against gunicorn, for a
bounded number of requests; the baseline is a bare indexed SELECT by id_number through
psycopg with 16 threads in the same run.

python -m bench registry_lookup
  DIGIGOV_BENCH_LOOKUP_REQUESTS  total requests (default 4,000)

Reuses the import benchmark's database (digigov_bench_import) when it holds at least
DIGIGOV_BENCH_IMPORT_ROWS people, else builds it with the import benchmark's loader.
"""

from __future__ import annotations

import os
import threading
import time

from bench import registry_import
from bench.common import (
    Figure,
    KeepAliveClient,
    concurrent_load,
    cpu_seconds,
    latency_summary,
    live_server,
    postgres_backend_of,
    rate,
    report,
)

CLIENTS = 16
REQUESTS = int(os.environ.get("DIGIGOV_BENCH_LOOKUP_REQUESTS", "4000"))
TARGET_RPS, TARGET_P99_MS = 300, 50
# One thread per process: with the hot path's ORM compilation gone, threads mostly wait on
# each other's GIL. Measured 2026-11-27 (gunicorn CPU per request, same run): 4x1 8.2 ms
# 162/s, 6x1 8.4 ms 157/s, 3x2 10.1 ms 125/s, 3x6 11.2 ms 119-146/s.
GUNICORN_WORKERS, GUNICORN_THREADS = 4, 1


def _cpu_seconds(port: str) -> dict[str, float]:
    """CPU seconds so far of this run's gunicorn processes and of the PostgreSQL backends
    serving the benchmark database: where the time of a request goes."""
    server = f"127.0.0.1:{port}".encode()
    postgres = postgres_backend_of(registry_import.DB_NAME)

    def classify(command: bytes) -> str | None:
        if b"gunicorn" in command and server in command:
            return "gunicorn"
        return postgres(command)

    return cpu_seconds(classify, ["gunicorn", "postgres"])


def _people_count() -> int:
    import psycopg

    try:
        with psycopg.connect(registry_import.database_url()) as conn:
            return conn.execute("SELECT count(*) FROM registries_person").fetchone()[0]
    except psycopg.Error:
        return 0


def _sample_ids(count: int) -> list[str]:
    import psycopg

    with psycopg.connect(registry_import.database_url()) as conn:
        rows = conn.execute(
            "SELECT id_number FROM registries_person TABLESAMPLE SYSTEM (2) REPEATABLE (7)"
            " LIMIT %s",
            [count],
        ).fetchall()
    return [row[0] for row in rows]


def _api_key() -> str:
    out = registry_import._django_run(
        "import uuid\n"
        "from digigov.kernel.api.services import api_key_issue, machine_client_create\n"
        "from digigov.kernel.principals import Principal\n"
        "admin = Principal(kind='staff', id='bench')\n"
        "client = machine_client_create(actor=admin, name=f'bench-{uuid.uuid4().hex[:8]}',"
        " scopes=['registry:read'])\n"
        "print(api_key_issue(actor=admin, client_id=client.pk).key)\n",
        url=registry_import.database_url(),
    )
    return out.strip().splitlines()[-1]


def _audit_reads() -> int:
    import psycopg

    with psycopg.connect(registry_import.database_url()) as conn:
        return conn.execute(
            "SELECT count(*) FROM audit_auditentry WHERE action = 'registry.person.read'"
            " AND outcome = 'success'"
        ).fetchone()[0]


def _api_load(base_url: str, key: str, ids: list[str]) -> tuple[float, list[float], int]:
    local = threading.local()

    def one(i: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = KeepAliveClient(base_url, headers={"X-API-Key": key})
        response = client.get(f"/api/v1/registries/people/{ids[i % len(ids)]}")
        if response.status_code != 200 or not response.json()["is_masked"]:
            raise RuntimeError(f"{response.status_code} {response.text[:200]}")

    per_client = max(1, REQUESTS // CLIENTS)
    # warm every worker (booted), its threads' database connections and caches; the CPU
    # figures start after this, so that they hold no worker start-up
    concurrent_load(one, clients=CLIENTS, requests_per_client=10)
    port = base_url.rsplit(":", 1)[1]
    cpu_before, client_before = _cpu_seconds(port), time.process_time()
    seconds, latencies, errors = concurrent_load(
        one, clients=CLIENTS, requests_per_client=per_client
    )
    cpu_after, client_after = _cpu_seconds(port), time.process_time()
    cpu_ms = {
        f"cpu_ms_per_request_{name}": round(
            (cpu_after[name] - cpu_before[name]) / max(1, len(latencies)) * 1000, 2
        )
        for name in cpu_before
    }
    cpu_ms["cpu_ms_per_request_load_client"] = round(
        (client_after - client_before) / max(1, len(latencies)) * 1000, 2
    )
    return seconds, latencies, errors, cpu_ms


def _select_load(ids: list[str]) -> tuple[float, list[float], int]:
    import psycopg

    local = threading.local()
    connections = []

    def one(i: int) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = psycopg.connect(registry_import.database_url(), autocommit=True)
            connections.append(conn)
        row = conn.execute(
            "SELECT id, id_number, name, gender, birth_date, ethnicity, household_region_id,"
            " residence_address_sealed, phone_sealed FROM registries_person"
            " WHERE id_number = %s",
            [ids[i % len(ids)]],
        ).fetchone()
        if row is None:
            raise RuntimeError("missing row")

    per_client = max(1, REQUESTS // CLIENTS)
    concurrent_load(one, clients=CLIENTS, requests_per_client=10)
    try:
        return concurrent_load(one, clients=CLIENTS, requests_per_client=per_client)
    finally:
        for conn in connections:
            conn.close()


def main() -> None:
    people = _people_count()
    if people < registry_import.ROWS * 0.99:
        registry_import.load()
        people = _people_count()
    ids = _sample_ids(REQUESTS)
    key = _api_key()
    url = registry_import.database_url() + "?conn_max_age=600"
    audited_before = _audit_reads()
    with live_server(
        env={"DATABASE_URL": url}, workers=GUNICORN_WORKERS, threads=GUNICORN_THREADS
    ) as base_url:
        api_seconds, api_latencies, api_errors, cpu_ms = _api_load(base_url, key, ids)
    audited = _audit_reads() - audited_before
    sql_seconds, sql_latencies, sql_errors = _select_load(ids)
    api, sql = latency_summary(api_latencies), latency_summary(sql_latencies)
    api_rps = rate(len(api_latencies), api_seconds)
    sql_rps = rate(len(sql_latencies), sql_seconds)
    report(
        "registry_lookup",
        [
            Figure(
                name=f"GET /api/v1/registries/people/{{id}} on {people:,} people,"
                f" {CLIENTS} clients (API key, audit in the read's transaction, masking)",
                value=api_rps,
                unit="requests/s",
                baseline_name="bare indexed SELECT by id_number (psycopg, 16 threads)",
                baseline_value=sql_rps,
                target=f">= {TARGET_RPS} requests/s, p99 <= {TARGET_P99_MS} ms",
                extra={
                    **api,
                    "requests": len(api_latencies),
                    "errors": api_errors,
                    "audit_entries_written": audited,
                    "audit_entries_expected": len(api_latencies) - api_errors + CLIENTS * 10,
                    "baseline_p50_ms": sql["p50_ms"],
                    "baseline_p99_ms": sql["p99_ms"],
                    "baseline_errors": sql_errors,
                    "gunicorn": f"{GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads",
                    **cpu_ms,
                    "load_average_1min": round(os.getloadavg()[0], 2),
                },
            )
        ],
    )


if __name__ == "__main__":
    main()
