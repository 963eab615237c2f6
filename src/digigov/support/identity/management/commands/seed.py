"""digigov seed --demo: regions, departments, registry demo data, demo accounts for every
role and the demo OIDC client. Deterministic and idempotent (a second run changes nothing
and skips the work already done)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from digigov.data.registries.services import registry_demo_generate
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load, towns_synthesize
from digigov.support.identity.services import demo_accounts_seed


class Command(BaseCommand):
    help = "生成演示数据：行政区划、组织机构、基础库演示数据、各角色演示账号和 OIDC 演示客户端"

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

        def step(label: str, work) -> None:
            t = time.perf_counter()
            result = work()
            self.stdout.write(f"  {label}：{result}（{time.perf_counter() - t:.1f} 秒）")

        self.stdout.write("生成演示数据 …")
        # Regions and departments change only with the code: skip them once they are there.
        if Region.objects.filter(level=Region.Level.TOWN).exists():
            step("行政区划", lambda: "已存在，跳过")
        else:
            step("行政区划", lambda: f"{regions_load()} 个县级以上，{towns_synthesize()} 个镇街")
        if Organization.objects.filter(level=Organization.Level.TOWN).exists():
            step("组织机构", lambda: "已存在，跳过")
        else:
            step("组织机构", lambda: f"新建 {organizations_seed()} 个")
        step(
            "基础库",
            lambda: "新增自然人 {people} 个，法人 {entities} 个".format(
                **registry_demo_generate(people=people, entities=entities, seed=seed)
            ),
        )
        step(
            "演示账号",
            lambda: (
                "、".join(f"{k}（{v}）" for k, v in demo_accounts_seed(seed=seed).items())
                or "已存在，未改动"
            ),
        )
        self.stdout.write(
            self.style.SUCCESS(f"完成，用时 {time.perf_counter() - started:.1f} 秒。")
            + "查看演示账号：digigov demo_logins"
        )
