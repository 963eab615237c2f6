from __future__ import annotations

from django.db.models import QuerySet

from .models import Region


def region_code_prefix(code: str) -> str:
    """The prefix every code at or below a region starts with: GB/T 2260 codes nest by
    prefix, so 440000 -> 44 (the province), 440100 -> 4401 (a city), and a county's, town's
    or village's own code (440103, 440103001, 440103001001)."""
    code = code.strip()
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def region_get(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def region_exists(code: str) -> bool:
    return Region.objects.filter(code=code).exists()


def region_children(*, parent_code: str | None) -> QuerySet[Region]:
    return Region.objects.filter(parent_id=parent_code).order_by("code")


def region_ancestors(code: str) -> list[Region]:
    """The region and its ancestors, province first."""
    chain: list[Region] = []
    region = region_get(code)
    while region is not None:
        chain.append(region)
        region = region.parent
    return list(reversed(chain))
