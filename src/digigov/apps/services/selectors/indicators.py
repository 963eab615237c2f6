"""Inputs of the 一网统管 indicators (plan Table 1, Annex 1) held by 一网通办, as narrow,
principal-free aggregates: the governance app checks who may see a dashboard, then reads
these. Each takes `as_of` (a date) where the records carry timestamps, so a day's value can
be recomputed as of that day; None means now.

- item_facts: one row per active item with the guide version in force (indicators 1, 2, 5, 20)
- bundle_count: 一件事 in use (indicator 3; bundles carry no dates: now only)
- case_counts_by_standard: cases per item standard (indicator 5's high-frequency list)
- rating_totals: 好差评 counts and grade sums by region and department line (indicator 6)
- cases_per_day: the dashboard's service volumes
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import Application, Bundle, Rating, ServiceItemVersion

V = ServiceItemVersion.Status
CROSS_PROVINCE = "cross_province"


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after the day, in the configured time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


@dataclass(frozen=True)
class ItemFact:
    item_id: int
    code: str
    standard_code: str
    name: str
    region_code: str
    line: str  # the implementing organization's department line, e.g. "scjg"
    organization_name: str
    item_type: str
    visits: int
    is_window_accepted: bool
    is_online: bool
    is_single_sign_on: bool
    is_cross_province: bool


def item_facts(*, as_of: dt.date | None = None) -> list[ItemFact]:
    """Every active item with the guide version in force (the latest published by the end
    of `as_of`; the current published one when None). One query."""
    versions = ServiceItemVersion.objects.filter(item__is_active=True)
    if as_of is None:
        versions = versions.filter(item__published=F("pk"))
    else:
        versions = versions.filter(
            status__in=(V.PUBLISHED, V.SUPERSEDED),
            published_at__lt=_end_of(as_of),
            item__created_at__lt=_end_of(as_of),
        )
    rows = versions.order_by("item_id", "number").values_list(
        "item_id",
        "item__code",
        "item__standard_code",
        "name",
        "item__region_id",
        "item__organization__function",
        "item__organization__name",
        "item_type",
        "visits",
        "is_window_accepted",
        "is_online",
        "is_single_sign_on",
        "cross_region_scopes",
    )
    latest: dict[int, ItemFact] = {}
    for row in rows:  # ordered by number: the last one per item is in force
        latest[row[0]] = ItemFact(
            item_id=row[0],
            code=row[1],
            standard_code=row[2],
            name=row[3],
            region_code=row[4],
            line=row[5],
            organization_name=row[6],
            item_type=row[7],
            visits=row[8],
            is_window_accepted=row[9],
            is_online=row[10],
            is_single_sign_on=row[11],
            is_cross_province=CROSS_PROVINCE in (row[12] or []),
        )
    return list(latest.values())


def bundle_count() -> int:
    return Bundle.objects.filter(is_active=True).count()


def bundle_names(*, limit: int = 500) -> list[tuple[str, str]]:
    """(code, name) of the bundles in use, for the records behind indicator 3."""
    return list(
        Bundle.objects.filter(is_active=True).order_by("code").values_list("code", "name")[:limit]
    )


def case_counts_by_standard(*, since: dt.date, until: dt.date) -> dict[str, int]:
    """Submitted cases (not drafts) per item standard, submitted within the dates."""
    rows = (
        Application.objects.exclude(status=Application.Status.DRAFT)
        .filter(submitted_at__gte=_end_of(since - dt.timedelta(days=1)))
        .filter(submitted_at__lt=_end_of(until))
        .values("item__standard_code")
        .annotate(count=Count("id"))
    )
    return {row["item__standard_code"]: row["count"] for row in rows}


@dataclass(frozen=True)
class RatingTotal:
    region_code: str
    line: str
    count: int
    grade_sum: int


def rating_totals(
    *, since: dt.date | None = None, until: dt.date | None = None
) -> list[RatingTotal]:
    """Ratings given within the dates, by handling region and the rated organization's
    department line (one grouped query)."""
    ratings = Rating.objects.all()
    if since:
        ratings = ratings.filter(rated_at__gte=_end_of(since - dt.timedelta(days=1)))
    if until:
        ratings = ratings.filter(rated_at__lt=_end_of(until))
    rows = ratings.values("region_id", "organization__function").annotate(
        count=Count("id"), grade_sum=Sum("grade")
    )
    return [
        RatingTotal(
            region_code=row["region_id"],
            line=row["organization__function"],
            count=row["count"],
            grade_sum=row["grade_sum"] or 0,
        )
        for row in rows
    ]


def cases_per_day(
    *, since: dt.date, until: dt.date, region_prefix: str = ""
) -> list[tuple[dt.date, int]]:
    """Submitted cases per day (handling region starting with the prefix), oldest first;
    days without cases are included with 0."""
    cases = Application.objects.exclude(status=Application.Status.DRAFT).filter(
        submitted_at__gte=_end_of(since - dt.timedelta(days=1)), submitted_at__lt=_end_of(until)
    )
    if region_prefix:
        cases = cases.filter(handling_region__code__startswith=region_prefix)
    counts = {
        row["day"]: row["count"]
        for row in cases.annotate(day=TruncDate("submitted_at"))
        .values("day")
        .annotate(count=Count("id"))
    }
    days = (until - since).days + 1
    return [
        (since + dt.timedelta(days=n), counts.get(since + dt.timedelta(days=n), 0))
        for n in range(days)
    ]
