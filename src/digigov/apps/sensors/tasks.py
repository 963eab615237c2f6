"""Background work of 感知终端. The platform has no task runner installed yet (django-tasks
is planned): these are what periodic tasks will call; until then cron runs
`digigov sensors_check_offline` (every minute) and `digigov sensors_maintain` (daily)."""

from __future__ import annotations

from .services.alerts import alerts_escalate_pending
from .services.offline import devices_check_offline
from .services.partitions import readings_partitions_ensure


def sensors_check_offline_task() -> dict[str, int]:
    return {
        "offline": devices_check_offline(),
        "city_events": alerts_escalate_pending(),
        "partitions": len(readings_partitions_ensure()),
    }
