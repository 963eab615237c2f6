"""`digigov catalog_dataset_load <code> <file>`: an operator loads a CSV or JSON file into a
dataset resource (the same parser, checks and audit as the upload page)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from digigov.kernel.errors import DomainError
from digigov.kernel.principals import Principal

from ...selectors.resources import resource_by_code
from ...services.datasets import MAX_FILE_BYTES, MODES, dataset_file_load

OPERATOR = Principal(kind="operator", id="cli", label="运维命令行")


class Command(BaseCommand):
    help = "把 CSV 或 JSON 文件载入上传数据集类的数据资源（整体替换）"

    def add_arguments(self, parser):
        parser.add_argument("code", help="资源代码")
        parser.add_argument("file", type=Path, help="CSV（UTF-8/GB18030）或 JSON 文件")
        parser.add_argument(
            "--mode", choices=MODES, default="all_or_nothing", help="有误的行：全部不载入或跳过"
        )

    def handle(self, *args, code: str, file: Path, mode: str, **options):
        resource = resource_by_code(code=code)
        if resource is None:
            raise CommandError(f"数据资源 {code} 不存在")
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        if file.stat().st_size > MAX_FILE_BYTES:
            raise CommandError("文件过大：至多 20 MB")
        try:
            report = dataset_file_load(
                principal=OPERATOR,
                resource_id=resource.pk,
                content=file.read_bytes(),
                file_name=file.name,
                mode=mode,
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        for problem in report.rejected[:50]:
            self.stderr.write(f"第 {problem.row_number} 条 {problem.field}：{problem.message}")
        if not report.loaded:
            raise CommandError(
                f"共 {report.total} 行，{report.rejected_rows} 行有误，未载入任何数据"
            )
        self.stdout.write(
            f"{code}：载入 {report.accepted} 行，跳过有误的 {report.rejected_rows} 行"
        )
