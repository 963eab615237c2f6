"""CKAN package_search with a Chinese text query over 10,000 open datasets: 16 concurrent
keep-alive clients call GET /api/3/action/package_search?q=<中文>&facet.field=[...]&rows=10
against gunicorn (jieba tokens, PostgreSQL tsvector GIN index, four facets, CKAN package
dicts), for a bounded number of requests; the baseline is GET /api/v1/ops/health on the
same server with the same clients in the same run (what the stack costs with no work).

python -m bench ckan_package_search   (or python -m bench.ckan_package_search --quick)
  DIGIGOV_BENCH_OPENDATA_DATASETS   datasets (default 10,000; --quick 2,000)
  DIGIGOV_BENCH_OPENDATA_REQUESTS   requests per phase (default 2,000; --quick 400)

Uses its own database (digigov_bench_opendata), built when it holds fewer datasets than
asked (migrate, regions, departments, `digigov opendata_generate`) and reused otherwise;
the datastore benchmark shares it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import registry_import
from bench.common import (
    ROOT,
    Figure,
    KeepAliveClient,
    concurrent_load,
    latency_summary,
    live_server,
    rate,
    report,
)

QUICK = "--quick" in sys.argv or os.environ.get("DIGIGOV_BENCH_QUICK") == "1"
DATASETS = int(os.environ.get("DIGIGOV_BENCH_OPENDATA_DATASETS", "2000" if QUICK else "10000"))
REQUESTS = int(os.environ.get("DIGIGOV_BENCH_OPENDATA_REQUESTS", "400" if QUICK else "2000"))
DB_NAME = "digigov_bench_opendata"
CLIENTS = 16
TARGET_RPS, TARGET_P95_MS = 50, 200
GUNICORN_WORKERS, GUNICORN_THREADS = 4, 4
QUERIES = [
    "充电桩",
    "养老机构",
    "广州 交通",
    "空气质量",
    "食品经营许可",
    "中小学校",
    "深圳市 公交",
    "经营异常",
    "医疗机构",
    "图书馆",
    "农产品 价格",
    "住房",
    "佛山市 统计",
    "应急避难场所",
    "行政处罚",
    "高新技术企业",
]
FACETS = json.dumps(["organization", "groups", "res_format", "tags"])


def url() -> str:
    return registry_import.database_url(DB_NAME)


def _scalar(sql: str, params: tuple = ()) -> int:
    import psycopg

    try:
        with psycopg.connect(url()) as conn:
            row = conn.execute(sql, params).fetchone()
            return int(row[0]) if row and row[0] is not None else 0
    except psycopg.Error:
        return 0


def _digigov(*args: str) -> str:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("digigov")), *args],
        env={**os.environ, "DATABASE_URL": url()},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def dataset_count() -> int:
    return _scalar(
        "SELECT count(*) FROM opendata_opendataset WHERE name LIKE 'gen-%' AND state = 'published'"
    )


def ensure_database(*, datasets: int, datastore_rows: int = 0) -> None:
    """The shared benchmark database with at least `datasets` generated datasets (and the
    datastore resource of `datastore_rows` rows when asked)."""
    if _scalar("SELECT count(*) FROM django_migrations WHERE app = 'opendata'") == 0:
        registry_import._psql_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        registry_import._psql_admin(f"CREATE DATABASE {DB_NAME}")
        _digigov("migrate", "--noinput", "-v0")
        registry_import._django_run(
            "from digigov.kernel.regions.services import regions_load\n"
            "from digigov.kernel.organizations.services import organizations_seed\n"
            "regions_load(); organizations_seed(county_level=False, town_level=False)\n",
            url=url(),
        )
    args = ["opendata_generate", "--datasets", str(datasets)]
    if datastore_rows:
        args += ["--datastore-rows", str(datastore_rows)]
    started = time.perf_counter()
    print(_digigov(*args).strip(), f"({time.perf_counter() - started:.0f} s)")
    _vacuum_analyze()


def _vacuum_analyze() -> None:
    """Visibility map and hint bits set once, as on a settled database: the first run after
    a build then measures the same plans as the runs after it."""
    import psycopg

    with psycopg.connect(url(), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def http_load(base_url: str, call, *, clients: int, requests: int, headers=None):
    local = threading.local()

    def one(i: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = KeepAliveClient(base_url, headers=headers, timeout=60)
        call(client, i)

    per_client = max(1, requests // clients)
    concurrent_load(one, clients=clients, requests_per_client=5)  # warm connections, caches
    return concurrent_load(one, clients=clients, requests_per_client=per_client)


def main() -> None:
    if dataset_count() < DATASETS:
        ensure_database(datasets=DATASETS)
    total = _scalar("SELECT count(*) FROM opendata_opendataset WHERE state = 'published'")
    counts: list[int] = []

    def search(client, i: int) -> None:
        response = client.get(
            "/api/3/action/package_search",
            params={"q": QUERIES[i % len(QUERIES)], "facet.field": FACETS, "rows": 10},
        )
        body = response.json()
        if (
            response.status_code != 200
            or not body["success"]
            or "organization" not in body["result"]["facets"]
        ):
            raise RuntimeError(f"{response.status_code} {response.text[:200]}")
        if i < len(QUERIES):
            counts.append(body["result"]["count"])

    def health(client, i: int) -> None:
        if client.get("/api/v1/ops/health").status_code != 200:
            raise RuntimeError("health")

    env = {"DATABASE_URL": url() + "?conn_max_age=600"}
    with live_server(env=env, workers=GUNICORN_WORKERS, threads=GUNICORN_THREADS) as base_url:
        seconds, latencies, errors = http_load(base_url, search, clients=CLIENTS, requests=REQUESTS)
        health_seconds, health_latencies, _ = http_load(
            base_url, health, clients=CLIENTS, requests=REQUESTS
        )
    api, base = latency_summary(latencies), latency_summary(health_latencies)
    report(
        "ckan_package_search",
        [
            Figure(
                name=f"GET /api/3/action/package_search (Chinese q, 4 facets, rows 10) over {total:,}"
                f" datasets, {CLIENTS} clients",
                value=rate(len(latencies), seconds),
                unit="requests/s",
                baseline_name="GET /api/v1/ops/health, same server and clients",
                baseline_value=rate(len(health_latencies), health_seconds),
                target=f">= {TARGET_RPS} requests/s, p95 <= {TARGET_P95_MS} ms",
                extra={
                    **api,
                    "requests": len(latencies),
                    "errors": errors,
                    "matches_per_query_min_max": [min(counts or [0]), max(counts or [0])],
                    "baseline_p50_ms": base["p50_ms"],
                    "baseline_p95_ms": base["p95_ms"],
                    "gunicorn": f"{GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads",
                    "cpus": os.cpu_count(),
                    "quick": QUICK,
                    "load_average_1min": round(os.getloadavg()[0], 2),
                },
            )
        ],
    )


if __name__ == "__main__":
    main()
