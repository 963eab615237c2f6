"""Reading open datasets: one dataset by id or name, lists, usage statistics, ratings and
comments, organizations and themes with counts, and the staff queues (review, applications).

Published datasets are public; drafts, submitted, rejected and withdrawn ones only to their
publisher and the reviewing data bureau."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import (
    AccessApplication,
    Comment,
    DataRequest,
    DatasetResource,
    DatasetTag,
    DeveloperKey,
    KeyUsageDay,
    OpenDataset,
    Rating,
    Showcase,
    Theme,
    UsageDay,
)
from .access import (
    SYSTEM_KINDS,
    may_answer_requests,
    may_moderate,
    may_publish,
    may_read_rows,
    may_review,
    reviewer_prefix,
)
from .search import published, with_details

_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)
MAX_PAGE_SIZE = 100


def _by_key(datasets: QuerySet[OpenDataset], key: str) -> OpenDataset | None:
    key = str(key or "").strip()[:100]
    if not key:
        return None
    if _UUID.match(key):
        found = datasets.filter(pk=key).first()
        if found is not None:
            return found
    return datasets.filter(name=key).first()


def dataset_published_get(*, key: str) -> OpenDataset:
    """A published dataset by id or name (with organization, tags, resources), or NotFound."""
    dataset = _by_key(with_details(published()), key)
    if dataset is None:
        raise NotFound("数据集不存在", code="dataset_unknown")
    return dataset


def dataset_get_for_staff(*, principal: Principal, key: str) -> OpenDataset:
    """Any dataset its publisher or reviewer may see (also unpublished ones)."""
    dataset = _by_key(with_details(OpenDataset.objects.all()), key)
    if dataset is None:
        raise NotFound("数据集不存在", code="dataset_unknown")
    if dataset.state == OpenDataset.State.PUBLISHED:
        return dataset
    if not principal.is_authenticated:
        raise NotFound("数据集不存在", code="dataset_unknown")
    if not (may_publish(principal, dataset.organization_id) or may_review(principal, dataset)):
        raise NotFound("数据集不存在", code="dataset_unknown")
    return dataset


def datasets_with_details(*, ids) -> list[OpenDataset]:
    """Datasets by id (any state; callers got the ids from a checked service or selector),
    with what their summaries show, by name."""
    return list(with_details(OpenDataset.objects.filter(pk__in=list(ids))))


def dataset_names(*, limit: int | None = None, offset: int = 0) -> list[str]:
    names = published().order_by("name").values_list("name", flat=True)
    return list(names[offset : offset + limit] if limit is not None else names[offset:])


def dataset_rows_allowed(
    *, principal: Principal, dataset: OpenDataset, key_owner: str = ""
) -> bool:
    actor = key_owner or (principal.actor if principal.is_authenticated else "")
    return may_read_rows(actor=actor, dataset=dataset, principal=principal)


@dataclass(frozen=True)
class UsagePoint:
    day: dt.date
    views: int
    downloads: int
    api_calls: int


@dataclass(frozen=True)
class UsageStats:
    views_total: int
    downloads_total: int
    api_calls_total: int
    days: list[UsagePoint]


def dataset_usage(*, dataset: OpenDataset, days: int = 30) -> UsageStats:
    """Totals and the last `days` days (missing days as zero)."""
    days = max(1, min(days, 366))
    first = timezone.localdate() - dt.timedelta(days=days - 1)
    rows = {
        r.day: r for r in UsageDay.objects.filter(dataset=dataset, day__gte=first).order_by("day")
    }
    calls = UsageDay.objects.filter(dataset=dataset).aggregate(n=Sum("api_calls"))["n"] or 0
    points = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        row = rows.get(day)
        points.append(
            UsagePoint(
                day,
                row.views if row else 0,
                row.downloads if row else 0,
                row.api_calls if row else 0,
            )
        )
    return UsageStats(dataset.view_count, dataset.download_count, calls, points)


@dataclass(frozen=True)
class RatingSummary:
    average: float | None
    count: int
    mine: int | None


def dataset_rating(*, dataset: OpenDataset, principal: Principal | None = None) -> RatingSummary:
    agg = Rating.objects.filter(dataset=dataset).aggregate(avg=Avg("score"), n=Count("id"))
    mine = None
    if principal is not None and principal.is_authenticated:
        mine = (
            Rating.objects.filter(dataset=dataset, rater=principal.actor)
            .values_list("score", flat=True)
            .first()
        )
    average = round(float(agg["avg"]), 2) if agg["avg"] is not None else None
    return RatingSummary(average, agg["n"], mine)


def dataset_comments(*, dataset: OpenDataset, limit: int = 50) -> list[Comment]:
    """Approved comments, newest first."""
    return list(
        Comment.objects.filter(dataset=dataset, state=Comment.State.APPROVED).order_by(
            "-created_at"
        )[:limit]
    )


def comments_pending(*, principal: Principal, limit: int = 100) -> list[Comment]:
    _require(principal, may_moderate(principal), "只有审核人员可以查看待审核评论")
    return list(
        Comment.objects.filter(state=Comment.State.PENDING)
        .select_related("dataset")
        .order_by("created_at")[:limit]
    )


def _require(principal: Principal, allowed: bool, message: str) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not allowed:
        raise PermissionDenied(message, code="opendata/forbidden")


@dataclass(frozen=True)
class ThemeCount:
    name: str
    title: str
    count: int


def theme_counts() -> list[ThemeCount]:
    """Every theme with its published datasets (zero included), in the themes' order."""
    counts = dict(published().order_by().values_list("theme").annotate(n=Count("pk")))
    return [ThemeCount(value, label, counts.get(value, 0)) for value, label in Theme.choices]


@dataclass(frozen=True)
class OrganizationCount:
    id: int
    code: str
    name: str
    region_code: str
    count: int


def organization_counts(*, only_publishing: bool = True) -> list[OrganizationCount]:
    """Organizations with their published datasets, most first."""
    counts = dict(published().order_by().values_list("organization_id").annotate(n=Count("pk")))
    organizations = Organization.objects.filter(is_active=True)
    if only_publishing:
        organizations = organizations.filter(pk__in=list(counts))
    rows = [
        OrganizationCount(o.pk, o.code, o.name, o.region_id, counts.get(o.pk, 0))
        for o in organizations.only("pk", "code", "name", "region_id")
    ]
    return sorted(rows, key=lambda r: (-r.count, r.code))


def organizations_by_ids(*, ids) -> dict[int, Organization]:
    return {o.pk: o for o in Organization.objects.filter(pk__in=list(ids))}


def organization_by_key(*, key: str) -> Organization | None:
    key = str(key or "").strip()[:60]
    query = Q(code=key)
    if key.isdigit():
        query |= Q(pk=int(key))
    return Organization.objects.filter(query).first()


def tag_names(*, query: str = "", limit: int = 1000) -> list[str]:
    tags = DatasetTag.objects.filter(dataset__state=OpenDataset.State.PUBLISHED)
    if query:
        tags = tags.filter(name__icontains=query[:60])
    return list(tags.order_by("name").values_list("name", flat=True).distinct()[:limit])


@dataclass(frozen=True)
class SiteFigures:
    datasets: int
    organizations: int
    resources: int
    views: int
    downloads: int
    api_calls: int
    showcases: int
    requests: int


def site_figures() -> SiteFigures:
    datasets = published()
    totals = datasets.aggregate(
        n=Count("pk"),
        orgs=Count("organization", distinct=True),
        v=Sum("view_count"),
        d=Sum("download_count"),
    )
    calls = UsageDay.objects.filter(dataset__state="published").aggregate(n=Sum("api_calls"))["n"]
    return SiteFigures(
        datasets=totals["n"],
        organizations=totals["orgs"],
        resources=DatasetResource.objects.filter(dataset__state="published").count(),
        views=totals["v"] or 0,
        downloads=totals["d"] or 0,
        api_calls=calls or 0,
        showcases=Showcase.objects.filter(state=Showcase.State.PUBLISHED).count(),
        requests=DataRequest.objects.count(),
    )


# --- staff queues ----------------------------------------------------------------------------


def review_queue(*, principal: Principal) -> list[OpenDataset]:
    """Submitted datasets a data-bureau reviewer may decide."""
    prefix = reviewer_prefix(principal)
    _require(principal, prefix is not None, "只有数据管理机构的审核人员可以审核开放数据集")
    return list(
        OpenDataset.objects.filter(
            state=OpenDataset.State.SUBMITTED, region_code__startswith=prefix
        )
        .exclude(submitted_by=principal.actor)
        .select_related("organization", "resource")
        .order_by("modified_at")
    )


def datasets_of_publisher(
    *, principal: Principal, state: str = "", page: int = 1, page_size: int = 20
):
    """The datasets of the principal's department (all states)."""
    organization_id = principal.organization_id
    _require(
        principal,
        principal.kind in SYSTEM_KINDS
        or (organization_id is not None and may_publish(principal, organization_id)),
        "只有开放数据发布人员可以查看本单位数据集",
    )
    datasets = OpenDataset.objects.all()
    if principal.kind not in SYSTEM_KINDS:
        datasets = datasets.filter(organization_id=organization_id)
    if state:
        datasets = datasets.filter(state=state)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    total = datasets.count()
    rows = list(
        datasets.select_related("organization").order_by("-modified_at")[
            (page - 1) * page_size : page * page_size
        ]
    )
    return rows, total


def _publisher_applications(principal: Principal, state: str) -> QuerySet[AccessApplication]:
    organization_id = principal.organization_id
    _require(
        principal,
        principal.kind in SYSTEM_KINDS
        or (organization_id is not None and may_publish(principal, organization_id)),
        "只有开放数据发布人员可以审批开放申请",
    )
    applications = AccessApplication.objects.all()
    if principal.kind not in SYSTEM_KINDS:
        applications = applications.filter(dataset__organization_id=organization_id)
    if state:
        applications = applications.filter(state=state)
    return applications


def applications_for_publisher(
    *, principal: Principal, state: str = "submitted", limit: int = 200
) -> list[AccessApplication]:
    applications = _publisher_applications(principal, state).select_related("dataset")
    return list(applications.order_by("created_at")[:limit])


def applications_pending_count(*, principal: Principal) -> int:
    """How many applications wait for the publisher's decision (a count, not the rows)."""
    return _publisher_applications(principal, AccessApplication.State.SUBMITTED).count()


def applications_of_applicant(*, principal: Principal) -> list[AccessApplication]:
    _require(principal, True, "")
    return list(
        AccessApplication.objects.filter(applicant=principal.actor)
        .select_related("dataset")
        .order_by("-created_at")
    )


def application_state_for(
    *, principal: Principal, dataset: OpenDataset
) -> AccessApplication | None:
    """The caller's latest application for the dataset (for the dataset page)."""
    if not principal.is_authenticated:
        return None
    return (
        AccessApplication.objects.filter(dataset=dataset, applicant=principal.actor)
        .order_by("-created_at")
        .first()
    )


def data_requests(*, page: int = 1, page_size: int = 20, state: str = "", query: str = ""):
    """Data requests with their answers (public: people see what others asked)."""
    rows = DataRequest.objects.select_related("organization", "dataset")
    if state:
        rows = rows.filter(state=state)
    if query.strip():
        rows = rows.filter(
            Q(title__icontains=query.strip()[:100]) | Q(description__icontains=query.strip()[:100])
        )
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    total = rows.count()
    return list(rows.order_by("-created_at")[(page - 1) * page_size : page * page_size]), total


def data_requests_open(*, principal: Principal) -> list[DataRequest]:
    _require(principal, may_answer_requests(principal), "只有数据管理机构可以答复数据需求")
    return list(DataRequest.objects.filter(state=DataRequest.State.OPEN).order_by("created_at"))


def showcases(*, limit: int = 100) -> list[Showcase]:
    """Published showcases with their datasets."""
    return list(
        Showcase.objects.filter(state=Showcase.State.PUBLISHED)
        .prefetch_related("datasets")
        .order_by("-created_at")[:limit]
    )


def showcases_pending(*, principal: Principal) -> list[Showcase]:
    _require(principal, may_moderate(principal), "只有审核人员可以审核数据应用")
    return list(Showcase.objects.filter(state=Showcase.State.PENDING).order_by("created_at"))


# --- developer keys ------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyView:
    id: int
    name: str
    prefix: str
    daily_quota: int
    is_active: bool
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    calls_today: int
    calls_total: int
    refused_total: int


def developer_keys(*, principal: Principal) -> list[KeyView]:
    """The caller's keys with their usage (one query for keys, one for usage)."""
    _require(principal, principal.kind not in ("machine",), "")
    keys = list(DeveloperKey.objects.filter(owner=principal.actor).order_by("-created_at"))
    today = timezone.localdate()
    usage = {
        row["key_id"]: row
        for row in KeyUsageDay.objects.filter(key__in=keys)
        .values("key_id")
        .annotate(
            calls_sum=Sum("calls"),
            refused_sum=Sum("refused"),
            today=Sum("calls", filter=Q(day=today)),
        )
    }
    return [
        KeyView(
            k.pk,
            k.name,
            k.prefix,
            k.daily_quota,
            k.is_active,
            k.created_at,
            k.last_used_at,
            (usage.get(k.pk) or {}).get("today") or 0,
            (usage.get(k.pk) or {}).get("calls_sum") or 0,
            (usage.get(k.pk) or {}).get("refused_sum") or 0,
        )
        for k in keys
    ]


def developer_key_usage(
    *, principal: Principal, key_id: int, days: int = 30
) -> list[tuple[dt.date, int, int]]:
    """(day, calls, refused) of one of the caller's keys over the last days."""
    _require(principal, True, "")
    if not DeveloperKey.objects.filter(pk=key_id, owner=principal.actor).exists():
        raise NotFound("密钥不存在", code="key_unknown")
    first = timezone.localdate() - dt.timedelta(days=max(1, min(days, 366)) - 1)
    return list(
        KeyUsageDay.objects.filter(key_id=key_id, day__gte=first)
        .order_by("day")
        .values_list("day", "calls", "refused")
    )
