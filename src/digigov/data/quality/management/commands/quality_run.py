"""`digigov quality_run --resource CODE [--resource CODE ...] | --all`: check resources
against their quality rules (scheduled checks: run it from cron or a timer, e.g. nightly).
Each resource is its own transaction; the report and issues are written as a run."""

from django.core.management.base import BaseCommand, CommandError

from digigov.kernel.principals import Principal

from ...services.runs import quality_run_many


class Command(BaseCommand):
    help = "按质量规则检查数据资源，生成检查报告和质量问题"

    def add_arguments(self, parser):
        parser.add_argument(
            "--resource", action="append", default=[], metavar="CODE", help="资源代码（可重复）"
        )
        parser.add_argument("--all", action="store_true", help="检查所有设有启用规则的资源")

    def handle(self, *args, resource: list[str], all: bool, **options):
        if bool(resource) == bool(all):
            raise CommandError("请指定 --resource CODE 或 --all（二选一）")
        operator = Principal(kind="operator", id="cli", label="运维命令行")
        outcome = quality_run_many(principal=operator, codes=resource or None, trigger="scheduled")
        for run in outcome.runs:
            score = "无评分" if run.score is None else f"评分 {run.score}"
            self.stdout.write(
                f"{run.resource.code}: 检查 {run.rows_checked} 行，{score}，"
                f"新发现问题 {run.issues_opened} 个，已消除 {run.issues_closed} 个"
            )
        for code, reason in outcome.skipped:
            self.stderr.write(f"{code}: 跳过 - {reason}")
        if outcome.skipped and not outcome.runs:
            raise CommandError("没有完成任何检查")
