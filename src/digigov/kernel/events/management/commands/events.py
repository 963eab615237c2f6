import time

from django.core.management.base import BaseCommand

from digigov.kernel.events.services import events_work


class Command(BaseCommand):
    help = "领域事件：work 投递待处理事件（--once 只处理一批）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["work"])
        parser.add_argument("--once", action="store_true", help="处理一批后退出")
        parser.add_argument("--interval", type=float, default=1.0, help="轮询间隔（秒）")

    def handle(self, *args, action: str, once: bool, interval: float, **options):
        while True:
            done = events_work()
            if once:
                self.stdout.write(f"已投递 {done} 个事件")
                return
            if not done:
                time.sleep(interval)
