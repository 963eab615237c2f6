from django.core.management.base import BaseCommand, CommandError

from digigov.kernel.audit.services import audit_checkpoint, audit_verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链并指出第一条被修改、插入或删除的条目；checkpoint 签名链头"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint"])

    def handle(self, *args, action: str, **options):
        if action == "checkpoint":
            checkpoint = audit_checkpoint()
            if checkpoint is None:
                self.stdout.write("无新条目，未生成检查点")
            else:
                self.stdout.write(
                    f"已签名检查点：第 {checkpoint.seq} 条（密钥 {checkpoint.key_id}）"
                )
            return
        report = audit_verify()
        if report.is_intact:
            self.stdout.write(self.style.SUCCESS(f"审计链完整：已校验 {report.checked} 条"))
            return
        raise CommandError(f"审计链被破坏：{report.problem.message}（{report.problem.kind}）")
