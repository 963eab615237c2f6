"""`digigov licenses_authorizations_expire`: mark third-party grants (授权用证) whose period
has ended as expired. (Readers already treat them as expired; this makes the stored status
and the holder's list say so, and raises `licenses.authorization.expired`.) Schedule it
hourly or daily."""

from django.core.management.base import BaseCommand

from digigov.kernel.principals import Principal

from ...services.use import authorizations_expire


class Command(BaseCommand):
    help = "将已到期的用证授权标记为已过期"

    def handle(self, *args, **options):
        operator = Principal(kind="operator", id="cli", label="运维命令行")
        count = authorizations_expire(principal=operator)
        self.stdout.write(f"已将 {count} 项到期授权标记为已过期")
