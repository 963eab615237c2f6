"""digigov demo_logins: the demo logins for each role (operator console only)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from digigov.support.identity.selectors import demo_logins


class Command(BaseCommand):
    help = "列出各角色的演示账号、密码和公职人员的动态验证码密钥"

    def handle(self, *args, **options):
        rows = demo_logins()
        if not rows:
            self.stdout.write("还没有演示账号，请先运行：digigov seed --demo")
            return
        header = ("角色", "用户名", "密码", "实名等级", "单位", "TOTP 密钥")
        table = [
            (
                r["role"],
                r["username"],
                r["password"],
                r["level"],
                r["organization"],
                r["totp_secret"],
            )
            for r in rows
        ]
        widths = [max(_width(str(row[i])) for row in [header, *table]) for i in range(len(header))]
        self.stdout.write("演示账号（仅供演示，切勿用于生产环境）：")
        for row in [header, *table]:
            self.stdout.write("  ".join(_pad(str(cell), widths[i]) for i, cell in enumerate(row)))
        self.stdout.write(
            "公职人员登录需要动态验证码：把 TOTP 密钥加入身份验证器应用，"
            "或运行 digigov totp_code staff（管理员：digigov totp_code admin）获取当前验证码。"
        )
        self.stdout.write(
            "OIDC 演示客户端：client_id=digigov-demo，回调 http://127.0.0.1:8000/oidc/callback，"
            "发现文档 http://127.0.0.1:8000/o/.well-known/openid-configuration"
        )


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
