"""digigov sensors_ingest: the long-running MQTT ingest worker (docs/sensors.md).
SIGTERM or SIGINT stops it cleanly: the batch in hand is committed and acknowledged, or
left unacknowledged for the broker to redeliver."""

import logging
import queue
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from digigov.apps.sensors.services.alerts import alert_escalate, alerts_escalate_pending
from digigov.apps.sensors.services.ingest import SUBSCRIPTION, TOPIC_ROOT
from digigov.apps.sensors.worker import IngestWorker

log = logging.getLogger(__name__)


def _reporter(pending: queue.Queue, stop: threading.Event) -> None:
    """Reports alerts as city events off the ingest path, so a slow event service only
    delays the events; what is left over is retried by sensors_check_offline."""
    alerts_escalate_pending()
    while not stop.is_set():
        try:
            alert_id = pending.get(timeout=0.5)
        except queue.Empty:
            continue
        try:
            alert_escalate(alert_id=alert_id)
        except Exception:
            log.exception("city event for alert %s", alert_id)
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "感知数据接入：订阅 MQTT 主题，校验、批量入库、规则判断、告警（SIGTERM 平稳退出）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.DIGIGOV_MQTT_HOST)
        parser.add_argument("--port", type=int, default=settings.DIGIGOV_MQTT_PORT)
        parser.add_argument("--client-id", default="digigov-sensors-ingest")
        parser.add_argument(
            "--regions",
            default="",
            help="只订阅这些区划的主题（逗号分隔的区划代码；多个接入进程按区划分工）",
        )
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--batch-wait-ms", type=int, default=100)
        parser.add_argument("--max-messages", type=int, default=None)
        parser.add_argument("--idle-exit", type=float, default=None, help="空闲多少秒后退出")

    def handle(self, *args, **options):
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        pending: queue.Queue = queue.Queue()
        reporter = threading.Thread(target=_reporter, args=(pending, stop), daemon=True)
        reporter.start()
        regions = [code.strip() for code in options["regions"].split(",") if code.strip()]
        subscription = (
            [f"{TOPIC_ROOT}/{code}/+/reading" for code in regions] if regions else SUBSCRIPTION
        )
        worker = IngestWorker(
            subscription=subscription,
            host=options["host"],
            port=options["port"],
            client_id=options["client_id"],
            batch_size=options["batch_size"],
            batch_wait=options["batch_wait_ms"] / 1000,
            on_committed=lambda outcome: [pending.put(i) for i in outcome.event_alert_ids],
        )
        worker.connect()
        self.stdout.write(f"已订阅 {worker.subscription}（客户端 {worker.client_id}）")
        try:
            totals = worker.run(
                stop, max_messages=options["max_messages"], idle_timeout=options["idle_exit"]
            )
        finally:
            worker.close()
            stop.set()
            reporter.join(timeout=5)
        self.stdout.write(
            f"收到 {totals.received}，入库 {totals.stored}，重复 {totals.duplicates}，"
            f"拒收 {totals.rejected}，告警 {totals.alerts}，失败重试 {totals.failures}"
        )
