"""digigov sensors_maintain (daily): create the readings table's daily partitions ahead and
forget refused messages older than 30 days."""

from django.core.management.base import BaseCommand

from digigov.apps.sensors.services.ingest import rejections_trim
from digigov.apps.sensors.services.partitions import readings_partitions_ensure


class Command(BaseCommand):
    help = "预建感知读数表的按日分区（PostgreSQL），清理 30 天前的拒收消息记录"

    def add_arguments(self, parser):
        parser.add_argument("--days-ahead", type=int, default=7)

    def handle(self, *args, days_ahead: int, **options):
        created = readings_partitions_ensure(days_ahead=days_ahead)
        trimmed = rejections_trim()
        self.stdout.write(
            f"新建分区 {len(created)} 个：{', '.join(created) or '无'}；清理拒收记录 {trimmed} 条"
        )
