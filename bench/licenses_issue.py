"""License issuance (电子证照签发) on PostgreSQL, SM2 and Ed25519 side by side: one issue is
the whole path — holder checked against the population registry, face data validated
against the type's fields, a random position in the issuer's W3C Bitstring Status List
(row lock), the RFC 8785 canonical document signed with the department's key, the license
row, its audit entry (hash chain) and the `licenses.license.issued` event (outbox), in one
transaction.

1. In process: `license_issue` called in a loop (one Django process, no HTTP), with the
   queries one issue makes; baseline: the bare signature over the same document size.
2. Through the API: POST /api/v1/licenses from 16 keep-alive clients (the departments'
   systems, X-API-Key) against gunicorn, twice: back to back, which saturates the server
   and gives the throughput, and at the target rate of 100/s on a fixed schedule (open
   loop, latency counted from when each request was due), which gives the p99 at that
   load. Baseline in the same run and server: GET /api/v1/ops/health with the same clients.

Department 440100-gat signs with SM2 (the default), 440300-gat has rotated to Ed25519.

python -m bench licenses_issue
  DIGIGOV_BENCH_LICENSES   issues per measurement (default 1,600; quick: 160)
  DIGIGOV_BENCH_POSTGRES_URL  server (database digigov_bench_licenses is re-created)
  DIGIGOV_BENCH_LICENSES_PACED  issues of each paced phase (default 1,000: 10 s; quick: 200)
Target (issue 4): >= 100 issues/s, and p99 <= 100 ms when 100/s arrive.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

from bench import registry_import
from bench.common import (
    Figure,
    KeepAliveClient,
    concurrent_load,
    latency_summary,
    live_server,
    paced_load,
    rate,
    report,
)

DATABASE = "digigov_bench_licenses"
CLIENTS = 16
QUICK = "--quick" in sys.argv or os.environ.get("DIGIGOV_BENCH_QUICK") == "1"
ISSUES = int(os.environ.get("DIGIGOV_BENCH_LICENSES", "160" if QUICK else "1600"))
PACED = int(os.environ.get("DIGIGOV_BENCH_LICENSES_PACED", "200" if QUICK else "1000"))
TARGET_RPS, TARGET_P99_MS = 100, 100
GUNICORN_WORKERS = int(os.environ.get("DIGIGOV_BENCH_ISSUE_WORKERS", "4"))
GUNICORN_THREADS = int(os.environ.get("DIGIGOV_BENCH_ISSUE_THREADS", "1"))
ISSUERS = {"sm2": "440100-gat", "ed25519": "440300-gat"}
PEOPLE = 400

_SETUP = """
import json
from digigov.data.registries.services import demo_person_id_numbers, registry_demo_generate
from digigov.kernel.api import services as api
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.services import regions_load
from digigov.support.licenses.selectors.catalog import license_data_prefill
from digigov.support.licenses.services.catalog import license_types_load
from digigov.support.licenses.services.keys import license_key_rotate

people, issuers = {args!r}
regions_load()
organizations_seed(county_level=False, town_level=False)
registry_demo_generate(people=people, entities=2)
license_types_load()
operator = Principal(kind="operator", id="bench")
keys = {{}}
for algorithm, code in issuers.items():
    organization = Organization.objects.get(code=code)
    license_key_rotate(principal=operator, issuer_id=organization.pk, algorithm=algorithm)
    client = api.machine_client_create(
        actor=operator, name=f"bench {{code}}", scopes=["licenses:issue"],
        organization_id=organization.pk,
    )
    keys[algorithm] = api.api_key_issue(actor=operator, client_id=client.pk).key
bodies = []
for id_number in demo_person_id_numbers(count=people):
    data = license_data_prefill(
        type_code="JMSFZ", holder_kind="person", holder_key=id_number, form={{"ethnicity": "汉"}}
    )
    data["issued_on"] = "2026-01-05"
    bodies.append({{"type_code": "JMSFZ", "holder_kind": "person", "holder_key": id_number,
                   "data": data}})
print(json.dumps({{"keys": keys, "bodies": bodies}}, ensure_ascii=False))
"""

_IN_PROCESS = """
import json, time
from django.db import connection
from django.test.utils import CaptureQueriesContext
from digigov.kernel.crypto import services as crypto
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.support.licenses.services.issuance import issuer_sign, license_issue

bodies, issuers, count = {args!r}
system = Principal(kind="system", id="bench")
out = {{}}
for algorithm, code in issuers.items():
    organization = Organization.objects.get(code=code)
    def one(i):
        body = bodies[i % len(bodies)]
        return license_issue(principal=system, issuer_id=organization.pk, source="api", **body)
    for i in range(10):
        one(i)  # warm up: keys loaded and cached, connection open
    with CaptureQueriesContext(connection) as queries:
        license = one(0)
    document = license.signed_payload.encode()
    samples = []
    for i in range(count):
        started = time.perf_counter()
        one(i)
        samples.append(time.perf_counter() - started)
    signs = []
    for _ in range(count):
        started = time.perf_counter()
        issuer_sign(organization, document)
        signs.append(time.perf_counter() - started)
    out[algorithm] = {{"samples": samples, "signs": signs, "queries": len(queries),
                      "key_algorithm": license.algorithm}}
print(json.dumps(out))
"""


def _prepare() -> tuple[str, dict]:
    import psycopg

    url = registry_import.database_url(DATABASE)
    with psycopg.connect(registry_import.database_url("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    subprocess.run(
        [str(Path(sys.executable).with_name("digigov")), "migrate", "--noinput", "-v0"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=registry_import.ROOT,
        check=True,
    )
    out = registry_import._django_run(_SETUP.format(args=(PEOPLE, ISSUERS)), url=url)
    return url, json.loads(out.strip().splitlines()[-1])


def _in_process(url: str, bodies: list[dict]) -> dict:
    code = _IN_PROCESS.format(args=(bodies, ISSUERS, ISSUES))
    env_url = url + "?conn_max_age=600"
    return json.loads(registry_import._django_run(code, url=env_url).strip().splitlines()[-1])


def _client_factory(base_url: str, headers: dict[str, str]):
    local = threading.local()

    def client() -> KeepAliveClient:
        current = getattr(local, "client", None)
        if current is None:
            current = local.client = KeepAliveClient(base_url, headers=headers)
        return current

    return client


def _api_load(base_url: str, key: str, bodies: list[dict]):
    client = _client_factory(base_url, {"X-API-Key": key})
    shuffled = random.Random(4).sample(bodies, len(bodies))

    def one(i: int) -> None:
        response = client().post("/api/v1/licenses", json=shuffled[i % len(shuffled)])
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code} {response.text[:300]}")

    per_client = max(1, ISSUES // CLIENTS)
    concurrent_load(one, clients=CLIENTS, requests_per_client=2)  # warm up
    saturated = concurrent_load(one, clients=CLIENTS, requests_per_client=per_client)
    paced = paced_load(one, per_second=TARGET_RPS, count=PACED, clients=CLIENTS)
    return saturated, paced


def _health_load(base_url: str, key: str):
    client = _client_factory(base_url, {"X-API-Key": key})

    def one(_: int) -> None:
        response = client().get("/api/v1/ops/health")
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} {response.text[:200]}")

    per_client = max(1, ISSUES // CLIENTS)
    concurrent_load(one, clients=CLIENTS, requests_per_client=2)
    return concurrent_load(one, clients=CLIENTS, requests_per_client=per_client)


def main() -> None:
    url, prepared = _prepare()
    bodies, keys = prepared["bodies"], prepared["keys"]
    figures = []
    local = _in_process(url, bodies)
    for algorithm, result in local.items():
        samples, signs = result["samples"], result["signs"]
        summary = latency_summary(samples)
        figures.append(
            Figure(
                name=f"license_issue in process ({algorithm.upper()}, sign + store + audit + event)",
                value=rate(len(samples), sum(samples)),
                unit="issues/s",
                baseline_name=f"the bare {algorithm.upper()} signature of the same document",
                baseline_value=rate(len(signs), sum(signs)),
                target=f">= {TARGET_RPS} issues/s, p99 <= {TARGET_P99_MS} ms",
                extra={
                    **summary,
                    "issues": len(samples),
                    "queries_per_issue": result["queries"],
                    "key_algorithm": result["key_algorithm"],
                    "sign_p50_ms": latency_summary(signs)["p50_ms"],
                },
            )
        )
    with live_server(
        env={"DATABASE_URL": url + "?conn_max_age=600", "DIGIGOV_EVENTS_INLINE": "1"},
        workers=GUNICORN_WORKERS,
        threads=GUNICORN_THREADS,
    ) as base_url:
        runs = {algorithm: _api_load(base_url, keys[algorithm], bodies) for algorithm in ISSUERS}
        base_seconds, base_latencies, base_errors = _health_load(base_url, keys["sm2"])
    health = latency_summary(base_latencies)
    for algorithm, ((seconds, latencies, errors), paced) in runs.items():
        at_target = latency_summary(paced[1])
        figures.append(
            Figure(
                name=f"POST /api/v1/licenses ({algorithm.upper()}), {CLIENTS} department clients,"
                " saturated",
                value=rate(len(latencies) - errors, seconds),
                unit="issues/s",
                baseline_name="GET /api/v1/ops/health, same clients and server",
                baseline_value=rate(len(base_latencies) - base_errors, base_seconds),
                target=f">= {TARGET_RPS} issues/s; p99 <= {TARGET_P99_MS} ms at {TARGET_RPS}/s",
                extra={
                    f"p50_ms_at_{TARGET_RPS}_per_s": at_target["p50_ms"],
                    f"p99_ms_at_{TARGET_RPS}_per_s": at_target["p99_ms"],
                    "paced_issues": len(paced[1]),
                    "paced_achieved_per_s": round(rate(len(paced[1]), paced[0]), 1),
                    "paced_errors": paced[2],
                    "saturated_p50_ms": latency_summary(latencies)["p50_ms"],
                    "saturated_p99_ms": latency_summary(latencies)["p99_ms"],
                    "issues": len(latencies),
                    "errors": errors,
                    "baseline_p50_ms": health["p50_ms"],
                    "baseline_p99_ms": health["p99_ms"],
                    "gunicorn": f"{GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads",
                    "cpus": os.cpu_count(),
                    "quick": QUICK,
                    "load_average_1min": round(os.getloadavg()[0], 2),
                },
            )
        )
    report("licenses_issue", figures)


if __name__ == "__main__":
    main()
