"""CKAN datastore_search with an exact-match filter over a 1,000,000-row datastore resource:
GET /api/3/action/datastore_search?resource_id=..&filters={"district_code":..,"category":..}
&limit=100 (CKAN's default page) through gunicorn, with the total (counted over the
filtered rows only; the table's row count is stored, never COUNT(*)-ed per call) and the
usage counter update; p50/p95/p99 at 1 and 4 concurrent clients. The baseline in the same
run is the same filtered SELECT (page + count) through psycopg, with no HTTP or Django.

python -m bench ckan_datastore_search   (or --quick)
  DIGIGOV_BENCH_DATASTORE_ROWS      rows (default 1,000,000; --quick 100,000)
  DIGIGOV_BENCH_DATASTORE_REQUESTS  requests per phase (default 1,000; --quick 300)

Shares the database of ckan_package_search (digigov_bench_opendata); the resource is built
once (COPY) and reused.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading

from bench.ckan_package_search import _scalar, ensure_database, http_load, url
from bench.common import Figure, concurrent_load, latency_summary, live_server, rate, report

QUICK = "--quick" in sys.argv or os.environ.get("DIGIGOV_BENCH_QUICK") == "1"
ROWS = int(os.environ.get("DIGIGOV_BENCH_DATASTORE_ROWS", "100000" if QUICK else "1000000"))
REQUESTS = int(os.environ.get("DIGIGOV_BENCH_DATASTORE_REQUESTS", "300" if QUICK else "1000"))
TARGET_P95_MS = 50
GUNICORN_WORKERS, GUNICORN_THREADS = 3, 6
DISTRICTS = [f"4401{n:02d}" for n in range(3, 18)] + [f"4403{n:02d}" for n in range(3, 12)]
CATEGORIES = [
    "餐饮",
    "零售",
    "住宿",
    "教育培训",
    "医疗",
    "交通运输",
    "物流",
    "文化娱乐",
    "家政",
    "维修",
]


def _resource() -> tuple[str, str]:
    import psycopg

    with psycopg.connect(url()) as conn:
        row = conn.execute(
            "SELECT r.id, t.id FROM opendata_datasetresource r"
            " JOIN opendata_opendataset d ON d.id = r.dataset_id"
            " JOIN opendata_datastoretable t ON t.id = r.datastore_id"
            " WHERE d.name = %s AND t.row_count = %s",
            [f"bench-datastore-{ROWS}", ROWS],
        ).fetchone()
    return str(row[0]), f"opendata_ds_{row[1]}"


def _filters(i: int) -> dict[str, str]:
    rng = random.Random(i)
    return {"district_code": rng.choice(DISTRICTS), "category": rng.choice(CATEGORIES)}


def _sql_load(table: str, clients: int) -> tuple[float, list[float], int]:
    import psycopg

    local = threading.local()
    connections = []

    def one(i: int) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = psycopg.connect(url(), autocommit=True)
            connections.append(conn)
        f = _filters(i)
        where = f'FROM "{table}" WHERE district_code = %s AND category = %s'  # table: ours
        page = "SELECT * " + where + " ORDER BY _id LIMIT 100"
        rows = conn.execute(page, [f["district_code"], f["category"]]).fetchall()
        conn.execute("SELECT count(*) " + where, [f["district_code"], f["category"]]).fetchone()
        if not rows:
            raise RuntimeError("no rows")

    per_client = max(1, REQUESTS // clients)
    concurrent_load(one, clients=clients, requests_per_client=5)
    try:
        return concurrent_load(one, clients=clients, requests_per_client=per_client)
    finally:
        for conn in connections:
            conn.close()


def main() -> None:
    stored = _scalar(
        "SELECT t.row_count FROM opendata_datastoretable t JOIN opendata_opendataset d"
        " ON d.id = t.dataset_id WHERE d.name = %s",
        (f"bench-datastore-{ROWS}",),
    )
    if stored != ROWS:
        ensure_database(datasets=0, datastore_rows=ROWS)
    resource_id, table = _resource()

    def search(client, i: int) -> None:
        response = client.get(
            "/api/3/action/datastore_search",
            params={"resource_id": resource_id, "filters": json.dumps(_filters(i)), "limit": 100},
        )
        body = response.json()
        if response.status_code != 200 or not body["success"] or not body["result"]["records"]:
            raise RuntimeError(f"{response.status_code} {response.text[:200]}")

    env = {"DATABASE_URL": url() + "?conn_max_age=600"}
    figures = []
    with live_server(env=env, workers=GUNICORN_WORKERS, threads=GUNICORN_THREADS) as base_url:
        phases = {}
        for clients in (1, 4):
            phases[clients] = http_load(base_url, search, clients=clients, requests=REQUESTS)
    for clients in (1, 4):
        seconds, latencies, errors = phases[clients]
        sql_seconds, sql_latencies, _ = _sql_load(table, clients)
        api, sql = latency_summary(latencies), latency_summary(sql_latencies)
        figures.append(
            Figure(
                name=f"GET /api/3/action/datastore_search (2 exact filters, limit 100, total) on"
                f" {ROWS:,} rows, {clients} client(s): p95",
                value=api["p95_ms"],
                unit="ms",
                baseline_name="same filtered SELECT page + count via psycopg, same clients",
                baseline_value=sql["p95_ms"],
                target=f"p95 <= {TARGET_P95_MS} ms",
                extra={
                    **api,
                    "requests_per_s": round(rate(len(latencies), seconds), 1),
                    "requests": len(latencies),
                    "errors": errors,
                    "baseline_p50_ms": sql["p50_ms"],
                    "baseline_requests_per_s": round(rate(len(sql_latencies), sql_seconds), 1),
                    "gunicorn": f"{GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads",
                    "cpus": os.cpu_count(),
                    "quick": QUICK,
                    "load_average_1min": round(os.getloadavg()[0], 2),
                },
            )
        )
    report("ckan_datastore_search", figures)


if __name__ == "__main__":
    main()
