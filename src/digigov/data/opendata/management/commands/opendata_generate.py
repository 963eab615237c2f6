"""digigov opendata_generate --datasets 10000 [--datastore-rows 1000000]: synthetic open
datasets (bulk inserts, idempotent) and a large datastore resource for the benchmarks."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from ...services.generate import bench_resource_id, datasets_generate, datastore_bench_load


class Command(BaseCommand):
    help = "生成开放数据集（批量、可重复执行）及大数据量数据存储资源（基准测试用）"

    def add_arguments(self, parser):
        parser.add_argument("--datasets", type=int, default=10_000)
        parser.add_argument("--datastore-rows", type=int, default=0)
        parser.add_argument("--seed", type=int, default=2021)

    def handle(self, *args, datasets: int, datastore_rows: int, seed: int, **options):
        if not 0 <= datasets <= 1_000_000 or not 0 <= datastore_rows <= 50_000_000:
            raise CommandError("数量超出范围")
        started = time.perf_counter()
        report = datasets_generate(count=datasets, seed=seed)
        self.stdout.write(
            f"数据集：新建 {report.created} 个，已存在 {report.existing} 个"
            f"（{time.perf_counter() - started:.1f} 秒）"
        )
        if datastore_rows:
            started = time.perf_counter()
            datastore_bench_load(rows=datastore_rows)
            self.stdout.write(
                f"数据存储：{datastore_rows:,} 条，资源 {bench_resource_id(rows=datastore_rows)}"
                f"（{time.perf_counter() - started:.1f} 秒）"
            )
