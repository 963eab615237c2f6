"""数据目录 queries: who may see and manage a resource, search with filters and pages, one
resource with its fields, the review queue.

Published resources are visible to every civil servant (the catalog is browsed to request
data: 按需共享); drafts, submitted, rejected and retired ones only to their department and
to the data bureau (政务服务数据管理局, function "zsj") of their region and above. Machine
clients with a catalog scope see the published catalog and their own department's entries.

Also the internal lookups the sharing and quality apps use (`resource_by_code`,
`resource_by_id`, `resource_field_list`): no principal, the caller decides."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_code_prefix

from ..models import DataResource, ResourceField

REGISTER_PERMISSION = "catalog.register_resource"
REVIEW_PERMISSION = "catalog.review_resource"
READ_SCOPE = "catalog:read"
WRITE_SCOPE = "catalog:write"
SYSTEM_KINDS = frozenset({"operator", "system"})  # the CLI and seed steps
BUREAU_FUNCTION = "zsj"
PROVINCE_CODE = "440000"
MAX_PAGE_SIZE = 100


def _organization(principal: Principal) -> Organization | None:
    if not principal.organization_id:
        return None
    return Organization.objects.filter(pk=principal.organization_id).first()


def reviewer_region_prefix(principal: Principal) -> str | None:
    """The region prefix a reviewer of the data bureau covers, or None when the principal
    is not one (staff of a zsj organization with the review permission)."""
    if principal.kind != "staff" or not principal.has_perm(REVIEW_PERMISSION):
        return None
    own = _organization(principal)
    if own is None or own.function != BUREAU_FUNCTION:
        return None
    return region_code_prefix(own.region_id)


def resource_may_review(principal: Principal, resource: DataResource) -> bool:
    """The data bureau at the resource's level or above (never the submitter: the service
    checks that, as it depends on who submitted)."""
    if principal.kind in SYSTEM_KINDS:
        return True
    prefix = reviewer_region_prefix(principal)
    return prefix is not None and resource.organization.region_id.startswith(prefix)


def resource_may_manage(principal: Principal, organization_id: int) -> bool:
    """Register and maintain the resources of a department: its own catalog administrators
    (staff with the permission) and its own systems (machine clients with catalog:write)."""
    if principal.kind in SYSTEM_KINDS:
        return True
    if principal.kind == "staff":
        return (
            principal.has_perm(REGISTER_PERMISSION) and principal.organization_id == organization_id
        )
    if principal.kind == "machine":
        return principal.has_scope(WRITE_SCOPE) and principal.organization_id == organization_id
    return False


def _visible(principal: Principal) -> QuerySet[DataResource]:
    resources = DataResource.objects.all()
    if principal.kind in SYSTEM_KINDS:
        return resources
    if not principal.is_authenticated:
        raise Unauthenticated()
    published = Q(status=DataResource.Status.PUBLISHED)
    own = Q(organization_id=principal.organization_id) if principal.organization_id else Q()
    if principal.kind == "staff":
        prefix = reviewer_region_prefix(principal)
        seen = published | own if own else published
        if prefix is not None:
            seen |= Q(organization__region__code__startswith=prefix)
        return resources.filter(seen)
    if principal.kind == "machine" and (
        principal.has_scope(READ_SCOPE) or principal.has_scope(WRITE_SCOPE)
    ):
        return resources.filter(published | own if own else published)
    raise PermissionDenied("只有公职人员和部门系统可以查看数据目录", code="catalog_forbidden")


@dataclass(frozen=True)
class ResourcePage:
    rows: list[DataResource]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class ResourceFilters:
    query: str = ""
    layer: str = ""
    organization_id: int | None = None
    share_condition: str = ""
    open_condition: str = ""
    grade: str = ""
    subject_class: str = ""
    status: str = ""
    storage: str = ""


def _filtered(resources: QuerySet[DataResource], filters: ResourceFilters):
    text = filters.query.strip()
    if text:
        by_field = ResourceField.objects.filter(
            Q(label__icontains=text) | Q(name__icontains=text)
        ).values("resource_id")
        resources = resources.filter(
            Q(name__icontains=text)
            | Q(code__icontains=text)
            | Q(description__icontains=text)
            | Q(pk__in=by_field)
        )
    exact = {
        "layer": (filters.layer, DataResource.Layer.values),
        "share_condition": (filters.share_condition, DataResource.ShareCondition.values),
        "open_condition": (filters.open_condition, DataResource.OpenCondition.values),
        "grade": (filters.grade, DataResource.Grade.values),
        "status": (filters.status, DataResource.Status.values),
        "storage": (filters.storage, DataResource.Storage.values),
    }
    for name, (value, allowed) in exact.items():
        # an unknown choice filters to nothing rather than being ignored
        if value:
            resources = resources.filter(**{name: value}) if value in allowed else resources.none()
    if filters.organization_id:
        resources = resources.filter(organization_id=filters.organization_id)
    if filters.subject_class.strip():
        resources = resources.filter(subject_class=filters.subject_class.strip())
    return resources


def resource_list(
    *,
    principal: Principal,
    filters: ResourceFilters | None = None,
    page: int = 1,
    page_size: int = 20,
) -> ResourcePage:
    """The resources the principal may see, by code, with the filters; one page."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    resources = _filtered(_visible(principal), filters or ResourceFilters())
    total = resources.count()
    rows = list(
        resources.select_related("organization", "source_system").order_by("code")[
            (page - 1) * page_size : page * page_size
        ]
    )
    return ResourcePage(rows=rows, total=total, page=page, page_size=page_size)


@dataclass(frozen=True)
class ResourceDetail:
    resource: DataResource
    fields: list[ResourceField]
    may_edit: bool = False
    may_submit: bool = False
    may_review: bool = False
    may_retire: bool = False
    may_withdraw: bool = False
    may_upload: bool = False
    actions: list[str] = field(default_factory=list)


def resource_get(*, principal: Principal, code: str) -> ResourceDetail:
    """One resource the principal may see, with its fields and what the principal may do."""
    resource = (
        _visible(principal)
        .select_related("organization", "source_system")
        .filter(code=code)
        .first()
    )
    if resource is None:
        raise NotFound("数据资源不存在或无权查看", code="resource_unknown")
    status = DataResource.Status
    manage = resource_may_manage(principal, resource.organization_id)
    review = resource_may_review(principal, resource) and principal.kind != "machine"
    detail = {
        "may_edit": manage and resource.status in (status.DRAFT, status.REJECTED),
        "may_submit": manage and resource.status in (status.DRAFT, status.REJECTED),
        "may_review": review
        and resource.status == status.SUBMITTED
        and resource.submitted_by != principal.actor,
        "may_retire": (manage or review) and resource.status == status.PUBLISHED,
        "may_withdraw": manage and resource.status == status.PUBLISHED,
        "may_upload": manage
        and resource.storage == DataResource.Storage.DATASET
        and resource.status != status.RETIRED,
    }
    return ResourceDetail(
        resource=resource,
        fields=list(resource.fields.order_by("position")),
        actions=[name.removeprefix("may_") for name, allowed in detail.items() if allowed],
        **detail,
    )


def review_queue(*, principal: Principal) -> list[DataResource]:
    """Submitted resources the principal may review (not those it submitted itself)."""
    if principal.kind in SYSTEM_KINDS:
        resources = DataResource.objects.all()
    else:
        prefix = reviewer_region_prefix(principal)
        if prefix is None:
            raise PermissionDenied("只有数据管理机构的审核人员可以审核数据资源")
        resources = DataResource.objects.filter(organization__region__code__startswith=prefix)
    return list(
        resources.filter(status=DataResource.Status.SUBMITTED)
        .exclude(submitted_by=principal.actor)
        .select_related("organization")
        .order_by("updated_at", "code")
    )


def subject_classes() -> list[str]:
    """The subject classes in use (for filter menus)."""
    return list(
        DataResource.objects.exclude(subject_class="")
        .order_by("subject_class")
        .values_list("subject_class", flat=True)
        .distinct()
    )


# --- internal lookups for the data center's other apps (no principal: callers check) --------


def resource_by_code(*, code: str) -> DataResource | None:
    return DataResource.objects.select_related("organization").filter(code=code).first()


def resource_by_id(*, resource_id: int) -> DataResource | None:
    return DataResource.objects.select_related("organization").filter(pk=resource_id).first()


def resource_field_list(*, resource_id: int) -> list[ResourceField]:
    return list(ResourceField.objects.filter(resource_id=resource_id).order_by("position"))


def field_labels(*, resource_ids: set[int]) -> dict[tuple[int, str], str]:
    """{(resource id, field name): Chinese label} for the fields of these resources (one
    query): pages show data items by their labels, never by their column names."""
    rows = ResourceField.objects.filter(resource_id__in=resource_ids).values_list(
        "resource_id", "name", "label"
    )
    return {(resource_id, name): label for resource_id, name, label in rows}
