"""Demo: the duty officers of the command center (指挥中心) and a city's dashboard viewer,
with TOTP devices, then today's values and 30 days of history recomputed from the records
the other areas' seeds made (only indicators whose inputs carry timestamps get history)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ..constants import HISTORY_DAYS
from ..models import Indicator, IndicatorValue
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
    from digigov.support.identity import services as identity

    definitions_sync()
    topics_seed()
    identity.roles_seed()  # the roles 指挥中心值班员 and 驾驶舱查看人员（本市） (identity.constants)
    made = identity.demo_staff_ensure(staff=DEMO_STAFF)
    if IndicatorValue.objects.filter(day=timezone.localdate()).exists():
        # a second run changes nothing: `digigov indicators_compute` refreshes on purpose
        return (f"新建 {len(made)} 个驾驶舱演示账号；" if made else "") + "今日指标已计算，跳过"
    results = indicators_backfill(days=HISTORY_DAYS)
    values = sum(result.values for result in results)
    computed = Indicator.objects.filter(kind="computed").count()
    return (
        f"新建 {len(made)} 个驾驶舱演示账号；" if made else ""
    ) + f"计算 {computed} 项指标近 {HISTORY_DAYS} 天共 {values} 个值"
