"""Reads the 开放广东 pages need beyond the API's: the showcase list with search and pages,
the catalog resources a publisher may open, and usage rows for the staff pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from digigov.kernel.principals import Principal

from ..models import OpenDataset, Showcase

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class ShowcasePage:
    rows: list[Showcase]
    total: int
    page: int
    page_size: int


def showcase_page(*, query: str = "", page: int = 1, page_size: int = 12) -> ShowcasePage:
    """Published showcases, newest first, with their published datasets (fixed queries)."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    rows = Showcase.objects.filter(state=Showcase.State.PUBLISHED)
    text = query.strip()[:100]
    if text:
        rows = rows.filter(Q(title__icontains=text) | Q(description__icontains=text))
    total = rows.count()
    found = list(
        rows.prefetch_related("datasets").order_by("-created_at", "-pk")[
            (page - 1) * page_size : page * page_size
        ]
    )
    return ShowcasePage(rows=found, total=total, page=page, page_size=page_size)


def showcases_of_author(*, principal: Principal) -> list[Showcase]:
    """The caller's own submissions with their moderation state."""
    if not principal.is_authenticated:
        return []
    return list(Showcase.objects.filter(author=principal.actor).order_by("-created_at")[:50])


def opened_resource_ids(*, resource_ids: list[int]) -> dict[int, str]:
    """{catalog resource id: open dataset name} for resources already opened (any state but
    rejected or withdrawn), so the publishing page does not offer them twice."""
    rows = (
        OpenDataset.objects.filter(resource_id__in=resource_ids)
        .exclude(state__in=[OpenDataset.State.REJECTED, OpenDataset.State.WITHDRAWN])
        .values_list("resource_id", "name")
    )
    return dict(rows)
