"""Figures for the dashboards (apps/governance calls these) and per-grid statistics.
Aggregated in the database; no personal data leaves here."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from digigov.kernel.regions.models import Region

from ..models import OPEN_STAGES, STAGE_LABELS, CityEvent, EventType, Grid
from .events import SLA_WARNING_HOURS, region_q

_LEVEL_FIELD = {
    "city": "city_code",
    "county": "county_code",
    "town": "town_code",
    "village": "region_id",
}


def _in_region(events: QuerySet[CityEvent], region_code: str | None) -> QuerySet[CityEvent]:
    if not region_code:
        return events
    region = region_q(region_code)
    return events.filter(region if region is not None else Q(region_id=region_code))


def _base(region_code=None, event_type_codes=None) -> QuerySet[CityEvent]:
    events = _in_region(CityEvent.objects.exclude(stage="merged"), region_code)
    if event_type_codes:
        events = events.filter(event_type__code__in=list(event_type_codes))
    return events


def _overdue_q(now: datetime) -> Q:
    return Q(stage__in=OPEN_STAGES) & (Q(is_overdue=True) | Q(stage_due_at__lt=now))


def _warning_q(now: datetime) -> Q:
    return (
        Q(stage__in=OPEN_STAGES, is_overdue=False)
        & Q(stage_due_at__gte=now)
        & Q(stage_due_at__lt=now + timedelta(hours=SLA_WARNING_HOURS))
    )


def event_counts_by_region(
    *, level="city", parent_code=None, since=None, event_type_codes=None
) -> dict[str, int]:
    """Region code at `level` -> number of events (merged duplicates not counted)."""
    events = _base(parent_code, event_type_codes)
    if since is not None:
        events = events.filter(reported_at__gte=since)
    if level == "province":
        return {"440000": events.count()}
    column = _LEVEL_FIELD.get(level)
    if column is None:
        raise ValueError(f"unknown level {level!r}")
    return {
        row[column]: row["n"]
        for row in events.exclude(**{column: ""}).values(column).annotate(n=Count("pk"))
        if row[column]
    }


def event_summary(*, region_code=None, event_type_codes=None, now=None) -> dict:
    """total, open, closed, overdue, sla_warning and by_stage (stage label -> count)."""
    now = now or timezone.now()
    events = _base(region_code, event_type_codes)
    figures = events.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(stage__in=OPEN_STAGES)),
        closed=Count("pk", filter=Q(stage="closed")),
        overdue=Count("pk", filter=_overdue_q(now)),
        sla_warning=Count("pk", filter=_warning_q(now)),
    )
    by_stage = dict(events.values_list("stage").annotate(n=Count("pk")))
    figures["by_stage"] = {
        label: by_stage.get(stage, 0) for stage, label in STAGE_LABELS.items() if stage != "merged"
    }
    return figures


def event_sla_warnings(
    *, region_code=None, event_type_codes=None, limit=20, now=None
) -> list[dict]:
    """Open events overdue or close to their stage deadline, most urgent first."""
    now = now or timezone.now()
    events = (
        _base(region_code, event_type_codes)
        .filter(_overdue_q(now) | _warning_q(now))
        .select_related("event_type", "region")
        .order_by("stage_due_at", "pk")[:limit]
    )
    return [
        {
            "number": event.number,
            "type_name": event.event_type.name,
            "stage_label": event.stage_label,
            "due_at": event.stage_due_at,
            "region_name": event.region.name,
            "url": reverse("staff:cityevent", args=[event.number]),
        }
        for event in events
    ]


def event_type_choices() -> list[tuple[str, str]]:
    return list(EventType.objects.filter(is_active=True).values_list("code", "name"))


def grid_statistics(*, grid_ids=None, now=None) -> dict[int, dict]:
    """Per grid: open, overdue, closed, average handling hours (closed events)."""
    now = now or timezone.now()
    events = CityEvent.objects.exclude(stage="merged").filter(grid__isnull=False)
    if grid_ids is not None:
        events = events.filter(grid_id__in=list(grid_ids))
    figures = {
        row["grid_id"]: {**row, "average_hours": None}
        for row in events.values("grid_id").annotate(
            open=Count("pk", filter=Q(stage__in=OPEN_STAGES)),
            overdue=Count("pk", filter=_overdue_q(now)),
            closed=Count("pk", filter=Q(stage="closed")),
        )
    }
    durations: dict[int, list[float]] = {}
    for grid_id, reported_at, closed_at in events.filter(
        stage="closed", closed_at__isnull=False
    ).values_list("grid_id", "reported_at", "closed_at"):
        durations.setdefault(grid_id, []).append((closed_at - reported_at).total_seconds())
    for grid_id, seconds in durations.items():
        figures[grid_id]["average_hours"] = round(sum(seconds) / len(seconds) / 3600, 1)
    return figures


def grid_list(*, search: str = "", page: int = 1, page_size: int = 20) -> dict:
    """Grids with their town, workers and statistics (4 queries a page)."""
    grids = Grid.objects.select_related("town", "town__parent").order_by("code")
    if search:
        grids = grids.filter(Q(name__icontains=search[:40]) | Q(code__startswith=search[:12]))
    total = grids.count()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    chosen = list(
        grids.prefetch_related("workers__account")[(page - 1) * page_size : page * page_size]
    )
    stats = grid_statistics(grid_ids=[grid.pk for grid in chosen])
    empty = {"open": 0, "overdue": 0, "closed": 0, "average_hours": None}
    rows = [
        {
            "grid": grid,
            "town_name": f"{grid.town.parent.name if grid.town.parent_id else ''}{grid.town.name}",
            "workers": [
                getattr(w.account, "display_name", "") or w.account.username
                for w in grid.workers.all()
            ],
            **stats.get(grid.pk, empty),
        }
        for grid in chosen
    ]
    return {"rows": rows, "total": total, "page": page, "pages": pages}


def grid_geojson() -> dict:
    """Every active grid as a FeatureCollection for the maps."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geom}
            for code, name, geom in Grid.objects.filter(is_active=True).values_list(
                "code", "name", "geometry"
            )
        ],
    }


def region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=list(codes)).values_list("code", "name"))
