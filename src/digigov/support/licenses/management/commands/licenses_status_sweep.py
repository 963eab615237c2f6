"""`digigov licenses_status_sweep [--date YYYY-MM-DD]`: resume, for real, the licenses whose
suspension date has passed and clear their bits in the published status lists. (Readers
already treat them as valid.) Schedule it daily after midnight."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from ...services.status import license_suspensions_sweep


class Command(BaseCommand):
    help = "恢复暂停期满的电子证照，并更新状态列表"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("日期格式应为 YYYY-MM-DD") from error
        resumed = license_suspensions_sweep(today=today)
        self.stdout.write(f"已恢复暂停期满的证照 {resumed} 张")
