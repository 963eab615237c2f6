"""The plan's three lists (三清单): 系统清单 (information systems and what they feed into the
catalog), 数据清单 (the published resources with their attributes, and counts by layer,
share condition and grade) and 需求清单 (the sharing app's needs list; linked, not built here).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from digigov.kernel.errors import PermissionDenied, Unauthenticated
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import DataResource, SourceSystem
from .resources import READ_SCOPE, SYSTEM_KINDS, WRITE_SCOPE

NEEDS_LIST_URL = "/staff/sharing/needs/"  # the sharing app's 需求清单 page


def _check(principal: Principal) -> None:
    if principal.kind in SYSTEM_KINDS or principal.kind == "staff":
        return
    if principal.kind == "machine" and (
        principal.has_scope(READ_SCOPE) or principal.has_scope(WRITE_SCOPE)
    ):
        return
    if not principal.is_authenticated:
        raise Unauthenticated()
    raise PermissionDenied("只有公职人员和部门系统可以查看数据目录", code="catalog_forbidden")


@dataclass(frozen=True)
class SystemRow:
    code: str
    name: str
    organization_id: int
    organization_code: str
    organization_name: str
    description: str
    is_active: bool
    published_resources: int


def system_list(
    *, principal: Principal, organization_id: int | None = None, query: str = ""
) -> list[SystemRow]:
    """系统清单: every registered system (active first), with its published resources."""
    _check(principal)
    systems = SourceSystem.objects.select_related("organization")
    if organization_id:
        systems = systems.filter(organization_id=organization_id)
    if query.strip():
        text = query.strip()
        systems = systems.filter(
            Q(name__icontains=text) | Q(code__icontains=text) | Q(description__icontains=text)
        )
    systems = systems.annotate(
        published=Count("resources", filter=Q(resources__status=DataResource.Status.PUBLISHED))
    ).order_by("-is_active", "organization__code", "code")
    return [
        SystemRow(
            code=s.code,
            name=s.name,
            organization_id=s.organization_id,
            organization_code=s.organization.code,
            organization_name=s.organization.name,
            description=s.description,
            is_active=s.is_active,
            published_resources=s.published,
        )
        for s in systems
    ]


def systems_of(*, organization_id: int) -> list[SourceSystem]:
    """A department's active systems (the register form's choices)."""
    return list(
        SourceSystem.objects.filter(organization_id=organization_id, is_active=True).order_by(
            "code"
        )
    )


@dataclass(frozen=True)
class CatalogOverview:
    published: int
    by_layer: list[tuple[str, int]]
    by_share_condition: list[tuple[str, int]]
    by_open_condition: list[tuple[str, int]]
    by_grade: list[tuple[str, int]]
    departments: int
    systems: int
    rows: int  # rows held in the platform's dataset store (published datasets)
    needs_list_url: str = NEEDS_LIST_URL


def _counts(resources, name: str, choices) -> list[tuple[str, int]]:
    # order_by(): the model's default ordering would split the groups
    grouped = resources.order_by().values(name).annotate(n=Count("pk"))
    found = dict(grouped.values_list(name, "n"))
    return [(label, found.get(value, 0)) for value, label in choices.choices]


def catalog_overview(*, principal: Principal) -> CatalogOverview:
    """数据清单 at a glance: the published catalog counted by its attributes."""
    _check(principal)
    published = DataResource.objects.filter(status=DataResource.Status.PUBLISHED)
    totals = published.aggregate(
        n=Count("pk"),
        departments=Count("organization", distinct=True),
    )
    rows = sum(
        published.filter(storage=DataResource.Storage.DATASET).values_list("row_count", flat=True)
    )
    return CatalogOverview(
        published=totals["n"],
        by_layer=_counts(published, "layer", DataResource.Layer),
        by_share_condition=_counts(published, "share_condition", DataResource.ShareCondition),
        by_open_condition=_counts(published, "open_condition", DataResource.OpenCondition),
        by_grade=_counts(published, "grade", DataResource.Grade),
        departments=totals["departments"],
        systems=SourceSystem.objects.filter(is_active=True).count(),
        rows=rows,
    )


def catalog_organizations() -> list[tuple[int, str]]:
    """(id, name) of the departments that have published resources (the filter menu)."""
    published = DataResource.objects.filter(status=DataResource.Status.PUBLISHED)
    return list(
        Organization.objects.filter(pk__in=published.values("organization_id"))
        .order_by("code")
        .values_list("pk", "name")
    )
