from __future__ import annotations

from django.db.models import QuerySet

from .models import Region


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
