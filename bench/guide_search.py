"""Guide search over 10,000 published items: p50/p99 of Chinese full-text queries with a
region filter through the selector (in-process) and through GET /api/v1/services/items
(gunicorn, 4 concurrent clients), against a plain indexed lookup of an item by code with
its published version in the same run.

python -m bench guide_search
  DIGIGOV_BENCH_GUIDE_ITEMS    items to load (default 10,000)
  DIGIGOV_BENCH_GUIDE_QUERIES  queries per measurement (default 600)
  DIGIGOV_BENCH_GUIDE_URL      database (default: PostgreSQL database digigov_bench_guides;
                               a sqlite:/// URL runs the SQLite FTS5 path)

The catalog's demo items (data/items_*.json) are loaded in every city, then copies with
numbered codes fill up to the requested count. The database is rebuilt when it holds fewer.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from bench.common import (
    PG_URL,
    ROOT,
    Figure,
    KeepAliveClient,
    concurrent_load,
    latency_summary,
    live_server,
    report,
)

ITEMS = int(os.environ.get("DIGIGOV_BENCH_GUIDE_ITEMS", "10000"))
QUERIES = int(os.environ.get("DIGIGOV_BENCH_GUIDE_QUERIES", "600"))
DB_NAME = "digigov_bench_guides"
TARGET_P99_MS = 50
HTTP_CLIENTS = 4
TERMS = [
    "营业执照",
    "出生",
    "公积金",
    "社保卡",
    "不动产登记",
    "食品经营许可",
    "结婚登记",
    "身份证",
    "退休",
    "施工许可",
    "医保",
    "护照",
    "低保",
    "企业注销",
    "驾驶证",
    "入学",
]
REGIONS = ["440100", "440300", "440600", "441900", "440106", ""]


def database_url() -> str:
    url = os.environ.get("DIGIGOV_BENCH_GUIDE_URL")
    if url:
        return url
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path=f"/{DB_NAME}"))


def _rebuild(url: str) -> None:
    if url.startswith("postgres"):
        import psycopg

        admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    elif url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if os.path.exists(path):
            os.remove(path)
    env = {**os.environ, "DATABASE_URL": url}
    digigov = os.path.join(os.path.dirname(sys.executable), "digigov")
    subprocess.run([digigov, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)


def _load(count: int) -> int:
    """Regions, departments and `count` items (the demo catalog, then numbered copies)."""
    from digigov.apps.services.services.items import catalog_entries, items_catalog_load
    from digigov.kernel.organizations.services import organizations_seed
    from digigov.kernel.principals import Principal
    from digigov.kernel.regions.services import regions_load

    regions_load()
    organizations_seed(county_level=True, town_level=False)
    operator = Principal(kind="operator", id="bench")
    entries = catalog_entries()
    made = items_catalog_load(principal=operator, entries=entries).created
    round_ = 1
    while made < count:
        copies = []
        for entry in entries:
            copy = dict(entry, standard_code=f"{entry['standard_code']}-B{round_}")
            copy["name"] = f"{entry['name']}（第{round_}批试点）"
            copies.append(copy)
        made += items_catalog_load(principal=operator, entries=copies).created
        round_ += 1
    return made


def _queries(n: int) -> list[tuple[str, str]]:
    rng = random.Random(7)
    return [(rng.choice(TERMS), rng.choice(REGIONS)) for _ in range(n)]


def _time_each(fn, args: list) -> list[float]:
    samples = []
    for arg in args:
        start = time.perf_counter()
        fn(arg)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    url = database_url()
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from digigov.apps.services.models import ServiceItem
    from digigov.apps.services.selectors.items import item_search

    try:
        present = ServiceItem.objects.filter(published__isnull=False).count()
    except Exception:
        present = 0
    if present < ITEMS:
        from django.db import connections

        connections.close_all()
        _rebuild(url)
        present = _load(ITEMS)
    queries = _queries(QUERIES)
    codes = list(ServiceItem.objects.values_list("code", flat=True).order_by("?")[:QUERIES])
    # warm up jieba, caches and the connection
    for term, region in queries[:20]:
        item_search(query=term, region=region)
    selector = _time_each(lambda qr: item_search(query=qr[0], region=qr[1]), queries)
    baseline = _time_each(
        lambda code: ServiceItem.objects.select_related("published").get(code=code), codes
    )
    totals = [item_search(query=term).total for term in TERMS]

    local = threading.local()

    with live_server(env={"DATABASE_URL": url}, workers=2, threads=4) as base_url:

        def one(i: int) -> None:
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = KeepAliveClient(base_url)
            term, region = queries[i % len(queries)]
            response = client.get(
                "/api/v1/services/items", params={"q": term, "region": region, "page_size": 20}
            )
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code} {response.text[:200]}")

        concurrent_load(one, clients=HTTP_CLIENTS, requests_per_client=10)
        seconds, http, errors = concurrent_load(
            one, clients=HTTP_CLIENTS, requests_per_client=max(1, QUERIES // HTTP_CLIENTS)
        )
    sel, base, api = latency_summary(selector), latency_summary(baseline), latency_summary(http)
    backend = "PostgreSQL tsvector" if url.startswith("postgres") else "SQLite FTS5"
    report(
        "guide_search",
        [
            Figure(
                name=f"item_search p99 on {present:,} items ({backend}, jieba, region filter)",
                value=sel["p99_ms"],
                unit="ms",
                baseline_name="indexed lookup by code with its published version",
                baseline_value=base["p99_ms"],
                target=f"p99 <= {TARGET_P99_MS} ms",
                extra={
                    **sel,
                    "baseline_p50_ms": base["p50_ms"],
                    "queries": len(selector),
                    "matches_per_term_min": min(totals),
                    "matches_per_term_max": max(totals),
                },
            ),
            Figure(
                name=f"GET /api/v1/services/items?q= p99, {HTTP_CLIENTS} clients",
                value=api["p99_ms"],
                unit="ms",
                baseline_name="selector p99 in-process",
                baseline_value=sel["p99_ms"],
                extra={
                    **api,
                    "requests": len(http),
                    "errors": errors,
                    "requests_per_s": round(len(http) / seconds, 1) if seconds else None,
                },
            ),
        ],
    )


if __name__ == "__main__":
    main()
