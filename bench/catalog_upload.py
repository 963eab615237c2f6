"""Dataset upload into PostgreSQL: a CSV file of DIGIGOV_BENCH_UPLOAD_ROWS rows (default
100,000, about 9 MB, under the 20 MB limit) through the real `dataset_file_load` (decode,
parse, check every value against its field's type, replace the dataset in one transaction
with the row count, audit entry and event), against a bare `bulk_create` of the same rows
(parsed, unchecked) in the same run. The second load replaces the first (a delete of the
previous rows is part of the measured work, as in real use).

python -m bench catalog_upload [--quick]
  DIGIGOV_BENCH_UPLOAD_ROWS   rows in the file (default 100,000; --quick: 20,000)

Setup, not measured: the database digigov_bench_catalog is dropped, created and migrated,
with regions and departments, and a dataset resource registered through the services.
"""

from __future__ import annotations

import json
import os
import sys

from bench import registry_import
from bench.common import Figure, rate, report

QUICK = "--quick" in sys.argv or os.environ.get("DIGIGOV_BENCH_QUICK") == "1"
ROWS = int(os.environ.get("DIGIGOV_BENCH_UPLOAD_ROWS", "20000" if QUICK else "100000"))
DB_NAME = "digigov_bench_catalog"

CODE = f"""
import csv, io, json, time
from django.db import connection
from digigov.data.catalog.models import DatasetRow
from digigov.data.catalog.services.datasets import dataset_file_load, dataset_file_parse
from digigov.data.catalog.services.resources import resource_register
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.services import regions_load

regions_load()
organizations_seed(county_level=False, town_level=False)
operator = Principal(kind="operator", id="bench")
fields = [
    dict(name="record_id", label="记录编号", data_type="code", is_required=True),
    dict(name="name", label="名称", data_type="string"),
    dict(name="district_code", label="所在区", data_type="code"),
    dict(name="opened_on", label="开业日期", data_type="date"),
    dict(name="staff_count", label="从业人数", data_type="integer"),
    dict(name="capital", label="注册资本", data_type="decimal"),
    dict(name="is_chain", label="连锁", data_type="boolean"),
    dict(name="address", label="地址", data_type="string"),
]
resource = resource_register(
    principal=operator,
    organization_id=Organization.objects.get(code="440100-scjg").pk,
    values=dict(code="BENCH-UPLOAD", name="基准测试数据集", layer="topic", storage="dataset",
                share_condition="unconditional", grade="general", key_field="record_id"),
    fields=fields,
)
out = io.StringIO()
writer = csv.writer(out)
writer.writerow([f["name"] for f in fields])
for n in range({ROWS}):
    writer.writerow([f"R{{n:08d}}", f"广州市演示{{n}}号商店", "440106", f"20{{n % 25:02d}}-0{{n % 9 + 1}}-1{{n % 9}}",
                     n % 300, f"{{n % 1000}}.50", "是" if n % 3 else "否", f"天河路{{n % 500}}号"])
content = out.getvalue().encode("utf-8")

t = time.perf_counter()
rows = dataset_file_parse(content, "bench.csv")
for n, row in enumerate(rows):
    row["staff_count"] = int(row["staff_count"])
DatasetRow.objects.bulk_create(
    (DatasetRow(resource=resource, row_number=n + 1, key=row["record_id"], data=row)
     for n, row in enumerate(rows)), batch_size=2000)
bare = time.perf_counter() - t
DatasetRow.objects.filter(resource=resource).delete()
timings = []
for _ in range(2):
    t = time.perf_counter()
    report = dataset_file_load(principal=operator, resource_id=resource.pk, content=content,
                               file_name="bench.csv")
    timings.append(time.perf_counter() - t)
    assert report.loaded and report.accepted == {ROWS}, report
print(json.dumps(dict(bytes=len(content), bare=bare, first=timings[0], replace=timings[1])))
"""


def main() -> None:
    registry_import._psql_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    registry_import._psql_admin(f"CREATE DATABASE {DB_NAME}")
    url = registry_import.database_url(DB_NAME)
    import subprocess
    from pathlib import Path

    subprocess.run(
        [str(Path(sys.executable).with_name("digigov")), "migrate", "--noinput", "-v0"],
        env={**os.environ, "DATABASE_URL": url},
        cwd=registry_import.ROOT,
        check=True,
    )
    result = json.loads(registry_import._django_run(CODE, url=url).strip().splitlines()[-1])
    report(
        "catalog_upload",
        [
            Figure(
                name=f"dataset upload, {ROWS:,} rows CSV (parse, type checks, replace, audit)",
                value=rate(ROWS, result["replace"]),
                unit="rows/s",
                baseline_name="bare parse + bulk_create, no checks",
                baseline_value=rate(ROWS, result["bare"]),
                extra={
                    "file_mb": round(result["bytes"] / 1024 / 1024, 1),
                    "first_load_s": round(result["first"], 2),
                    "replace_s": round(result["replace"], 2),
                    "bare_s": round(result["bare"], 2),
                },
            )
        ],
    )
