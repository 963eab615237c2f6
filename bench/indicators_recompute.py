"""Recomputing all 21 indicators of 一网统管 over the demo data on PostgreSQL: the real
`indicators_compute` for today (16 computed indicators for the province and the 21 cities,
plus the department lines; the 5 reported ones are read, not computed), and the 30-day
back-fill the demo seed runs, against the same service computing one trivial indicator
(3: the count of 一件事 in use) in the same run. Each figure is the median of 3 runs after
one untimed warm-up.

python -m bench indicators_recompute [--quick]
  DIGIGOV_BENCH_GOVERNANCE_PEOPLE   demo people (default 20,000; --quick: 2,000)

Setup, not measured: the database digigov_bench_governance_<people> is created, migrated and
seeded once with `digigov seed --demo` (every area's demo records: items, cases, ratings,
logins, sharing requests, seals, licenses ...). Later runs reuse it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import registry_import
from bench.common import Figure, report

QUICK = "--quick" in sys.argv or os.environ.get("DIGIGOV_BENCH_QUICK") == "1"
PEOPLE = int(os.environ.get("DIGIGOV_BENCH_GOVERNANCE_PEOPLE", "2000" if QUICK else "20000"))
DB_NAME = f"digigov_bench_governance_{PEOPLE}"

MEASURE = """
import json, statistics, time
from digigov.apps.governance.models import IndicatorValue
from digigov.apps.governance.services.compute import indicators_backfill, indicators_compute

def timed(fn, runs=3):
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        t = time.perf_counter(); result = fn(); samples.append(time.perf_counter() - t)
    return statistics.median(samples), result

trivial_seconds, trivial = timed(lambda: indicators_compute(numbers=[3], actor="bench"))
all_seconds, everything = timed(lambda: indicators_compute(actor="bench"))
backfill_seconds, days = timed(lambda: indicators_backfill(days=30, actor="bench"), runs=1)
print(json.dumps(dict(
    trivial_seconds=trivial_seconds, trivial_values=trivial.values,
    all_seconds=all_seconds, indicators=everything.indicators, values=everything.values,
    backfill_seconds=backfill_seconds, backfill_values=sum(d.values for d in days),
    stored_values=IndicatorValue.objects.count(),
    with_data=IndicatorValue.objects.filter(region_id="440000", department="",
        value__isnull=False).values("indicator").distinct().count(),
)))
"""


def _url() -> str:
    return registry_import.database_url(DB_NAME)


def _seeded() -> bool:
    import psycopg

    try:
        with psycopg.connect(_url()) as conn:
            return bool(
                conn.execute("SELECT count(*) FROM governance_indicatorvalue").fetchone()[0]
            )
    except psycopg.Error:
        return False


def setup() -> None:
    registry_import._psql_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    registry_import._psql_admin(f"CREATE DATABASE {DB_NAME}")
    env = {**os.environ, "DATABASE_URL": _url()}
    command = str(Path(sys.executable).with_name("digigov"))
    subprocess.run(
        [command, "migrate", "--noinput", "-v0"], env=env, cwd=registry_import.ROOT, check=True
    )
    subprocess.run(
        [command, "seed", "--demo", "--people", str(PEOPLE), "--entities", str(PEOPLE // 10)],
        env=env,
        cwd=registry_import.ROOT,
        check=True,
    )


def main() -> None:
    started = time.perf_counter()
    if not _seeded():
        setup()
    setup_seconds = time.perf_counter() - started
    out = registry_import._django_run(MEASURE, url=_url())
    figures = json.loads(out.strip().splitlines()[-1])
    report(
        "indicators_recompute",
        [
            Figure(
                name=f"indicators_compute: all {figures['indicators']} computed indicators for"
                f" today, province + 21 cities + department lines ({figures['values']} values)",
                value=figures["all_seconds"],
                unit="s",
                baseline_name="the same service computing one trivial indicator (3)",
                baseline_value=figures["trivial_seconds"],
                target="recomputing all 21 indicators over the demo data: seconds (issue 7)",
                extra={
                    "backfill_30_days_seconds": round(figures["backfill_seconds"], 2),
                    "backfill_values": figures["backfill_values"],
                    "indicators_with_data_province": figures["with_data"],
                    "stored_values": figures["stored_values"],
                    "database": "PostgreSQL",
                    "demo_people": PEOPLE,
                    "setup_seconds_not_measured": round(setup_seconds, 1),
                    "quick": QUICK,
                },
            )
        ],
    )


if __name__ == "__main__":
    main()
