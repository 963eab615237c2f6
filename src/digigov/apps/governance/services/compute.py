"""Computing the indicators: every computed indicator for the province and each city (and,
for today, each department line), stored as the day's values. Called by the management
command `digigov indicators_compute`, the task in tasks.py and the demo seed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import ValidationFailed
from digigov.kernel.regions.selectors import region_children, region_exists

from ..constants import PROVINCE_CODE
from ..models import Indicator, IndicatorValue
from ..selectors.calculators import REGISTRY, Area, Context, calculate

HISTORY_LIMIT_DAYS = 366


@dataclass(frozen=True)
class ComputeResult:
    day: dt.date
    indicators: int
    values: int
    skipped: list[int]  # computed indicators without history, on a past day


def province_and_cities() -> list[Area]:
    cities = region_children(parent_code=PROVINCE_CODE).values_list("code", flat=True)
    return [Area(PROVINCE_CODE, "province"), *(Area(code, "city") for code in cities)]


def indicators_compute(
    *, day: dt.date | None = None, numbers: list[int] | None = None, actor: str = "system"
) -> ComputeResult:
    """Compute the day's values (today when None). A past day is recomputed as of that day,
    for the indicators whose inputs carry timestamps only; the others keep no value for it.
    One transaction: a day's values are replaced all together or not at all."""
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise ValidationFailed("不能计算未来日期的指标", code="governance/future_day")
    if (today - day).days > HISTORY_LIMIT_DAYS:
        raise ValidationFailed("只能回算一年以内的指标", code="governance/too_old")
    if not region_exists(PROVINCE_CODE):
        raise ValidationFailed("尚未加载行政区划，无法计算指标", code="governance/no_regions")
    is_today = day == today
    indicators = Indicator.objects.filter(kind="computed").order_by("number")
    if numbers:
        indicators = indicators.filter(number__in=numbers)
    context = Context(
        day=day,
        areas=province_and_cities(),
        as_of=None if is_today else day,
        departments=is_today,
    )
    now = timezone.now()
    rows: list[IndicatorValue] = []
    done: list[int] = []
    skipped: list[int] = []
    for indicator in indicators:
        spec = REGISTRY.get(indicator.calculator)
        if spec is None:
            raise ValidationFailed(
                f"指标 {indicator.number} 的计算器未注册：{indicator.calculator}",
                code="governance/unknown_calculator",
            )
        if not is_today and not spec.historical:
            skipped.append(indicator.number)
            continue
        done.append(indicator.pk)
        for (region_code, department), figure in calculate(spec.key, context).items():
            rows.append(
                IndicatorValue(
                    indicator=indicator,
                    day=day,
                    region_id=region_code,
                    department=department,
                    value=figure.value,
                    numerator=figure.numerator,
                    denominator=figure.denominator,
                    detail=figure.detail,
                    computed_at=now,
                )
            )
    with transaction.atomic():
        IndicatorValue.objects.filter(day=day, indicator_id__in=done).delete()
        IndicatorValue.objects.bulk_create(rows, batch_size=500)
        audit_record(
            actor=actor,
            action="governance.indicators.compute",
            object_type="governance.IndicatorValue",
            object_id=day.isoformat(),
            detail={"indicators": len(done), "values": len(rows), "skipped": skipped},
        )
    return ComputeResult(day=day, indicators=len(done), values=len(rows), skipped=skipped)


def indicators_backfill(*, days: int, actor: str = "system") -> list[ComputeResult]:
    """Today and the `days - 1` days before it, oldest first."""
    today = timezone.localdate()
    return [
        indicators_compute(day=today - dt.timedelta(days=back), actor=actor)
        for back in range(days - 1, -1, -1)
    ]
