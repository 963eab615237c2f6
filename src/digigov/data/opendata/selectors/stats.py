"""Figures other apps read (indicator 12: open datasets; dashboards; menus)."""

from __future__ import annotations

from django.db.models import Count

from digigov.kernel.regions.selectors import region_code_prefix

from ..models import OpenDataset


def _published():
    return OpenDataset.objects.filter(state=OpenDataset.State.PUBLISHED)


def open_dataset_count(
    *, region_code: str | None = None, organization_id: int | None = None
) -> int:
    """Published datasets; region_code matches the publisher's region or its descendants."""
    datasets = _published()
    if region_code:
        datasets = datasets.filter(region_code__startswith=region_code_prefix(region_code))
    if organization_id is not None:
        datasets = datasets.filter(organization_id=organization_id)
    return datasets.count()


def open_dataset_choices() -> list[tuple[str, str]]:
    """(name, title) of the published datasets, by title."""
    return list(_published().order_by("title", "name").values_list("name", "title"))


def open_dataset_counts_by_organization() -> dict[int, int]:
    rows = _published().order_by().values_list("organization_id").annotate(n=Count("pk"))
    return dict(rows)
