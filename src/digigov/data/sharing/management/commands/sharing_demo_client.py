from django.core.management.base import BaseCommand, CommandError

from digigov.data.sharing.services.demo import sharing_demo_client_key
from digigov.kernel.errors import DomainError


class Command(BaseCommand):
    help = "共享交换：为演示机器客户端（广州市民政局养老服务系统）签发一个 API 密钥（30 天）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="有效天数（默认 30）")

    def handle(self, *args, days: int, **options):
        try:
            client, key = sharing_demo_client_key(days_valid=days)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"客户端：{client.name}（{', '.join(client.scopes)}）")
        self.stdout.write(f"API 密钥（只显示这一次）：{key}")
        self.stdout.write(
            "示例：curl -H 'X-API-Key: <密钥>' "
            "'http://127.0.0.1:8000/api/v1/exchange/GD-GAT-RKJC/records/<身份证号>?purpose=核对'"
        )
