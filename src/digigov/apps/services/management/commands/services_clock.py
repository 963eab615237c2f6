"""`digigov services_clock [--date YYYY-MM-DD]`: recompute the yellow/red warnings of open
cases (限时办结预警). Schedule it daily after midnight; see docs/operations.md."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from digigov.kernel.workdays.selectors import calendar_covers

from ...services.clock import clock_warnings_refresh


class Command(BaseCommand):
    help = "刷新在办办件的办结时限预警（黄牌、红牌）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("日期格式应为 YYYY-MM-DD") from error
        result = clock_warnings_refresh(today=today)
        self.stdout.write(
            f"{result['date']}：检查在办办件 {result['checked']} 件，"
            f"红牌 {result['red']} 件，黄牌 {result['yellow']} 件，预警变化 {result['changed']} 件"
        )
        day = dt.date.fromisoformat(result["date"])
        for year in (day.year, day.year + 1):
            if not calendar_covers(year):
                self.stderr.write(
                    f"注意：工作日历未录入 {year} 年法定节假日，该年按周一至周五计算；"
                    "请依国务院办公厅通知在后台“法定节假日与调休”中录入。"
                )
