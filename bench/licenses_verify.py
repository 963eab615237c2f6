"""License verification (电子证照核验) through the public API on PostgreSQL, SM2 and Ed25519
side by side, and the offline status-list check for 100,000 licenses.

API: anonymous clients (as the public page and a scanning app are) against gunicorn. Each
request kind is measured twice: 16 clients sending back to back, which saturates the server
and gives the throughput (their latency is then only the queue: 16 / rate, by Little's law);
and 16 clients sending at the target rate of 500/s on a fixed schedule (open loop, latency
counted from when each request was due), which gives the p99 at that load. Two issuers: 广州市市场监管 signs with SM2 (the default), 深圳市市场监管
was rotated to Ed25519 before issuing. Four measured phases, each over licenses of one
issuer:
  - GET  /api/v1/licenses/verify/{address}: one indexed query for the license with its
    type and issuer, the stored signed document checked against the published key (cached
    per process by key id), status, then one statement that inserts the LicenseUse row
    and links and inserts the audit entry (kernel.audit.services.audit_alone: its own
    transaction, not waiting for the WAL flush);
  - POST /api/v1/licenses/verify with the signed envelope: JSON parse, RFC 8785
    canonicalisation, signature check against the published key, the status lookup by
    address, the same transaction.
Baseline in the same run and server: GET /api/v1/ops/health with the same clients.
The rate limiter runs (a cache counter per request) with a limit above the load, since all
clients share one loopback address.

Offline status-list check: the issuer's revocation list as published (W3C Bitstring Status
List: GZIP, base64url, multibase "u"), with 2% of its 131,072 entries set, is decoded once
and 100,000 license indices are checked (vc.bitstring_decode + vc.bit_get, the functions
behind vc.status_bit), with the answers compared to the bits that were set.

python -m bench licenses_verify
  DIGIGOV_BENCH_VERIFY_REQUESTS  requests per phase (default 2,000; --quick: 320)
  DIGIGOV_BENCH_POSTGRES_URL     server (database digigov_bench_licverify is re-created)
  DIGIGOV_BENCH_VERIFY_PACED     requests of each paced phase (default 2,500: 5 s; --quick: 500)
Target (issue 4): >= 500 verifications/s, and p99 <= 30 ms when 500/s arrive.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import sys
import threading
import time
from urllib.parse import urlparse

from bench import registry_import
from bench.common import (
    Figure,
    concurrent_load,
    latency_summary,
    live_server,
    paced_load,
    rate,
    report,
)

DATABASE = "digigov_bench_licverify"
CLIENTS = 16
QUICK = "--quick" in sys.argv or os.environ.get("DIGIGOV_BENCH_QUICK") == "1"
REQUESTS = int(os.environ.get("DIGIGOV_BENCH_VERIFY_REQUESTS", "320" if QUICK else "2000"))
PACED = int(os.environ.get("DIGIGOV_BENCH_VERIFY_PACED", "500" if QUICK else "2500"))
LICENSES_PER_ISSUER = 64 if QUICK else 200
TARGET_RPS, TARGET_P99_MS = 500, 30
GUNICORN_WORKERS = int(os.environ.get("DIGIGOV_BENCH_VERIFY_WORKERS", "4"))
GUNICORN_THREADS = int(os.environ.get("DIGIGOV_BENCH_VERIFY_THREADS", "1"))
STATUS_CHECKS = 100_000

_SETUP = """
import json
from digigov.data.registries.services import demo_person_id_numbers
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.support.licenses.selectors.verification import license_envelope
from digigov.support.licenses.services.issuance import license_issue
from digigov.support.licenses.testing import type_make, world_make

count = {count}
world = world_make(people=count, entities=1)
people = demo_person_id_numbers(count=count)
license_type = type_make("BENCHV", name="基准测试许可证", issuing_function="scjg")
system = Principal(kind="system", id="bench")
ed_issuer = Organization.objects.get(code="440300-scjg")
try:
    from digigov.support.licenses.services.keys import license_key_rotate

    license_key_rotate(
        principal=Principal(kind="operator", id="bench"), issuer_id=ed_issuer.pk, algorithm="ed25519"
    )
except ImportError:
    from digigov.kernel.crypto import services as crypto

    crypto.key_create(purpose="license", owner="org:440300-scjg", algorithm="ed25519")
out = {{}}
for code in ("440100-scjg", "440300-scjg"):
    issuer = Organization.objects.get(code=code)
    rows = []
    for person in people:
        license = license_issue(
            principal=system, type_code="BENCHV", issuer_id=issuer.pk, holder_kind="person",
            holder_key=person, data={{"category": "甲", "issued_on": "2026-01-02"}},
        )
        rows.append({{"address": license.address, "algorithm": license.algorithm,
                     "envelope": license_envelope(license)}})
    out[code] = rows
print(json.dumps(out, ensure_ascii=False))
"""


class Connection:
    """A keep-alive HTTP/1.1 connection (the standard library's client: a heavier client
    costs more CPU per request than the server it measures on a 2-core machine)."""

    def __init__(self, base: str) -> None:
        parsed = urlparse(base)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read()


def _count(sql: str, url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchone()[0]


def _prepare() -> tuple[str, dict[str, list[dict]]]:
    import subprocess
    from pathlib import Path

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
    out = registry_import._django_run(_SETUP.format(count=LICENSES_PER_ISSUER), url=url)
    return url, json.loads(out.strip().splitlines()[-1])


def _load(base_url: str, request, per_client: int):
    """request(connection, i) -> None (raises on a wrong answer)."""
    local = threading.local()

    def one(i: int) -> None:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = Connection(base_url)
        request(connection, i)

    concurrent_load(one, clients=CLIENTS, requests_per_client=5)  # warm connections, caches
    saturated = concurrent_load(one, clients=CLIENTS, requests_per_client=per_client)
    paced = paced_load(one, per_second=TARGET_RPS, count=PACED, clients=CLIENTS)
    return saturated, paced


def _by_address(rows: list[dict]):
    def request(connection: Connection, i: int) -> None:
        row = rows[i % len(rows)]
        status, body = connection.request("GET", f"/api/v1/licenses/verify/{row['address']}")
        if status != 200 or json.loads(body)["outcome"] != "valid":
            raise RuntimeError(f"{status} {body[:200]!r}")

    return request


def _by_envelope(rows: list[dict]):
    bodies = [json.dumps(row["envelope"], ensure_ascii=False).encode() for row in rows]

    def request(connection: Connection, i: int) -> None:
        status, body = connection.request(
            "POST", "/api/v1/licenses/verify", bodies[i % len(bodies)]
        )
        if status != 200 or json.loads(body)["outcome"] != "valid":
            raise RuntimeError(f"{status} {body[:200]!r}")

    return request


def _health(connection: Connection, i: int) -> None:
    status, body = connection.request("GET", "/api/v1/ops/health")
    if status != 200:
        raise RuntimeError(f"{status} {body[:200]!r}")


def _status_list_check() -> dict:
    """Decode one published list once, check 100,000 indices; every answer compared."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digigov.settings")
    django.setup()
    from digigov.support.licenses import vc

    size = 131_072
    rng = random.Random(4)
    revoked = set(rng.sample(range(size), size // 50))
    bits = bytearray(size // 8)
    for index in revoked:
        vc.bit_set(bits, index, True)
    encoded = vc.bitstring_encode(bytes(bits))
    indices = rng.sample(range(size), STATUS_CHECKS)
    start = time.perf_counter()
    decoded = vc.bitstring_decode(encoded)
    decoded_at = time.perf_counter()
    answers = [vc.bit_get(decoded, index) for index in indices]
    done = time.perf_counter()
    wrong = sum(
        answer != (index in revoked) for answer, index in zip(answers, indices, strict=True)
    )
    # for comparison: status_bit as a one-off verifier calls it (decodes every time)
    one_off = time.perf_counter()
    for index in indices[:200]:
        vc.status_bit(encoded, index)
    one_off_ms = (time.perf_counter() - one_off) / 200 * 1000
    return {
        "seconds": done - start,
        "decode_ms": round((decoded_at - start) * 1000, 2),
        "check_ms": round((done - decoded_at) * 1000, 2),
        "encoded_bytes": len(encoded),
        "revoked_found": sum(answers),
        "wrong_answers": wrong,
        "status_bit_one_off_ms": round(one_off_ms, 3),
    }


def main() -> None:
    url, issued = _prepare()
    sm2, ed = issued["440100-scjg"], issued["440300-scjg"]
    assert {r["algorithm"] for r in sm2} == {"sm2"}, "the Guangzhou issuer should sign with SM2"
    assert {r["algorithm"] for r in ed} == {"ed25519"}, "the Shenzhen issuer should use Ed25519"
    per_client = max(1, REQUESTS // CLIENTS)
    phases = [
        ("GET /api/v1/licenses/verify/{address}", "sm2", _by_address(sm2)),
        ("GET /api/v1/licenses/verify/{address}", "ed25519", _by_address(ed)),
        ("POST /api/v1/licenses/verify (signed envelope)", "sm2", _by_envelope(sm2)),
        ("POST /api/v1/licenses/verify (signed envelope)", "ed25519", _by_envelope(ed)),
    ]
    uses_before = _count("SELECT count(*) FROM licenses_licenseuse", url)
    results = []
    with live_server(
        env={
            "DATABASE_URL": url + "?conn_max_age=600",
            "DIGIGOV_VERIFY_RATE_PER_MINUTE": "1000000000",
            "DIGIGOV_DEBUG": "false",
        },
        workers=GUNICORN_WORKERS,
        threads=GUNICORN_THREADS,
    ) as base_url:
        (base_seconds, base_latencies, base_errors), base_paced = _load(
            base_url, _health, per_client
        )
        for name, algorithm, request in phases:
            results.append((name, algorithm, *_load(base_url, request, per_client)))
    uses = _count("SELECT count(*) FROM licenses_licenseuse", url) - uses_before
    baseline_rps = rate(len(base_latencies) - base_errors, base_seconds)
    health = latency_summary(base_latencies)
    figures = []
    for name, algorithm, (seconds, latencies, errors), paced in results:
        paced_seconds, paced_latencies, paced_errors = paced
        at_target = latency_summary(paced_latencies)
        figures.append(
            Figure(
                name=f"{name}, {algorithm.upper()} issuer, {CLIENTS} anonymous clients"
                " (audit + use record per verification), saturated",
                value=rate(len(latencies) - errors, seconds),
                unit="verifications/s",
                baseline_name="GET /api/v1/ops/health, same clients and server",
                baseline_value=baseline_rps,
                target=f">= {TARGET_RPS} verifications/s; p99 <= {TARGET_P99_MS} ms at {TARGET_RPS}/s",
                extra={
                    f"p50_ms_at_{TARGET_RPS}_per_s": at_target["p50_ms"],
                    f"p99_ms_at_{TARGET_RPS}_per_s": at_target["p99_ms"],
                    f"max_ms_at_{TARGET_RPS}_per_s": round(max(paced_latencies) * 1000, 2),
                    "paced_requests": len(paced_latencies),
                    "paced_achieved_per_s": round(rate(len(paced_latencies), paced_seconds), 1),
                    "paced_errors": paced_errors,
                    "saturated_p50_ms": latency_summary(latencies)["p50_ms"],
                    "saturated_p99_ms": latency_summary(latencies)["p99_ms"],
                    "requests": len(latencies),
                    "errors": errors,
                    f"baseline_p99_ms_at_{TARGET_RPS}_per_s": latency_summary(base_paced[1])[
                        "p99_ms"
                    ],
                    "baseline_saturated_p99_ms": health["p99_ms"],
                    "gunicorn": f"{GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads",
                    "cpus": os.cpu_count(),
                    "quick": QUICK,
                },
            )
        )
    status = _status_list_check()
    figures.append(
        Figure(
            name=f"offline status-list check: decode one list once, check {STATUS_CHECKS:,}"
            " license indices (vc.bitstring_decode + vc.bit_get)",
            value=STATUS_CHECKS / status["seconds"],
            unit="checks/s",
            extra=status,
        )
    )
    figures[0].extra["use_records_written_all_phases"] = uses
    report("licenses_verify", figures)


if __name__ == "__main__":
    main()
