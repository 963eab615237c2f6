"""`digigov licenses_key_rotate <organization code> [--algorithm sm2|ed25519]`: a new
license-signing key for an issuing department (operator console). The old key is retired
but stays published, so everything it signed still verifies. Choosing ed25519 here is how a
department switches from SM2."""

from django.core.management.base import BaseCommand, CommandError

from digigov.kernel.errors import DomainError
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ...services.keys import ALGORITHMS, license_key_rotate


class Command(BaseCommand):
    help = "轮换颁发单位的证照签名密钥（可改用 Ed25519）"

    def add_arguments(self, parser):
        parser.add_argument("organization", help="颁发单位代码，如 440100-scjg")
        parser.add_argument("--algorithm", choices=ALGORITHMS, default="sm2")

    def handle(self, *args, **options):
        organization = Organization.objects.filter(code=options["organization"]).first()
        if organization is None:
            raise CommandError(f"颁发单位不存在：{options['organization']}")
        operator = Principal(kind="operator", id="cli", label="运维命令行")
        try:
            key_id = license_key_rotate(
                principal=operator, issuer_id=organization.pk, algorithm=options["algorithm"]
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"{organization.name} 的证照签名密钥已轮换为 {key_id}（{options['algorithm']}）"
        )
