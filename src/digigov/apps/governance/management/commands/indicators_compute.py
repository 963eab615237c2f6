"""digigov indicators_compute [--day YYYY-MM-DD] [--backfill N]: recompute the indicators."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from digigov.kernel.errors import DomainError

from ...services.compute import indicators_backfill, indicators_compute


class Command(BaseCommand):
    help = "计算一网统管指标（默认今天；--backfill N 回算近 N 天）"

    def add_arguments(self, parser):
        parser.add_argument("--day", help="计算日期 YYYY-MM-DD（过去的日期按当日回算）")
        parser.add_argument("--backfill", type=int, default=0, help="回算近 N 天（含今天）")

    def handle(self, *args, **options):
        try:
            if options["backfill"]:
                if not 1 <= options["backfill"] <= 366:
                    raise CommandError("--backfill 应在 1 到 366 之间")
                results = indicators_backfill(days=options["backfill"], actor="operator")
            else:
                day = dt.date.fromisoformat(options["day"]) if options["day"] else None
                results = [indicators_compute(day=day, actor="operator")]
        except ValueError as error:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{error}") from error
        except DomainError as error:
            raise CommandError(error.message) from error
        for result in results:
            skipped = f"，无历史口径跳过 {len(result.skipped)} 项" if result.skipped else ""
            self.stdout.write(
                f"{result.day}：计算 {result.indicators} 项指标，{result.values} 个值{skipped}"
            )
