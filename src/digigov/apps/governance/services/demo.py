"""Demo: the duty officers of the command center (指挥中心) and a city's dashboard viewer,
with TOTP devices, then today's values and 30 days of history recomputed from the records
the other areas' seeds made (only indicators whose inputs carry timestamps get history)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

from ..constants import HISTORY_DAYS
from ..models import Indicator
from .compute import indicators_backfill
from .topics import definitions_sync, topics_seed

# username -> (organization code, roles, real name, label for `digigov demo_logins`)
DEMO_STAFF: dict[str, tuple[str, list[str], str, str]] = {
    "gd_duty_officer": (
        "440000-zsj",
        ["指挥中心值班员"],
        "温值班",
        "省指挥中心值班员 一网统管驾驶舱（全省）、指标填报、专题配置",
    ),
    "gz_dashboard_viewer": (
        "440100-zsj",
        ["驾驶舱查看人员（本市）"],
        "黎看数",
        "广州市政数局 一网统管驾驶舱（广州）",
    ),
}


def governance_demo_seed(**_options: Any) -> str:
    from django.contrib.auth import get_user_model

    from digigov.kernel.organizations.selectors import organization_list
    from digigov.support.identity import services as identity
    from digigov.support.identity.constants import DEMO_PASSWORDS
    from digigov.support.identity.selectors import totp_enrolment_needed

    definitions_sync()
    topics_seed()
    identity.roles_seed()  # the roles 指挥中心值班员 and 驾驶舱查看人员（本市） (identity.constants)
    accounts = get_user_model().objects
    made = []
    for username, (organization_code, roles, name, _label) in DEMO_STAFF.items():
        organization = (
            organization_list(search=organization_code).filter(code=organization_code).first()
        )
        if organization is None:
            continue
        account = accounts.filter(username=username).first()
        if account is None:
            account = identity.staff_account_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORDS["staff"],
                real_name=name,
                organization_id=organization.pk,
                roles=roles,
            )
            made.append(username)
        else:
            account.groups.add(*Group.objects.filter(name__in=roles))
        if totp_enrolment_needed(account_id=account.pk):
            identity.totp_device_create(account_id=account.pk)
    results = indicators_backfill(days=HISTORY_DAYS)
    values = sum(result.values for result in results)
    computed = Indicator.objects.filter(kind="computed").count()
    return (
        f"新建 {len(made)} 个驾驶舱演示账号；" if made else ""
    ) + f"计算 {computed} 项指标近 {HISTORY_DAYS} 天共 {values} 个值"
