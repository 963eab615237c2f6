from django.core.management.base import BaseCommand, CommandError

from digigov.kernel.api.scopes import KNOWN_SCOPES
from digigov.kernel.api.services import (
    api_key_issue,
    machine_client_create,
    machine_client_oauth_enable,
)
from digigov.kernel.errors import DomainError
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

OPERATOR = Principal(kind="operator", id="cli")


class Command(BaseCommand):
    help = "机器客户端：create 新建客户端并签发 API 密钥（--oauth 同时开通 OAuth2 客户端凭据）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "scopes"])
        parser.add_argument("name", nargs="?")
        parser.add_argument(
            "--scopes", default="", help="以逗号分隔，例如 registry:read,audit:read"
        )
        parser.add_argument("--organization", default="", help="所属单位的机构代码")
        parser.add_argument("--oauth", action="store_true", help="同时开通 OAuth2 客户端凭据")
        parser.add_argument("--days", type=int, default=365, help="API 密钥有效天数")

    def handle(self, *args, action, name, scopes, organization, oauth, days, **options):
        if action == "scopes":
            for scope, label in KNOWN_SCOPES.items():
                self.stdout.write(f"{scope}\t{label}")
            return
        if not name:
            raise CommandError("请提供客户端名称")
        organization_id = None
        if organization:
            org = Organization.objects.filter(code=organization).first()
            if org is None:
                raise CommandError(f"机构代码不存在：{organization}")
            organization_id = org.pk
        try:
            client = machine_client_create(
                actor=OPERATOR,
                name=name,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                organization_id=organization_id,
            )
            key = api_key_issue(actor=OPERATOR, client_id=client.pk, days_valid=days)
            credentials = (
                machine_client_oauth_enable(actor=OPERATOR, machine_client_id=client.pk)
                if oauth
                else None
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"客户端：{client.name}（#{client.pk}），范围：{','.join(client.scopes)}")
        self.stdout.write(f"API 密钥（只显示这一次）：{key.key}")
        if credentials:
            self.stdout.write(f"OAuth2 client_id：{credentials.client_id}")
            self.stdout.write(f"OAuth2 client_secret（只显示这一次）：{credentials.client_secret}")
