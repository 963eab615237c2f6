"""`digigov cityevents_escalate`: mark open city events past their stage deadline overdue and
escalate them one level up (idempotent; schedule it every few minutes, see docs/city-events.md)."""

from django.core.management.base import BaseCommand

from ...services.events import city_events_escalate


class Command(BaseCommand):
    help = "城市事件超时升级：标记超时并提交上一级督办（可重复运行）"

    def handle(self, *args, **options):
        result = city_events_escalate()
        self.stdout.write(
            f"检查超时事件 {result.checked} 件，升级 {result.escalated} 件，"
            f"仅标记超时 {result.marked_overdue} 件"
        )
