import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "导出 /api/v1 的 OpenAPI 文档；--check 比对已提交的文档，有差异即失败"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, path: str, check: bool, **options):
        from digigov.api import api

        text = (
            json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2, sort_keys=True)
            + "\n"
        )
        target = Path(path)
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                raise CommandError(
                    f"{path} 与代码生成的 OpenAPI 不一致：运行 `make openapi` 并在提交中说明接口变更"
                )
            self.stdout.write("OpenAPI 契约未变")
            return
        target.write_text(text, encoding="utf-8")
        self.stdout.write(f"已写入 {path}")
