"""Exchange query by key on the person registry: 16 concurrent keep-alive machine clients call
GET /api/v1/exchange/{resource}/records/{id_number}?purpose=... with an API key (key check,
scope, grant check, field masking by the catalog's rules, and the exchange log entry with
its subject digest, hash chain and SM2 signature written in the read's transaction: no log,
no answer) against gunicorn, for a bounded number of requests; the baseline is a bare
indexed SELECT by id_number through psycopg with 16 threads in the same run. Then
verify-only checks (POST /api/v1/exchange/verify/person) per second, same clients, and an
exchange_log_verify pass over everything written.

python -m bench exchange_lookup   (or python -m bench.exchange_lookup --quick;
                                    DIGIGOV_BENCH_QUICK=1 for a smoke run)
  DIGIGOV_BENCH_EXCHANGE_ROWS      people in the registry (default 1,000,000; --quick 20,000)
  DIGIGOV_BENCH_EXCHANGE_REQUESTS  requests per phase (default 4,000; --quick 800)

Uses its own database (digigov_bench_exchange) so that it does not race other benchmarks;
it is built (migrate, regions, departments, `digigov registry import people` from the import
benchmark's cached CSV) when it holds fewer people than asked, and reused otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import registry_import
from bench.common import (
    Figure,
    KeepAliveClient,
    concurrent_load,
    latency_summary,
    live_server,
    rate,
    report,
)

QUICK = "--quick" in sys.argv or os.environ.get("DIGIGOV_BENCH_QUICK") == "1"
ROWS = int(os.environ.get("DIGIGOV_BENCH_EXCHANGE_ROWS", "20000" if QUICK else "1000000"))
REQUESTS = int(os.environ.get("DIGIGOV_BENCH_EXCHANGE_REQUESTS", "800" if QUICK else "4000"))
DB_NAME = "digigov_bench_exchange"
CLIENTS = 16
TARGET_RPS, TARGET_P99_MS = 300, 50
GUNICORN_WORKERS, GUNICORN_THREADS = 4, 1  # as the registry lookup benchmark
RESOURCE = "BENCH-GAT-RK"


def _url() -> str:
    return registry_import.database_url(DB_NAME)


def _people_count() -> int:
    import psycopg

    try:
        with psycopg.connect(_url()) as conn:
            return conn.execute("SELECT count(*) FROM registries_person").fetchone()[0]
    except psycopg.Error:
        return 0


def _digigov(*args: str) -> str:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("digigov")), *args],
        env={**os.environ, "DATABASE_URL": _url()},
        cwd=registry_import.ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _csv_ensure() -> Path:
    """The import benchmark's cached CSV, generated here against this database's regions
    (its own generator reads the regions of its database)."""
    path = registry_import.csv_path(ROWS)
    if path.exists():
        return path
    registry_import.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n" + registry_import._GENERATE,
            str(path),
            str(ROWS),
            str(registry_import.SEED),
        ],
        env={**os.environ, "DATABASE_URL": _url(), "DJANGO_SETTINGS_MODULE": "digigov.settings"},
        cwd=registry_import.ROOT,
        check=True,
    )
    print(f"generated {path.name} in {time.perf_counter() - started:.0f} s")
    return path


def _load() -> None:
    """A fresh database with the regions, departments and ROWS people."""
    registry_import._psql_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    registry_import._psql_admin(f"CREATE DATABASE {DB_NAME}")
    _digigov("migrate", "--noinput", "-v0")
    registry_import._django_run(
        "from digigov.kernel.regions.services import regions_load, towns_synthesize\n"
        "regions_load(); towns_synthesize(per_county=4)\n",
        url=_url(),
    )
    path = _csv_ensure()
    started = time.perf_counter()
    _digigov("registry", "import", "people", str(path), "--workers", str(os.cpu_count() or 2))
    print(f"loaded {ROWS:,} people in {time.perf_counter() - started:.0f} s")


# The catalog entry, the grant (through the sharing services) and the client with its key.
_SETUP = f"""
import uuid
from django.utils import timezone
from digigov.data.catalog.models import DataResource, ResourceField
from digigov.data.sharing.services.requests import sharing_request_decide, sharing_request_submit
from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
if not Organization.objects.filter(code="440100-mzt").exists():
    organizations_seed(county_level=False, town_level=False)
gat, mzt = (Organization.objects.get(code=c) for c in ("440000-gat", "440100-mzt"))
resource, made = DataResource.objects.get_or_create(code="{RESOURCE}", defaults=dict(
    name="自然人基础库（基准测试）", organization=gat, layer="base", storage="registry.person",
    share_condition="conditional", grade="important", has_personal_info=True,
    key_field="id_number", status="published", published_at=timezone.now()))
if made:
    for n, (name, label, masking) in enumerate([("id_number", "公民身份号码", "id_number"),
            ("name", "姓名", "name"), ("gender", "性别", "none"),
            ("household_region_code", "户籍地", "none"), ("residence_address", "居住地址", "address"),
            ("phone", "联系电话", "phone")]):
        ResourceField.objects.create(resource=resource, position=n, name=name, label=label,
                                     data_type="string", masking=masking)
    asker = Principal(kind="operator", id="bench-mzt", organization_id=mzt.pk)
    request = sharing_request_submit(principal=asker, resource_code="{RESOURCE}",
        fields=["id_number", "name", "gender", "household_region_code", "residence_address"],
        purpose="基准测试", legal_basis="基准测试", scope="基准测试",
        period_end=timezone.localdate() + timezone.timedelta(days=300))
    sharing_request_decide(principal=Principal(kind="operator", id="bench-gat"),
        request_id=request.pk, approved_fields=["id_number", "name", "gender",
        "household_region_code", "residence_address"], unmasked_fields=["gender"])
admin = Principal(kind="operator", id="bench")
client = machine_client_create(actor=admin, name=f"bench-{{uuid.uuid4().hex[:8]}}",
    scopes=["exchange:read", "exchange:verify"], organization_id=mzt.pk)
print(api_key_issue(actor=admin, client_id=client.pk).key)
"""


def _setup() -> str:
    out = registry_import._django_run(_SETUP, url=_url())
    return out.strip().splitlines()[-1]


def _sample(count: int) -> list[tuple[str, str]]:
    import psycopg

    with psycopg.connect(_url()) as conn:
        pct = max(0.5, min(100.0, count * 4 / max(1, ROWS) * 100))
        rows = conn.execute(
            "SELECT id_number, name FROM registries_person TABLESAMPLE SYSTEM (%s)"
            " REPEATABLE (7) LIMIT %s",
            [pct, count],
        ).fetchall()
    return [(r[0], r[1]) for r in rows]


def _log_counts() -> dict[str, int]:
    import psycopg

    with psycopg.connect(_url()) as conn:
        rows = conn.execute(
            "SELECT operation, count(*) FROM sharing_exchangelogentry"
            " WHERE outcome = 'answered' GROUP BY operation"
        ).fetchall()
    return dict(rows)


def _http_load(base_url: str, key: str, call) -> tuple[float, list[float], int]:
    local = threading.local()

    def one(i: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = KeepAliveClient(base_url, headers={"X-API-Key": key})
        call(client, i)

    per_client = max(1, REQUESTS // CLIENTS)
    concurrent_load(one, clients=CLIENTS, requests_per_client=10)  # warm connections, caches
    return concurrent_load(one, clients=CLIENTS, requests_per_client=per_client)


def _select_load(ids: list[str]) -> tuple[float, list[float], int]:
    import psycopg

    local = threading.local()
    connections = []

    def one(i: int) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = psycopg.connect(_url(), autocommit=True)
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
    if _people_count() < ROWS * 0.99:
        _load()
    people = _people_count()
    sample = _sample(REQUESTS)
    ids = [s[0] for s in sample]
    key = _setup()
    before = _log_counts()

    def lookup(client, i: int) -> None:
        response = client.get(
            f"/api/v1/exchange/{RESOURCE}/records/{ids[i % len(ids)]}",
            params={"purpose": "基准测试：资格核对"},
        )
        if response.status_code != 200 or "*" not in response.json()["record"]["id_number"]:
            raise RuntimeError(f"{response.status_code} {response.text[:200]}")

    def verify(client, i: int) -> None:
        id_number, name = sample[i % len(sample)]
        wrong = i % 2 == 1  # half of them with a wrong name
        response = client.post(
            "/api/v1/exchange/verify/person",
            json={"id_number": id_number, "name": name + ("某" if wrong else "")},
        )
        if response.status_code != 200 or response.json()["match"] is wrong:
            raise RuntimeError(f"{response.status_code} {response.text[:200]}")

    def health(client, i: int) -> None:
        if client.get("/api/v1/ops/health").status_code != 200:
            raise RuntimeError("health")

    env = {"DATABASE_URL": _url() + "?conn_max_age=600", "DIGIGOV_EXCHANGE_RATE_PER_MINUTE": "0"}
    with live_server(env=env, workers=GUNICORN_WORKERS, threads=GUNICORN_THREADS) as base_url:
        api_seconds, api_latencies, api_errors = _http_load(base_url, key, lookup)
        verify_seconds, verify_latencies, verify_errors = _http_load(base_url, key, verify)
        health_seconds, health_latencies, _ = _http_load(base_url, key, health)
    after = _log_counts()
    sql_seconds, sql_latencies, sql_errors = _select_load(ids)
    started = time.perf_counter()
    verified = registry_import._django_run(
        "from digigov.data.sharing.services.log import exchange_log_verify\n"
        "r = exchange_log_verify(); print(r.checked, r.is_intact)\n",
        url=_url(),
    ).split()
    verify_log_seconds = time.perf_counter() - started
    api, sql, ver = (latency_summary(x) for x in (api_latencies, sql_latencies, verify_latencies))
    warm = CLIENTS * 10
    report(
        "exchange_lookup",
        [
            Figure(
                name=f"GET /api/v1/exchange/{{resource}}/records/{{id}} on {people:,} people,"
                f" {CLIENTS} clients (API key, grant check, masking, signed exchange log entry"
                " in the read's transaction)",
                value=rate(len(api_latencies), api_seconds),
                unit="requests/s",
                baseline_name="bare indexed SELECT by id_number (psycopg, 16 threads)",
                baseline_value=rate(len(sql_latencies), sql_seconds),
                target=f">= {TARGET_RPS} requests/s, p99 <= {TARGET_P99_MS} ms",
                extra={
                    **api,
                    "requests": len(api_latencies),
                    "errors": api_errors,
                    "log_entries_written": after.get("record", 0) - before.get("record", 0),
                    "log_entries_expected": len(api_latencies) - api_errors + warm,
                    "baseline_p50_ms": sql["p50_ms"],
                    "baseline_p99_ms": sql["p99_ms"],
                    "baseline_errors": sql_errors,
                    "gunicorn": f"{GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads",
                    "same_server_health_rps": round(rate(len(health_latencies), health_seconds), 1),
                    "same_server_health_p50_ms": latency_summary(health_latencies)["p50_ms"],
                    "cpus": os.cpu_count(),
                    "quick": QUICK,
                    "load_average_1min": round(os.getloadavg()[0], 2),
                },
            ),
            Figure(
                name=f"POST /api/v1/exchange/verify/person, {CLIENTS} clients (half matching;"
                " logged with the subject digest)",
                value=rate(len(verify_latencies), verify_seconds),
                unit="verifications/s",
                extra={
                    **ver,
                    "requests": len(verify_latencies),
                    "errors": verify_errors,
                    "log_entries_written": after.get("verify_person", 0)
                    - before.get("verify_person", 0),
                },
            ),
            Figure(
                name="exchange_log_verify over the whole log (hash chain, subjects, SM2 per entry)",
                value=rate(int(verified[0]), verify_log_seconds),
                unit="entries/s",
                extra={"entries": int(verified[0]), "intact": verified[1] == "True"},
            ),
        ],
    )


if __name__ == "__main__":
    main()
