"""`digigov licenses_types_load`: load or update the license catalog (证照目录) from
support/licenses/data/license_types.json (also done by `digigov seed`)."""

from django.core.management.base import BaseCommand, CommandError

from digigov.kernel.errors import DomainError

from ...services.catalog import license_types_load


class Command(BaseCommand):
    help = "从数据文件加载或更新证照目录"

    def handle(self, *args, **options):
        try:
            created, updated = license_types_load()
        except DomainError as error:
            detail = "\n".join(error.detail or [])
            raise CommandError(f"{error.message}\n{detail}") from error
        self.stdout.write(f"证照目录：新建 {created} 种，更新 {updated} 种")
