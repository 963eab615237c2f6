"""Registry import into PostgreSQL: 1,000,000 people end to end (parse, validate every ID
number, region, gender, birth date and phone, seal phone and address with SM4, COPY into a
staging table, INSERT ... SELECT, rebuild indexes, audit, commit) through the real
`digigov registry import people` command, against a bare COPY of the same CSV file into a
plain table of text columns in the same database, in the same run.

python -m bench registry_import
  DIGIGOV_BENCH_IMPORT_ROWS   rows in the file (default 1,000,000)
  DIGIGOV_BENCH_IMPORT_WORKERS  parse/validate/seal processes (default: CPU count)

The CSV is generated once (deterministic demo people, about 1 in 1,000 rows made invalid on
purpose) and cached in var/bench/. The database digigov_bench_import is dropped and
created at the start; the lookup benchmark reuses it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.common import PG_URL, ROOT, Figure, rate, report

ROWS = int(os.environ.get("DIGIGOV_BENCH_IMPORT_ROWS", "1000000"))
WORKERS = int(os.environ.get("DIGIGOV_BENCH_IMPORT_WORKERS", str(os.cpu_count() or 2)))
DB_NAME = "digigov_bench_import"
BENCH_DIR = ROOT / "var" / "bench"
TARGET_ROWS_PER_SECOND = 50_000
SEED = 2021


def database_url(name: str = DB_NAME) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def csv_path(rows: int = ROWS) -> Path:
    return BENCH_DIR / f"people_{rows}_seed{SEED}.csv"


def _psql_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _django_run(code: str, *, url: str) -> str:
    """Run Python with Django set up on the given database; return its stdout."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "digigov.settings"}
    prelude = "import django; django.setup()\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def database_create() -> None:
    """A fresh, migrated database with the Guangdong region tree and demo towns."""
    _psql_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _psql_admin(f"CREATE DATABASE {DB_NAME}")
    env = {**os.environ, "DATABASE_URL": database_url()}
    subprocess.run(
        [str(Path(sys.executable).with_name("digigov")), "migrate", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    _django_run(
        "from digigov.kernel.regions.services import regions_load, towns_synthesize\n"
        "regions_load(); towns_synthesize(per_county=4)\n",
        url=database_url(),
    )


_GENERATE = """
import csv, os, random, sys
from digigov.data.registries import demo, rows, services
path, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
regions = services._demo_regions()
spoil = random.Random(seed)
tmp = path + ".part"
with open(tmp, "w", encoding="utf-8", newline="") as handle:
    writer = csv.writer(handle, lineterminator="\\n")
    writer.writerow(rows.PERSON_COLUMNS)
    for record in demo.people(seed=seed, regions=regions, count=count):
        if spoil.random() < 0.001:  # a few bad rows, so that the report has something in it
            fault = spoil.randrange(3)
            if fault == 0:
                record["id_number"] = record["id_number"][:17] + ("0" if record["id_number"][17] != "0" else "1")
            elif fault == 1:
                record["household_region"] = "449999"
            else:
                record["phone"] = "1234"
        writer.writerow(record.values())
os.replace(tmp, path)
"""


def csv_ensure(rows: int = ROWS) -> Path:
    path = csv_path(rows)
    if path.exists():
        return path
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "digigov.settings",
    }
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n" + _GENERATE,
            str(path),
            str(rows),
            str(SEED),
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )
    print(f"generated {path.name} in {time.perf_counter() - started:.0f} s")
    return path


def bare_copy(path: Path) -> tuple[int, float]:
    """COPY the same CSV into a plain table of text columns: the floor of any import."""
    import psycopg

    with psycopg.connect(database_url()) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare_people")
        conn.execute(
            "CREATE TABLE bench_bare_people (id_number text, name text, gender text,"
            " birth_date text, ethnicity text, household_region text,"
            " residence_address text, phone text)"
        )
        conn.commit()
        started = time.perf_counter()
        sql = "COPY bench_bare_people FROM STDIN (FORMAT csv, HEADER true)"
        with conn.cursor() as cursor, cursor.copy(sql) as copy, path.open("rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)
        conn.commit()
        seconds = time.perf_counter() - started
        count = conn.execute("SELECT count(*) FROM bench_bare_people").fetchone()[0]
        conn.execute("DROP TABLE bench_bare_people")
        conn.commit()
    return count, seconds


def registry_import(path: Path, *, workers: int = WORKERS) -> dict:
    """Run the real command; return its own timing and the wall time around it."""
    env = {**os.environ, "DATABASE_URL": database_url()}
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("digigov")),
            "registry",
            "import",
            "people",
            str(path),
            "--workers",
            str(workers),
            "--report",
            str(BENCH_DIR / "registry_import_rejections.csv"),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    match = re.search(r"读取 (\d+) 行，导入 (\d+) 行，拒收 (\d+) 行，用时 ([\d.]+) 秒", done.stdout)
    if match is None:
        raise RuntimeError(f"unexpected output: {done.stdout} {done.stderr}")
    total, imported, rejected, seconds = match.groups()
    return {
        "total": int(total),
        "imported": int(imported),
        "rejected": int(rejected),
        "seconds": float(seconds),
        "wall": wall,
    }


def verify(expected: int) -> dict:
    import psycopg

    with psycopg.connect(database_url()) as conn:
        count = conn.execute("SELECT count(*) FROM registries_person").fetchone()[0]
        indexes = [
            row[0]
            for row in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'registries_person'"
                " ORDER BY indexname"
            )
        ]
        plaintext = conn.execute(
            "SELECT count(*) FROM registries_person WHERE phone_sealed ~ '^1[3-9][0-9]{9}$'"
        ).fetchone()[0]
    if count != expected:
        raise RuntimeError(f"registries_person holds {count} rows, the import said {expected}")
    if plaintext:
        raise RuntimeError("phone numbers stored in clear")
    return {"rows_in_table": count, "indexes": indexes}


def load(rows: int = ROWS) -> dict:
    """Fresh database + cached CSV + import: what the lookup benchmark needs."""
    database_create()
    path = csv_ensure(rows)
    result = registry_import(path)
    verify(result["imported"])
    return result


def main() -> None:
    database_create()
    path = csv_ensure(ROWS)
    copied, copy_seconds = bare_copy(path)
    result = registry_import(path)
    checked = verify(result["imported"])
    copy_rate = rate(copied, copy_seconds)
    report(
        "registry_import",
        [
            Figure(
                name=f"import {result['total']:,} people (validate + SM4 seal + COPY staging"
                " + INSERT + index rebuild + audit), in the service",
                value=rate(result["total"], result["seconds"]),
                unit="rows/s",
                baseline_name="bare COPY of the same CSV into text columns",
                baseline_value=copy_rate,
                target=f">= {TARGET_ROWS_PER_SECOND:,} rows/s",
                extra={
                    "seconds": round(result["seconds"], 2),
                    "imported": result["imported"],
                    "rejected": result["rejected"],
                    "workers": WORKERS,
                    "bare_copy_seconds": round(copy_seconds, 2),
                    "indexes": checked["indexes"],
                    "load_average_1min": round(os.getloadavg()[0], 2),
                },
            ),
            Figure(
                name="same import, wall time of the `digigov registry import` process",
                value=rate(result["total"], result["wall"]),
                unit="rows/s",
                baseline_name="bare COPY",
                baseline_value=copy_rate,
                extra={"seconds": round(result["wall"], 2)},
            ),
        ],
    )


if __name__ == "__main__":
    main()
