from django.core.management.base import BaseCommand, CommandError

from digigov.data.sharing.services.log import exchange_log_verify


class Command(BaseCommand):
    help = "共享交换：校验交换日志的哈希链与签名，指出第一条被修改、插入或删除的条目"

    def handle(self, *args, **options):
        report = exchange_log_verify()
        if report.is_intact:
            self.stdout.write(self.style.SUCCESS(f"交换日志完整：已校验 {report.checked} 条"))
            return
        raise CommandError(f"交换日志被破坏：{report.problem.message}（{report.problem.kind}）")
