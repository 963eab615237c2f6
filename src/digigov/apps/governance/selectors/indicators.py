"""Reads of the indicators: the board of all 21 for a region (latest value or latest report,
baseline, target, progress), one indicator's history and drill-down (cities, counties,
department lines) and the records behind a computed figure."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from digigov.apps.services.selectors import indicators as service_inputs
from digigov.kernel.errors import NotFound, ValidationFailed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_children

from ..constants import CATEGORIES, HISTORY_DAYS, KINDS, PROVINCE_CODE
from ..models import Indicator, IndicatorValue, ReportedValue
from .access import dashboard_scope, region_for
from .calculators import (
    HIGH_FREQUENCY_SIZE,
    PERMIT,
    REGISTRY,
    Area,
    Context,
    Figure,
    calculate,
    high_frequency_standards,
    sector_names,
)

if TYPE_CHECKING:
    from digigov.kernel.regions.models import Region

PER_TEN_THOUSAND = {"万名", "万路"}
RAW_UNITS = {"万名": "名", "万路": "路"}

# status of a board row
COMPUTED, NO_DATA, NOT_COMPUTED, REPORTED, NOT_REPORTED = (
    "computed",
    "no_data",
    "not_computed",
    "reported",
    "not_reported",
)
STATUS_LABELS = {
    COMPUTED: "平台计算",
    NO_DATA: "暂无数据",
    NOT_COMPUTED: "尚未计算",
    REPORTED: "人工填报",
    NOT_REPORTED: "尚未填报",
}


def progress(*, value: Decimal | None, baseline: Decimal | None, target: Decimal) -> float | None:
    """How far from the baseline to the 2025 target, in percent (from zero where the plan
    gives no baseline); may exceed 100 or fall below 0."""
    if value is None:
        return None
    start = baseline if baseline is not None else Decimal(0)
    if target == start:
        return 100.0 if value >= target else 0.0
    return round(float((value - start) / (target - start) * 100), 1)


def number_text(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    if unit in PER_TEN_THOUSAND:
        return f"{value.normalize():f}"
    if unit in ("个", "件", "项"):
        return f"{int(value)}"
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


@dataclass(frozen=True)
class BoardRow:
    number: int
    name: str
    category: str
    category_label: str
    unit: str
    formula: str
    note: str
    baseline: Decimal | None
    target: Decimal
    kind: str
    kind_label: str
    status: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    day: dt.date | None  # the computed value's day, or the report's as-of date
    computed_at: dt.datetime | None
    source: str  # reported: the source named by the reporter
    reported_by: str
    is_province_figure: bool  # a province-wide input shown on a city's board
    progress: float | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def value_text(self) -> str:
        return number_text(self.value, self.unit)

    @property
    def raw_text(self) -> str:
        """万名 / 万路 figures are tiny on a demo: also the plain count."""
        if self.unit not in PER_TEN_THOUSAND or self.numerator is None or self.kind != "computed":
            return ""
        if self.unit == "万名" and self.denominator:
            return f"日均 {(self.numerator / self.denominator).quantize(Decimal('0.1'))} 名"
        return f"{int(self.numerator)} {RAW_UNITS[self.unit]}"

    @property
    def baseline_text(self) -> str:
        return number_text(self.baseline, self.unit) if self.baseline is not None else "-"

    @property
    def target_text(self) -> str:
        return number_text(self.target, self.unit)

    @property
    def progress_bar(self) -> int:
        return 0 if self.progress is None else max(0, min(100, math.floor(self.progress)))


@dataclass(frozen=True)
class Board:
    region_code: str
    region_name: str
    region_level: str
    rows: list[BoardRow]

    @property
    def by_category(self) -> list[tuple[str, list[BoardRow]]]:
        return [
            (label, [row for row in self.rows if row.category == key])
            for key, label in CATEGORIES.items()
        ]

    @property
    def computed_count(self) -> int:
        return sum(1 for row in self.rows if row.status == COMPUTED)


def _latest_values(
    region_codes: list[str], *, department: str = ""
) -> dict[tuple[int, str], IndicatorValue]:
    """The newest stored value per (indicator, region): one query."""
    newest = (
        IndicatorValue.objects.filter(
            indicator=OuterRef("indicator"), region=OuterRef("region"), department=department
        )
        .order_by("-day")
        .values("day")[:1]
    )
    rows = IndicatorValue.objects.filter(
        region_id__in=region_codes, department=department, day=Subquery(newest)
    )
    return {(row.indicator_id, row.region_id): row for row in rows}


def _latest_reports(region_code: str) -> dict[int, ReportedValue]:
    found: dict[int, ReportedValue] = {}
    for report in ReportedValue.objects.filter(region_id=region_code).order_by(
        "indicator_id", "-as_of", "-reported_at", "-id"
    ):
        found.setdefault(report.indicator_id, report)
    return found


def _row(
    indicator: Indicator,
    *,
    value: IndicatorValue | None,
    report: ReportedValue | None,
    province_figure: bool,
) -> BoardRow:
    base: dict[str, Any] = {
        "number": indicator.number,
        "name": indicator.name,
        "category": indicator.category,
        "category_label": CATEGORIES[indicator.category],
        "unit": indicator.unit,
        "formula": indicator.formula,
        "note": indicator.note,
        "baseline": indicator.baseline,
        "target": indicator.target,
        "kind": indicator.kind,
        "kind_label": KINDS[indicator.kind],
        "is_province_figure": province_figure,
    }
    if indicator.kind == "reported":
        if report is None:
            return BoardRow(
                **base, status=NOT_REPORTED, value=None, numerator=None, denominator=None,
                day=None, computed_at=None, source="", reported_by="", progress=None,
            )  # fmt: skip
        return BoardRow(
            **base,
            status=REPORTED,
            value=report.value,
            numerator=None,
            denominator=None,
            day=report.as_of,
            computed_at=report.reported_at,
            source=report.source,
            reported_by=report.reported_by_label,
            progress=progress(
                value=report.value, baseline=indicator.baseline, target=indicator.target
            ),
        )
    if value is None:
        return BoardRow(
            **base, status=NOT_COMPUTED, value=None, numerator=None, denominator=None, day=None,
            computed_at=None, source="", reported_by="", progress=None,
        )  # fmt: skip
    return BoardRow(
        **base,
        status=COMPUTED if value.value is not None else NO_DATA,
        value=value.value,
        numerator=value.numerator,
        denominator=value.denominator,
        day=value.day,
        computed_at=value.computed_at,
        source="",
        reported_by="",
        progress=progress(value=value.value, baseline=indicator.baseline, target=indicator.target),
    )


def indicator_board(*, principal: Principal, region_code: str = PROVINCE_CODE) -> Board:
    """All 21 indicators for a region the principal may see (three queries for the values)."""
    return _board(region_for(principal=principal, region_code=region_code))


def _board(region: Region) -> Board:
    """The board of a region already checked by region_for."""
    values = _latest_values(list({region.code, PROVINCE_CODE}))
    reports = _latest_reports(region.code)
    rows = []
    for indicator in Indicator.objects.order_by("number"):
        spec = REGISTRY.get(indicator.calculator)
        province_figure = (
            indicator.kind == "computed"
            and spec is not None
            and not spec.regional
            and region.code != PROVINCE_CODE
        )
        shown_region = PROVINCE_CODE if province_figure else region.code
        rows.append(
            _row(
                indicator,
                value=values.get((indicator.pk, shown_region)),
                report=reports.get(indicator.pk),
                province_figure=province_figure,
            )
        )
    return Board(region.code, region.name, region.level, rows)


def indicator_get(*, number: int) -> Indicator:
    found = Indicator.objects.filter(number=number).first()
    if found is None:
        raise NotFound("指标不存在", code="governance/unknown_indicator")
    return found


# --- one indicator: history, drill-down ----------------------------------------------------------


@dataclass(frozen=True)
class HistoryPoint:
    day: dt.date
    value: Decimal | None


@dataclass(frozen=True)
class DrillRow:
    code: str  # region code or department line
    name: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    unit: str
    drillable: bool = False

    @property
    def value_text(self) -> str:
        return number_text(self.value, self.unit)


@dataclass(frozen=True)
class IndicatorDetail:
    row: BoardRow
    region_code: str
    region_name: str
    region_level: str
    parent_code: str
    history: list[HistoryPoint]
    regions: list[DrillRow]
    regions_live: bool  # counties are computed on the spot, not stored
    departments: list[DrillRow]
    reports: list[ReportedValue]
    historical: bool
    regional: bool
    detail: dict[str, Any] = field(default_factory=dict)


def indicator_history(
    *, principal: Principal, number: int, region_code: str = PROVINCE_CODE, days: int = HISTORY_DAYS
) -> list[HistoryPoint]:
    region = region_for(principal=principal, region_code=region_code)
    if not 1 <= days <= 366:
        raise ValidationFailed("天数应在 1 到 366 之间", code="governance/days_invalid")
    return _history(indicator_get(number=number), region, days)


def _history(indicator: Indicator, region: Region, days: int) -> list[HistoryPoint]:
    """The daily values of an indicator for a region already checked by region_for."""
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    if indicator.kind == "reported":
        rows = (
            ReportedValue.objects.filter(indicator=indicator, region=region, as_of__gte=since)
            .values("as_of")
            .annotate(last=Max("id"))
            .order_by("as_of")
        )
        values = dict(
            ReportedValue.objects.filter(pk__in=[r["last"] for r in rows]).values_list(
                "as_of", "value"
            )
        )
        return [HistoryPoint(day, value) for day, value in sorted(values.items())]
    spec = REGISTRY.get(indicator.calculator)
    shown = PROVINCE_CODE if spec is not None and not spec.regional else region.code
    return [
        HistoryPoint(day, value)
        for day, value in IndicatorValue.objects.filter(
            indicator=indicator, region_id=shown, department="", day__gte=since
        )
        .order_by("day")
        .values_list("day", "value")
    ]


def indicator_detail(
    *, principal: Principal, number: int, region_code: str = PROVINCE_CODE
) -> IndicatorDetail:
    region = region_for(principal=principal, region_code=region_code)
    scope = dashboard_scope(principal=principal)
    indicator = indicator_get(number=number)
    row = next(r for r in _board(region).rows if r.number == number)
    spec = REGISTRY.get(indicator.calculator)
    regions: list[DrillRow] = []
    departments: list[DrillRow] = []
    live = False
    if spec is not None and spec.regional and region.level in ("province", "city"):
        children = [c for c in region_children(parent_code=region.code) if scope.allows(c.code)]
        if region.level == "province":
            stored = _latest_values([c.code for c in children])
            for child in children:
                value = stored.get((indicator.pk, child.code))
                regions.append(
                    DrillRow(
                        child.code, child.name,
                        value.value if value else None,
                        value.numerator if value else None,
                        value.denominator if value else None,
                        indicator.unit, drillable=True,
                    )
                )  # fmt: skip
        else:
            live = True
            figures = calculate(
                spec.key,
                Context(day=timezone.localdate(), areas=[Area(c.code, "county") for c in children]),
            )
            for child in children:
                figure = figures.get((child.code, ""), Figure(None))
                regions.append(
                    DrillRow(
                        child.code, child.name, figure.value, figure.numerator,
                        figure.denominator, indicator.unit,
                    )
                )  # fmt: skip
    if spec is not None and spec.by_department and region.code == PROVINCE_CODE:
        names = sector_names()
        for value in (
            IndicatorValue.objects.filter(indicator=indicator, region_id=PROVINCE_CODE)
            .exclude(department="")
            .filter(day=row.day)
            .order_by("department")
        ):
            if value.denominator:
                departments.append(
                    DrillRow(
                        value.department, names.get(value.department, value.department),
                        value.value, value.numerator, value.denominator, indicator.unit,
                    )
                )  # fmt: skip
    reports = list(
        ReportedValue.objects.filter(indicator=indicator, region=region).order_by(
            "-as_of", "-reported_at"
        )[:20]
    )
    parent = region.parent_id or ""
    return IndicatorDetail(
        row=row,
        region_code=region.code,
        region_name=region.name,
        region_level=region.level,
        parent_code=parent if parent and scope.allows(parent) else "",
        history=_history(indicator, region, HISTORY_DAYS),
        regions=regions,
        regions_live=live,
        departments=departments,
        reports=reports,
        historical=bool(spec and spec.historical),
        regional=bool(spec and spec.regional),
    )


# --- the records behind a figure ------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRow:
    code: str
    name: str
    organization: str
    counted: bool  # in the numerator
    note: str = ""


@dataclass(frozen=True)
class RecordPage:
    number: int
    region_code: str
    counted_label: str
    rows: list[RecordRow]
    total: int
    counted_total: int
    page: int
    page_size: int
    link: str = ""  # url name of another page that lists the records, when not listed here

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


ITEM_MEASURES: dict[str, tuple[str, Any, Any]] = {
    # calculator -> (what counts, counted, among)
    "zero_visit": ("零跑动", lambda f: f.visits == 0, lambda f: f.item_type == PERMIT),
    "one_window": ("纳入综合窗口", lambda f: f.is_window_accepted, lambda f: True),
    "single_sign_on": ("可单点登录", lambda f: f.is_single_sign_on, lambda f: f.is_online),
}

# calculators whose records live on another staff page (url name, query string)
LINKED_RECORDS: dict[str, str] = {
    "rating": "staff:supervision",
    "sharing": "staff:sharing_needs",
    "seal_coverage": "staff:seals",
    "license_use": "staff:supervision_cases",
    "topic_coverage": "staff:governance_topics",
    "open_datasets": "staff:opendata",
    "video_terminals": "staff:sensors_devices",
    "sensor_terminals": "staff:sensors_devices",
}


def indicator_records(
    *,
    principal: Principal,
    number: int,
    region_code: str = PROVINCE_CODE,
    only_counted: bool = False,
    search: str = "",
    page: int = 1,
    page_size: int = 50,
) -> RecordPage:
    """The records a computed figure counts (items, standards, bundles), paginated; for the
    others, the page that lists them."""
    region = region_for(principal=principal, region_code=region_code)
    indicator = indicator_get(number=number)
    page = max(1, page)
    page_size = min(max(1, page_size), 200)
    key = indicator.calculator
    area = Area(region.code, region.level if region.level != "province" else "province")
    rows: list[RecordRow] = []
    label = ""
    if key in ITEM_MEASURES:
        label, counted, among = ITEM_MEASURES[key]
        facts = [f for f in service_inputs.item_facts() if among(f) and area.holds(f.region_code)]
        rows = [
            RecordRow(f.code, f.name, f.organization_name, bool(counted(f)))
            for f in sorted(facts, key=lambda f: f.code)
        ]
    elif key == "cross_province":
        label = "已实现跨省通办"
        listed = high_frequency_standards(timezone.localdate())
        achieved: dict[str, tuple[str, bool]] = {}
        for f in service_inputs.item_facts():
            if f.standard_code in listed and area.holds(f.region_code):
                name, done = achieved.get(f.standard_code, (f.name, False))
                achieved[f.standard_code] = (name, done or f.is_cross_province)
        rows = [
            RecordRow(
                code,
                name,
                "",
                done,
                note=f"办件量排名 {listed.index(code) + 1}/{HIGH_FREQUENCY_SIZE}",
            )
            for code, (name, done) in sorted(achieved.items(), key=lambda p: listed.index(p[0]))
        ]
    elif key == "bundles":
        label = "在用"
        rows = [RecordRow(code, name, "", True) for code, name in service_inputs.bundle_names()]
    counted_total = sum(1 for r in rows if r.counted)
    if only_counted:
        rows = [r for r in rows if r.counted]
    search = search.strip()[:60]
    if search:
        rows = [r for r in rows if search in r.name or search in r.code or search in r.organization]
    start = (page - 1) * page_size
    return RecordPage(
        number=indicator.number,
        region_code=region.code,
        counted_label=label,
        rows=rows[start : start + page_size],
        total=len(rows),
        counted_total=counted_total,
        page=page,
        page_size=page_size,
        link=LINKED_RECORDS.get(key, ""),
    )
