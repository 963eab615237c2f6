import csv
import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from digigov.kernel.errors import DomainError
from digigov.kernel.principals import Principal

from ... import selectors, services

_KINDS = {"people": "person", "entities": "entity"}
_LARGE_FILE = 8 << 20  # bytes: above this, parse in a pool of worker processes


def operator_principal(*, masked: bool = False) -> Principal:
    """Whoever runs the command on the server acts as an operator with registry rights."""
    permissions = {"registries.add_person", "registries.add_entity"}
    permissions |= {"registries.view_person", "registries.view_entity"}
    if not masked:
        permissions |= {"registries.view_person_pii", "registries.view_entity_pii"}
    return Principal(
        kind="staff",
        id=f"cli:{getpass.getuser()}",
        label="命令行操作员",
        permissions=frozenset(permissions),
        source_address="localhost",
    )


class Command(BaseCommand):
    help = "基础库：import 导入 CSV（逐行校验，输出拒收报告），export 导出 CSV"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("import", help="导入 CSV")
        load.add_argument("kind", choices=list(_KINDS))
        load.add_argument("file", type=Path)
        load.add_argument(
            "--all-or-nothing", action="store_true", help="有任何一行被拒收则全部不写入"
        )
        load.add_argument("--report", type=Path, help="把拒收的行写入此 CSV 文件")
        load.add_argument(
            "--workers", type=int, default=0, help="解析校验的进程数（默认：大文件用全部 CPU）"
        )
        dump = actions.add_parser("export", help="导出 CSV")
        dump.add_argument("kind", choices=list(_KINDS))
        dump.add_argument("file", type=Path)
        dump.add_argument("--masked", action="store_true", help="脱敏导出")
        dump.add_argument("--purpose", default="运维导出", help="导出目的（记入审计日志）")

    def handle(self, *args, action: str, kind: str, file: Path, **options):
        if action == "import":
            self._import(_KINDS[kind], file, options)
        else:
            self._export(_KINDS[kind], file, options)

    def _import(self, kind: str, path: Path, options) -> None:
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        workers = options["workers"] or (
            os.cpu_count() or 1 if path.stat().st_size > _LARGE_FILE else 1
        )
        run = services.person_import if kind == "person" else services.entity_import
        try:
            with path.open("rb") as source:
                report = run(
                    principal=operator_principal(),
                    source=source,
                    all_or_nothing=options["all_or_nothing"],
                    filename=path.name,
                    workers=workers,
                )
        except DomainError as exc:
            raise CommandError(f"导入失败，未写入任何数据：{exc.message}") from exc
        if options["report"]:
            with options["report"].open("w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(["line", "key", "reasons"])
                for rejection in report.rejections:
                    writer.writerow([rejection.line, rejection.key, "；".join(rejection.reasons)])
        for rejection in report.rejections[:20]:
            self.stderr.write(f"第 {rejection.line} 行：{'；'.join(rejection.reasons)}")
        if report.rejected > 20:
            self.stderr.write(f"……另有 {report.rejected - 20} 行被拒收（见 --report）")
        rate = report.total / report.seconds if report.seconds else 0
        summary = (
            f"读取 {report.total} 行，导入 {report.imported} 行，拒收 {report.rejected} 行，"
            f"用时 {report.seconds:.1f} 秒（{rate:,.0f} 行/秒）"
        )
        if not report.written:
            raise CommandError(f"{summary}。因使用 --all-or-nothing 且有行被拒收，未写入任何数据")
        self.stdout.write(self.style.SUCCESS(summary))

    def _export(self, kind: str, path: Path, options) -> None:
        export = selectors.person_export if kind == "person" else selectors.entity_export
        try:
            with path.open("w", encoding="utf-8-sig", newline="") as out:
                count = export(
                    principal=operator_principal(masked=options["masked"]),
                    out=out,
                    purpose=options["purpose"],
                )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 行到 {path}"))
