from django.core.management.base import BaseCommand

from digigov.data.sharing.services.requests import grants_expire


class Command(BaseCommand):
    help = "共享交换：将已过有效期的共享授权标记为“已到期”（交换接口本就不再应答到期授权）"

    def handle(self, *args, **options):
        count = grants_expire()
        self.stdout.write(f"已到期的共享授权：{count} 项")
