"""秒批 in process: the CPU one submission costs, without HTTP, load client or scheduling
noise. Throughput benches on this machine move by about 2x from day to day; CPU per
request moves much less, so this is the figure to compare trees with.

On the same database as `instant_approval` (re-created), one citizen's session submits
through Django's test client (middleware, session auth, the API view, the whole filing and
decision, the answer) on PostgreSQL. Per submission: the Python process's CPU
(time.process_time), the CPU of the PostgreSQL backends serving the bench database
(/proc ticks), wall time and the statements run. Baseline in the same
process: GET /api/v1/ops/health with the same session (the framework's floor).

python -m bench instant_cpu
  DIGIGOV_BENCH_INSTANT_CPU_REQUESTS  submissions measured (default 400; --quick: 60)
"""

from __future__ import annotations

import json
import os
import sys

from bench import instant_approval, registry_import
from bench.common import Figure, report

QUICK = "--quick" in sys.argv or os.environ.get("DIGIGOV_BENCH_QUICK") == "1"
REQUESTS = int(os.environ.get("DIGIGOV_BENCH_INSTANT_CPU_REQUESTS", "60" if QUICK else "400"))

_RUN = """
import json
import time
import uuid

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.common import cpu_seconds, postgres_backend_of

session, code, count, database = {args!r}
client = Client()
client.cookies["sessionid"] = session
body = json.dumps({{"item_code": code, "form_data": {{"phone": "13800138000"}}}})


def submit():
    response = client.post(
        "/api/v1/services/applications", data=body, content_type="application/json",
        headers={{"Idempotency-Key": uuid.uuid4().hex}},
    )
    assert response.status_code == 201, response.content[:300]


def health():
    assert client.get("/api/v1/ops/health").status_code == 200


def postgres_seconds():
    return cpu_seconds(postgres_backend_of(database), ["postgres"])["postgres"]


def measure(fn, n):
    for _ in range(20):  # warm: compiled and prepared statements, caches
        fn()
    cpu, wall, pg = time.process_time(), time.perf_counter(), postgres_seconds()
    for _ in range(n):
        fn()
    return {{
        "cpu_ms": (time.process_time() - cpu) / n * 1000,
        "wall_ms": (time.perf_counter() - wall) / n * 1000,
        "postgres_ms": (postgres_seconds() - pg) / n * 1000,
    }}


result = {{"submit": measure(submit, count), "health": measure(health, count)}}
with CaptureQueriesContext(connection) as queries:
    submit()
result["statements"] = len(queries)
print(json.dumps(result))
"""


def main() -> None:
    url, sessions = instant_approval._prepare()
    os.environ["DIGIGOV_EVENTS_INLINE"] = "1"  # as the API bench's server
    out = registry_import._django_run(
        _RUN.format(
            args=(sessions[0], instant_approval.ITEM_CODE, REQUESTS, instant_approval.DATABASE)
        ),
        url=url + "?conn_max_age=600",
    )
    result = json.loads(out.strip().splitlines()[-1])
    submit, health = result["submit"], result["health"]
    report(
        "instant_cpu",
        [
            Figure(
                name="秒批 submission in process (test client, PostgreSQL): Python CPU",
                value=submit["cpu_ms"],
                unit="ms per request",
                baseline_name="GET /api/v1/ops/health in the same process",
                baseline_value=health["cpu_ms"],
                extra={
                    "postgres_cpu_ms": round(submit["postgres_ms"], 2),
                    "wall_ms": round(submit["wall_ms"], 2),
                    "statements": result["statements"],
                    "health_postgres_cpu_ms": round(health["postgres_ms"], 2),
                    "submissions": REQUESTS,
                    "quick": QUICK,
                    "load_average_1min": round(os.getloadavg()[0], 2),
                },
            )
        ],
    )


if __name__ == "__main__":
    main()
