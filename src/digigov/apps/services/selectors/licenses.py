"""Indicator 17 of the plan (Annex 1): 电子证照用证率 = 使用电子证照的行政许可事项数 /
行政许可事项数 × 100%.

Definition taken here (the stricter of the two readings): an item counts in the numerator
when at least one of its cases was filed with a license as a material (免提交 actually used),
not merely when one of its materials would accept a license type. Items: active, published,
of type 行政许可 ("permit"), implemented in the region or below it (GB/T 2260 prefix)."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import ApplicationMaterial, ServiceItem
from .supervision import region_prefix

PERMIT = "permit"


@dataclass(frozen=True)
class LicenseUseRate:
    numerator: int  # 使用电子证照的行政许可事项数
    denominator: int  # 行政许可事项数
    percentage: float  # one decimal; 0.0 when there is no permit item
    region_code: str


def license_use_rate(*, region_code: str | None = None) -> LicenseUseRate:
    items = ServiceItem.objects.filter(
        is_active=True, published__isnull=False, published__item_type=PERMIT
    )
    if region_code:
        items = items.filter(region__code__startswith=region_prefix(region_code))
    denominator = items.count()
    used = (
        ApplicationMaterial.objects.filter(source="license", application__item__in=items)
        .values("application__item_id")
        .distinct()
        .count()
    )
    percentage = round(used * 100 / denominator, 1) if denominator else 0.0
    return LicenseUseRate(
        numerator=used,
        denominator=denominator,
        percentage=percentage,
        region_code=region_code or "",
    )
