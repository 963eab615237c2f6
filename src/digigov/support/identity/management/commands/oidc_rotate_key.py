"""digigov oidc_rotate_key: a new OIDC signing key; the previous one stays in the JWKS."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from digigov.support.identity.services import oidc_key_rotate


class Command(BaseCommand):
    help = "轮换 OIDC 签名密钥：新密钥立即用于签名，旧密钥继续在 JWKS 中公布以便验证"

    def handle(self, *args, **options):
        key = oidc_key_rotate(actor="system:cli")
        self.stdout.write(self.style.SUCCESS(f"新的签名密钥：{key.kid}"))
        self.stdout.write("其他服务进程将在 DIGIGOV_OIDC_KEY_CACHE_SECONDS 秒内开始使用新密钥。")
