"""秒批 end to end through the API on PostgreSQL: 16 concurrent keep-alive clients, each a
distinct real-name-verified citizen with its own session (the realistic case: citizens
apply online for themselves), POST /api/v1/services/applications against gunicorn. One
request is the whole path: session auth + CSRF, validation of the JSON Schema form,
prefill from the population registry, idempotency key, case row and number, timeline,
rules (registry, real-name level, age, household region, no open case of the same
item) evaluated on facts gathered once, decision with facts and outcomes stored, audit
entries (hash chain) and domain events (outbox) in the same transaction.

Baseline in the same run and server: GET /api/v1/ops/health (the framework's floor:
routing, middleware, session lookup, JSON) with the same clients.

python -m bench instant_approval
  DIGIGOV_BENCH_INSTANT_REQUESTS  total submissions (default 3,200; --quick: 160)
  DIGIGOV_BENCH_POSTGRES_URL      server (database digigov_bench_instant is re-created)
  DIGIGOV_BENCH_INSTANT_WORKERS / _THREADS   gunicorn workers and threads (default 3 x 6)
Target (issue 3): >= 200 submissions/s with p99 <= 150 ms at 16 clients.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
import uuid

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

DATABASE = "digigov_bench_instant"
CLIENTS = 16
QUICK = "--quick" in sys.argv or os.environ.get("DIGIGOV_BENCH_QUICK") == "1"
REQUESTS = int(os.environ.get("DIGIGOV_BENCH_INSTANT_REQUESTS", "160" if QUICK else "3200"))
TARGET_RPS, TARGET_P99_MS = 200, 150
GUNICORN_WORKERS = int(os.environ.get("DIGIGOV_BENCH_INSTANT_WORKERS", "3"))
GUNICORN_THREADS = int(os.environ.get("DIGIGOV_BENCH_INSTANT_THREADS", "6"))
ITEM_CODE = "BENCH-INSTANT-440100"

_SETUP = """
import datetime as dt
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from digigov.apps.services.services.instant import ruleset_draft_save, ruleset_publish
from digigov.apps.services.testing import item_make
from digigov.apps.services.models import ServiceItem
from digigov.data.registries.selectors import person_brief
from digigov.data.registries.services import demo_person_id_numbers, registry_demo_generate
from digigov.kernel.principals import Principal
from digigov.support.identity import services as identity
from digigov.support.identity.backends import SESSION_BACKEND
from digigov.support.identity.models import Account

clients, code = {args!r}
registry_demo_generate(people=clients * 4, entities=2)
if not ServiceItem.objects.filter(code=code).exists():
    item = item_make(code=code, approval_mode="instant", item_type="benefit", name="基准测试秒批事项")
    operator = Principal(kind="operator", id="bench")
    rules = [
        {{"id": "registry", "label": "在基础库中", "fact": "applicant.exists_in_registry",
          "op": "is_true", "message": "未在基础库中查到申请人"}},
        {{"id": "real_name", "label": "已实名", "fact": "applicant.real_name_level",
          "op": "gte", "value": 2, "message": "未实名"}},
        {{"id": "age", "label": "年满16周岁", "fact": "applicant.age", "op": "gte",
          "value": 16, "message": "未满16周岁"}},
        {{"id": "household", "label": "户籍在广东", "fact": "applicant.household_region_code",
          "op": "prefix", "value": "44", "message": "户籍不在广东"}},
        {{"id": "no_open", "label": "无在办同事项", "fact": "history.open_same_item_count",
          "op": "eq", "value": 0, "message": "已有在办申请"}},
    ]
    draft = ruleset_draft_save(principal=operator, standard_code=code, rules=rules)
    ruleset_publish(principal=operator, ruleset_id=draft.pk)
sessions = []
for index, id_number in enumerate(demo_person_id_numbers(count=clients * 4)):
    if len(sessions) == clients:
        break
    brief = person_brief(id_number=id_number)
    if (dt.date.today() - brief.birth_date).days < 17 * 366:
        continue  # adults only: every submission should pass the rules
    username = f"benchcitizen{{index:03d}}"
    account = Account.objects.filter(username=username).first()
    if account is None:
        account = identity.account_register(
            username=username, password="Bench#Instant2025", phone="13800138000"
        )
        try:
            identity.realname_verify(
                principal=account.as_principal(), name=brief.name, id_number=id_number
            )
        except Exception:
            continue  # e.g. a minor the registry marks differently: take the next person
        account = Account.objects.get(pk=account.pk)
    if account.real_name_level < 2:
        continue
    store = SessionStore()
    store[SESSION_KEY] = str(account.pk)
    store[BACKEND_SESSION_KEY] = SESSION_BACKEND
    store[HASH_SESSION_KEY] = account.get_session_auth_hash()
    store.create()
    sessions.append(store.session_key)
print(json.dumps(sessions))
"""


def _count(sql: str, url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchone()[0]


def _prepare() -> tuple[str, list[str]]:
    import subprocess
    from pathlib import Path

    url = registry_import.database_url(DATABASE)
    import psycopg

    with psycopg.connect(registry_import.database_url("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    subprocess.run(
        [str(Path(sys.executable).with_name("digigov")), "migrate", "--noinput", "-v0"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=registry_import.ROOT,
        check=True,
    )
    out = registry_import._django_run(_SETUP.format(args=(CLIENTS, ITEM_CODE)), url=url)
    sessions = json.loads(out.strip().splitlines()[-1])
    if len(sessions) < CLIENTS:
        raise RuntimeError(f"only {len(sessions)} citizen sessions could be prepared")
    return url, sessions


def _clients(base_url: str, sessions: list[str]):
    local = threading.local()
    lock = threading.Lock()
    handed: list[int] = []

    def client() -> KeepAliveClient:
        current = getattr(local, "client", None)
        if current is None:
            with lock:  # one citizen (session) per load thread
                index = len(handed)
                handed.append(index)
            csrf = secrets.token_hex(16)  # Django wants 32 alphanumerics
            current = local.client = KeepAliveClient(
                base_url,
                cookies={"sessionid": sessions[index % len(sessions)], "csrftoken": csrf},
                headers={"X-CSRFToken": csrf},
                timeout=30,
            )
        return current

    return client


def _submit_load(base_url: str, sessions: list[str], per_client: int):
    client = _clients(base_url, sessions)
    outcomes: dict[str, int] = {}

    def one(_: int) -> None:
        response = client().post(
            "/api/v1/services/applications",
            json={"item_code": ITEM_CODE, "form_data": {"phone": "13800138000"}},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code} {response.text[:300]}")
        status = response.json().get("status", "?")
        outcomes[status] = outcomes.get(status, 0) + 1

    concurrent_load(one, clients=CLIENTS, requests_per_client=2)  # warm up
    seconds, latencies, errors = concurrent_load(
        one, clients=CLIENTS, requests_per_client=per_client
    )
    return seconds, latencies, errors, outcomes


def _health_load(base_url: str, sessions: list[str], per_client: int):
    client = _clients(base_url, sessions)

    def one(_: int) -> None:
        response = client().get("/api/v1/ops/health")
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} {response.text[:200]}")

    concurrent_load(one, clients=CLIENTS, requests_per_client=2)
    return concurrent_load(one, clients=CLIENTS, requests_per_client=per_client)


def main() -> None:
    url, sessions = _prepare()
    per_client = max(1, REQUESTS // CLIENTS)
    with live_server(
        env={"DATABASE_URL": url + "?conn_max_age=600", "DIGIGOV_EVENTS_INLINE": "1"},
        workers=GUNICORN_WORKERS,
        threads=GUNICORN_THREADS,
    ) as base_url:
        seconds, latencies, errors, outcomes = _submit_load(base_url, sessions, per_client)
        base_seconds, base_latencies, base_errors = _health_load(base_url, sessions, per_client)
    decisions = _count("SELECT count(*) FROM services_instantdecision", url)
    submitted, health = latency_summary(latencies), latency_summary(base_latencies)
    report(
        "instant_approval",
        [
            Figure(
                name=f"POST /api/v1/services/applications (秒批, end to end), {CLIENTS} citizens"
                " with their own sessions",
                value=rate(len(latencies) - errors, seconds),
                unit="submissions/s",
                baseline_name="GET /api/v1/ops/health, same clients and server",
                baseline_value=rate(len(base_latencies) - base_errors, base_seconds),
                target=f">= {TARGET_RPS} submissions/s, p99 <= {TARGET_P99_MS} ms",
                extra={
                    **submitted,
                    "submissions": len(latencies),
                    "errors": errors,
                    "outcomes": outcomes,
                    "decisions_stored": decisions,
                    "baseline_p50_ms": health["p50_ms"],
                    "baseline_p99_ms": health["p99_ms"],
                    "baseline_errors": base_errors,
                    "gunicorn": f"{GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads",
                    "quick": QUICK,
                    "load_average_1min": round(os.getloadavg()[0], 2),
                },
            )
        ],
    )


if __name__ == "__main__":
    main()
