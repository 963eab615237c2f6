"""A quality run over a 1,000,000-row topic dataset on PostgreSQL: the real `quality_run`
(stream the rows through the catalog's `resource_rows_iter` in chunks of 5,000, evaluate 7
rules, write the report, the issues and the audit entry in one transaction), against a bare
iteration over the same rows and fields with no rules (`resource_rows_iter` alone) in the
same run, after one untimed warm-up pass.

Rules: completeness (name), validity (ID number checksum, GB/T 2260 region code, date),
uniqueness (record_id), reference (uscc in the entity registry, looked up in batches), and
timeliness. About 1 row in 1,000 breaks each row rule on purpose; issues are capped at 500
per rule, so the run also writes ~2,500 issues.

python -m bench quality_run [--quick]
  DIGIGOV_BENCH_QUALITY_ROWS   rows in the dataset (default 1,000,000; --quick: 50,000)

Setup, not measured: the database digigov_bench_quality_v2_<rows> is created and migrated
once (regions, departments, 2,000 demo entities), the resource and its rules are made through
the catalog's and quality's services, and the rows are generated and loaded with COPY.
Later runs reuse it.
"""

from __future__ import annotations

import json
import os
import sys
import time

from bench import registry_import
from bench.common import Figure, rate, report

QUICK = "--quick" in sys.argv or os.environ.get("DIGIGOV_BENCH_QUICK") == "1"
ROWS = int(os.environ.get("DIGIGOV_BENCH_QUALITY_ROWS", "50000" if QUICK else "1000000"))
DB_NAME = f"digigov_bench_quality_v2_{ROWS}"  # v: the generator; a new one, a new database
CODE = "BENCH-QUALITY"
ENTITIES = 2000

SETUP = f"""
from digigov.data.catalog.services.resources import resource_register, resource_review, resource_submit
from digigov.data.quality.models import QualityRule
from digigov.data.quality.services.rules import RuleDraft, quality_rule_create
from digigov.data.registries.services import registry_demo_generate
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.services import regions_load

regions_load()
organizations_seed(county_level=False, town_level=False)
registry_demo_generate(people={ENTITIES}, entities={ENTITIES})
department = Principal(kind="operator", id="bench-department")
bureau = Principal(kind="operator", id="bench-bureau")
organization = Organization.objects.get(code="440100-scjg")
fields = [
    dict(name="record_id", label="记录编号", data_type="code", is_required=True),
    dict(name="uscc", label="统一社会信用代码", data_type="code", standard_element="统一社会信用代码"),
    dict(name="name", label="企业名称", data_type="string"),
    dict(name="id_number", label="经办人身份号码", data_type="code", standard_element="公民身份号码",
         sensitivity="personal", masking="id_number"),
    dict(name="region_code", label="所在地", data_type="code", code_list="GB/T 2260"),
    dict(name="report_date", label="报告日期", data_type="date"),
    dict(name="amount", label="金额", data_type="integer"),
]
resource = resource_register(principal=department, organization_id=organization.pk, values=dict(
    code="{CODE}", name="基准测试数据集", layer="topic", storage="dataset",
    update_frequency="monthly", share_condition="conditional", share_terms="基准测试",
    grade="general", has_personal_info=True, key_field="record_id"), fields=fields)
resource_submit(principal=department, code="{CODE}")
resource_review(principal=bureau, resource_id=resource.pk, approve=True, note="基准测试")
Kind = QualityRule.Kind
for draft in [
    RuleDraft(Kind.COMPLETENESS, ["name"]),
    RuleDraft(Kind.VALIDITY, ["id_number"], "id_number"),
    RuleDraft(Kind.VALIDITY, ["region_code"], "region"),
    RuleDraft(Kind.VALIDITY, ["report_date"], "date"),
    RuleDraft(Kind.UNIQUENESS, ["record_id"]),
    RuleDraft(Kind.REFERENCE, ["uscc"], registry="entity"),
    RuleDraft(Kind.TIMELINESS),
]:
    quality_rule_create(principal=department, resource_id=resource.pk, draft=draft)
print(resource.pk)
"""

MEASURE = f"""
import json, time
from digigov.data.catalog.selectors.resources import resource_by_code
from digigov.data.catalog.selectors.rows import resource_rows_iter
from digigov.data.quality.models import QualityIssue, QualityRule, QualityRun
from digigov.data.quality.services.runs import quality_run
from digigov.kernel.principals import Principal

resource = resource_by_code(code="{CODE}")
fields = sorted({{n for r in QualityRule.objects.filter(resource=resource) for n in r.field_names}})

def bare():
    count = 0
    for _ in resource_rows_iter(resource=resource, fields=fields):
        count += 1
    return count

# each measured run is a first run: it writes its ~2,200 issues (setup, not measured)
QualityIssue.objects.filter(resource=resource).delete()
QualityRun.objects.filter(resource=resource).delete()
bare()  # warm-up: the table in PostgreSQL's cache, connections open
t = time.perf_counter(); rows = bare(); bare_seconds = time.perf_counter() - t
t = time.perf_counter()
run = quality_run(principal=Principal(kind="operator", id="bench"), resource_id=resource.pk)
run_seconds = time.perf_counter() - t
print(json.dumps(dict(
    rows=rows, bare_seconds=bare_seconds, run_seconds=run_seconds, run_rows=run.rows_checked,
    score=str(run.score), issues_opened=run.issues_opened, rules=run.rule_count,
    failed={{r["description"]: r["failed"] for r in run.report}},
)))
"""


def _url() -> str:
    return registry_import.database_url(DB_NAME)


def _loaded_rows() -> int:
    import psycopg

    try:
        with psycopg.connect(_url()) as conn:
            return conn.execute(
                "SELECT count(*) FROM catalog_datasetrow r JOIN catalog_dataresource d"
                " ON d.id = r.resource_id WHERE d.code = %s",
                [CODE],
            ).fetchone()[0]
    except psycopg.Error:
        return 0


def _rows(entities: list[str], people: list[str]):
    """ROWS rows: every row valid except the planted flaws (about 1 in 1,000 per rule). ID
    numbers and USCCs come from the demo registries (valid by construction)."""
    import datetime as dt

    from stdnum.cn import uscc

    unregistered = []
    for serial in range(50):
        body = f"91440101MA{serial:07d}"
        unregistered.append(body + uscc.calc_check_digit(body))
    for n in range(1, ROWS + 1):
        id_number = people[n % len(people)]
        if n % 1000 == 0:  # wrong check digit
            id_number = id_number[:17] + ("0" if id_number[-1] != "0" else "1")
        row = {
            "record_id": f"R{n:08d}" if n % 5000 else f"R{n - 1:08d}",  # duplicate key
            "uscc": entities[n % len(entities)] if n % 1000 != 250 else unregistered[n % 50],
            "name": f"企业{n}" if n % 2000 != 7 else None,
            "id_number": id_number,
            "region_code": id_number[:6] if n % 1000 != 500 else "449999",
            "report_date": (dt.date(2024, 1, 1) + dt.timedelta(days=n % 366)).isoformat(),
            "amount": n % 100000,
        }
        yield n, row


def setup() -> None:
    import psycopg

    registry_import._psql_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    registry_import._psql_admin(f"CREATE DATABASE {DB_NAME}")
    env = {**os.environ, "DATABASE_URL": _url()}
    import subprocess
    from pathlib import Path

    subprocess.run(
        [str(Path(sys.executable).with_name("digigov")), "migrate", "--noinput", "-v0"],
        env=env,
        cwd=registry_import.ROOT,
        check=True,
    )
    resource_id = int(registry_import._django_run(SETUP, url=_url()).strip().splitlines()[-1])
    with psycopg.connect(_url()) as conn:
        entities = [r[0] for r in conn.execute("SELECT uscc FROM registries_entity ORDER BY uscc")]
        people = [r[0] for r in conn.execute("SELECT id_number FROM registries_person ORDER BY 1")]
        with conn.cursor().copy(
            "COPY catalog_datasetrow (resource_id, row_number, key, data, loaded_at) FROM STDIN"
        ) as copy:
            for number, row in _rows(entities, people):
                copy.write_row(
                    (
                        resource_id,
                        number,
                        row["record_id"],
                        json.dumps(row, ensure_ascii=False),
                        "now",
                    )
                )
        conn.execute(
            "UPDATE catalog_dataresource SET row_count = %s, data_updated_at = now() WHERE id = %s",
            [ROWS, resource_id],
        )
        conn.execute("ANALYZE catalog_datasetrow")


def main() -> None:
    started = time.perf_counter()
    if _loaded_rows() != ROWS:
        setup()
    setup_seconds = time.perf_counter() - started
    out = registry_import._django_run(MEASURE, url=_url())
    figures = json.loads(out.strip().splitlines()[-1])
    rows = figures["rows"]
    report(
        "quality_run",
        [
            Figure(
                name=f"quality_run over {rows:,} dataset rows, {figures['rules']} rules"
                " (stream, evaluate, report, issues, audit in one transaction)",
                value=rate(rows, figures["run_seconds"]),
                unit="rows/s",
                baseline_name="bare resource_rows_iter over the same rows and fields",
                baseline_value=rate(rows, figures["bare_seconds"]),
                target="1,000,000 rows: seconds (issue 5)",
                extra={
                    "run_seconds": round(figures["run_seconds"], 2),
                    "bare_iteration_seconds": round(figures["bare_seconds"], 2),
                    "rows_checked": figures["run_rows"],
                    "score": figures["score"],
                    "issues_opened": figures["issues_opened"],
                    "failed_per_rule": figures["failed"],
                    "database": "PostgreSQL",
                    "setup_seconds_not_measured": round(setup_seconds, 1),
                    "quick": QUICK,
                },
            )
        ],
    )


if __name__ == "__main__":
    main()
