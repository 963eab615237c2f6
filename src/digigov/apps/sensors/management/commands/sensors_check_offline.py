"""digigov sensors_check_offline: flag silent devices offline, retry pending city events,
and create the readings partitions ahead (run it every minute or so, e.g. from cron)."""

from django.core.management.base import BaseCommand

from digigov.apps.sensors.services.alerts import alerts_escalate_pending
from digigov.apps.sensors.services.offline import devices_check_offline
from digigov.apps.sensors.services.partitions import readings_partitions_ensure


class Command(BaseCommand):
    help = "将超时未上报的感知设备标记为离线，补报告警的城市事件，预建读数分区"

    def handle(self, *args, **options):
        flagged = devices_check_offline()
        reported = alerts_escalate_pending()
        created = readings_partitions_ensure()
        self.stdout.write(
            f"离线设备 {flagged} 台；补报城市事件 {reported} 件；新建分区 {len(created)} 个"
        )
