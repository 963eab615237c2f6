"""digigov seed --demo: every app's demo data (regions, departments, registries, accounts,
service items ...), in layer order. Deterministic and idempotent: a second run changes
nothing and skips the work already done. Apps register their steps (kernel.ops.seeding)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from digigov.kernel.ops.seeding import seed_steps


class Command(BaseCommand):
    help = "生成演示数据：行政区划、组织机构、基础库、各角色演示账号、政务服务事项等"

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="生成演示数据（必填）")
        parser.add_argument("--people", type=int, default=20_000, help="自然人数量（默认 20000）")
        parser.add_argument("--entities", type=int, default=2_000, help="法人数量（默认 2000）")
        parser.add_argument("--seed", type=int, default=2021, help="随机种子（默认 2021）")

    def handle(self, *args, demo: bool, people: int, entities: int, seed: int, **options):
        if not demo:
            raise CommandError("目前只支持演示数据：请加 --demo")
        if people < 1 or entities < 1:
            raise CommandError("--people 和 --entities 至少为 1")
        started = time.perf_counter()
        self.stdout.write("生成演示数据 …")
        for step in seed_steps():
            t = time.perf_counter()
            result = step.run(seed=seed, people=people, entities=entities)
            self.stdout.write(f"  {step.label}：{result}（{time.perf_counter() - t:.1f} 秒）")
        self.stdout.write(
            self.style.SUCCESS(f"完成，用时 {time.perf_counter() - started:.1f} 秒。")
            + "查看演示账号：digigov demo_logins"
        )
