"""digigov totp_code USERNAME: the current TOTP code of a staff account (demo and tests)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from digigov.support.identity.selectors import totp_current_code


class Command(BaseCommand):
    help = "显示公职人员账号当前的动态验证码（演示和测试用）"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        code = totp_current_code(username=username)
        if code is None:
            raise CommandError(f"账号 {username} 不存在或没有绑定身份验证器")
        self.stdout.write(code)
