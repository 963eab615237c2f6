from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Organization


def organization_get(organization_id: int) -> Organization | None:
    return Organization.objects.select_related("region").filter(pk=organization_id).first()


def organization_list(
    *, region_code: str | None = None, level: str | None = None, search: str | None = None
) -> QuerySet[Organization]:
    organizations = Organization.objects.select_related("region").filter(is_active=True)
    if region_code:
        organizations = organizations.filter(region_id=region_code)
    if level:
        organizations = organizations.filter(level=level)
    if search:
        organizations = organizations.filter(Q(name__contains=search) | Q(code__contains=search))
    return organizations.order_by("code")


def organization_descendant_ids(organization_id: int) -> set[int]:
    """The organization and every organization below it (for "my department and below")."""
    found = {organization_id}
    frontier = {organization_id}
    while frontier:
        frontier = (
            set(Organization.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            - found
        )
        found |= frontier
    return found
