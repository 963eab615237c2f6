"""The calculators of the computed indicators: each reads the platform's own records through
the owning area's selectors (never its models) and returns one figure per region asked for
(province, cities, or a city's counties) and, where the records carry it, per department
line. A figure whose input holds no records is `value=None` (暂无数据).

A calculator is `fn(context) -> dict[(region_code, department), Figure]`, registered with
`calculator(key, historical=..., regional=...)`. `historical`: its inputs carry timestamps,
so a past day can be recomputed as of that day (the demo's 30-day back-fill); the others are
computed for today only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from digigov.apps.services.selectors import indicators as service_inputs
from digigov.apps.services.selectors.licenses import license_use_rate
from digigov.data.sharing.selectors.requests import sharing_satisfaction_rate
from digigov.kernel.organizations.services import DEPARTMENTS
from digigov.support.identity.selectors import daily_active_accounts
from digigov.support.seals.selectors.seals import seal_coverage

from ..constants import PROVINCE_CODE
from ..models import Topic
from . import sources

HIGH_FREQUENCY_SIZE = 50  # indicator 5: the high-frequency list is the top 50 standards
HIGH_FREQUENCY_DAYS = 365
RATING_DAYS = 365
ACTIVE_DAYS = 30  # indicators 7-9: 日均 over the last 30 days
TEN_THOUSAND = Decimal(10000)
PERMIT = "permit"

Key = tuple[str, str]  # (region code, department line or "")


@dataclass(frozen=True)
class Area:
    code: str
    level: str  # province, city, county

    @property
    def prefix(self) -> str:
        return {"province": self.code[:2], "city": self.code[:4]}.get(self.level, self.code)

    def holds(self, region_code: str) -> bool:
        return region_code.startswith(self.prefix)


@dataclass
class Context:
    day: dt.date
    areas: list[Area]
    as_of: dt.date | None = None  # None: now (today's run); a date: recompute as of it
    departments: bool = False  # also one figure per department line (province only)
    cache: dict[str, Any] = field(default_factory=dict)

    def once(self, name: str, load: Callable[[], Any]) -> Any:
        if name not in self.cache:
            self.cache[name] = load()
        return self.cache[name]


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _d(number: float | int | Decimal, places: str = "0.1") -> Decimal:
    return Decimal(str(number)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def ratio(numerator: int, denominator: int, **detail: Any) -> Figure:
    """A percentage with one decimal; no data when nothing is counted."""
    if not denominator:
        return Figure(None, Decimal(numerator), Decimal(denominator), detail)
    return Figure(
        _d(Decimal(numerator) * 100 / Decimal(denominator)),
        Decimal(numerator),
        Decimal(denominator),
        detail,
    )


def count_figure(count: int | None, *, per: Decimal = Decimal(1), **detail: Any) -> Figure:
    """A count (in the indicator's unit: per=10000 for 万); zero records: no data."""
    if not count:
        return Figure(None, Decimal(count or 0), None, detail)
    value = Decimal(count) / per
    return Figure(value.quantize(Decimal("0.000001")), Decimal(count), None, detail)


@dataclass(frozen=True)
class CalculatorSpec:
    key: str
    fn: Callable[[Context], dict[Key, Figure]]
    historical: bool
    regional: bool
    by_department: bool


REGISTRY: dict[str, CalculatorSpec] = {}


def calculator(
    key: str, *, historical: bool, regional: bool = True, by_department: bool = False
) -> Callable:
    def register(fn: Callable[[Context], dict[Key, Figure]]):
        REGISTRY[key] = CalculatorSpec(key, fn, historical, regional, by_department)
        return fn

    return register


def _departments(context: Context) -> Iterable[str]:
    return [line for line, _name, _pattern in DEPARTMENTS] if context.departments else []


# --- service items (1, 2, 5, 20) --------------------------------------------------------------


def _items(context: Context) -> list[service_inputs.ItemFact]:
    return context.once("items", lambda: service_inputs.item_facts(as_of=context.as_of))


def item_share(
    context: Context,
    *,
    counted: Callable[[service_inputs.ItemFact], bool],
    among: Callable[[service_inputs.ItemFact], bool],
) -> dict[Key, Figure]:
    items = [fact for fact in _items(context) if among(fact)]
    figures: dict[Key, Figure] = {}
    for area in context.areas:
        mine = [fact for fact in items if area.holds(fact.region_code)]
        figures[(area.code, "")] = ratio(sum(1 for f in mine if counted(f)), len(mine))
        if area.level == "province":
            for line in _departments(context):
                of_line = [fact for fact in mine if fact.line == line]
                figures[(area.code, line)] = ratio(
                    sum(1 for f in of_line if counted(f)), len(of_line)
                )
    return figures


@calculator("zero_visit", historical=True, by_department=True)
def zero_visit(context: Context) -> dict[Key, Figure]:
    return item_share(
        context, counted=lambda f: f.visits == 0, among=lambda f: f.item_type == PERMIT
    )


@calculator("one_window", historical=True, by_department=True)
def one_window(context: Context) -> dict[Key, Figure]:
    # 依申请事项: every item a person or enterprise applies for (all kinds on the platform)
    return item_share(context, counted=lambda f: f.is_window_accepted, among=lambda f: True)


@calculator("single_sign_on", historical=True, by_department=True)
def single_sign_on(context: Context) -> dict[Key, Figure]:
    return item_share(context, counted=lambda f: f.is_single_sign_on, among=lambda f: f.is_online)


def high_frequency_standards(day: dt.date) -> list[str]:
    counts = service_inputs.case_counts_by_standard(
        since=day - dt.timedelta(days=HIGH_FREQUENCY_DAYS - 1), until=day
    )
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return [code for code, _count in ranked[:HIGH_FREQUENCY_SIZE]]


@calculator("cross_province", historical=True)
def cross_province(context: Context) -> dict[Key, Figure]:
    listed = set(high_frequency_standards(context.day))
    items = [fact for fact in _items(context) if fact.standard_code in listed]
    figures: dict[Key, Figure] = {}
    for area in context.areas:
        # per standard: it counts once, as achieved when an item of it in the area is
        standards: dict[str, bool] = {}
        for fact in items:
            if area.holds(fact.region_code):
                standards[fact.standard_code] = (
                    standards.get(fact.standard_code, False) or fact.is_cross_province
                )
        figures[(area.code, "")] = ratio(
            sum(standards.values()), len(standards), list_size=len(listed)
        )
    return figures


# --- 一件事 (3) --------------------------------------------------------------------------------


@calculator("bundles", historical=False, regional=False)
def bundles(context: Context) -> dict[Key, Figure]:
    return {(PROVINCE_CODE, ""): count_figure(service_inputs.bundle_count())}


# --- 好差评 (6) -------------------------------------------------------------------------------


@calculator("rating", historical=True, by_department=True)
def rating(context: Context) -> dict[Key, Figure]:
    totals = service_inputs.rating_totals(
        since=context.day - dt.timedelta(days=RATING_DAYS - 1), until=context.day
    )

    def score(rows: list[service_inputs.RatingTotal]) -> Figure:
        count = sum(row.count for row in rows)
        grade_sum = sum(row.grade_sum for row in rows)
        if not count:
            return Figure(None, Decimal(0), Decimal(0))
        # five grades on the plan's 10-point scale: score = grade x 2
        return Figure(
            _d(Decimal(grade_sum * 2) / Decimal(count), "0.01"),
            Decimal(grade_sum * 2),
            Decimal(count),
            {"ratings": count},
        )

    figures: dict[Key, Figure] = {}
    for area in context.areas:
        mine = [row for row in totals if area.holds(row.region_code)]
        figures[(area.code, "")] = score(mine)
        if area.level == "province":
            for line in _departments(context):
                figures[(area.code, line)] = score([row for row in mine if row.line == line])
    return figures


# --- daily active users (7, 8, 9) --------------------------------------------------------------


def _daily_active(context: Context, kind: str) -> dict[Key, Figure]:
    since = context.day - dt.timedelta(days=ACTIVE_DAYS - 1)
    per_day = daily_active_accounts(kind=kind, since=since, until=context.day)
    if not per_day:
        return {(PROVINCE_CODE, ""): Figure(None, Decimal(0), Decimal(ACTIVE_DAYS))}
    total = sum(per_day.values())
    average = Decimal(total) / Decimal(ACTIVE_DAYS)
    return {
        (PROVINCE_CODE, ""): Figure(
            (average / TEN_THOUSAND).quantize(Decimal("0.000001")),
            Decimal(total),
            Decimal(ACTIVE_DAYS),
            {"average_accounts": str(_d(average, "0.01")), "today": per_day.get(context.day, 0)},
        )
    }


@calculator("dau_citizen", historical=True, regional=False)
def dau_citizen(context: Context) -> dict[Key, Figure]:
    return _daily_active(context, "citizen")


@calculator("dau_enterprise", historical=True, regional=False)
def dau_enterprise(context: Context) -> dict[Key, Figure]:
    return _daily_active(context, "enterprise")


@calculator("dau_staff", historical=True, regional=False)
def dau_staff(context: Context) -> dict[Key, Figure]:
    return _daily_active(context, "staff")


# --- 一网统管 sector coverage (10) -------------------------------------------------------------


def sector_names() -> dict[str, str]:
    """政府行业: the department lines (职能条线) of the organization catalogue."""
    return {line: name for line, name, _pattern in DEPARTMENTS}


@calculator("topic_coverage", historical=True, regional=False)
def topic_coverage(context: Context) -> dict[Key, Figure]:
    topics = Topic.objects.filter(is_active=True)
    if context.as_of is not None:
        topics = topics.filter(created_at__date__lte=context.as_of)
    sectors = sector_names()
    chosen = list(topics.values_list("sectors", flat=True))
    covered = {line for row in chosen for line in row} & set(sectors)
    if not chosen:
        return {(PROVINCE_CODE, ""): Figure(None, Decimal(0), Decimal(len(sectors)))}
    return {(PROVINCE_CODE, ""): ratio(len(covered), len(sectors), covered=sorted(covered))}


# --- data sharing (11) and open data (12) ------------------------------------------------------


@calculator("sharing", historical=False)
def sharing(context: Context) -> dict[Key, Figure]:
    figures: dict[Key, Figure] = {}
    for area in context.areas:
        rate = sharing_satisfaction_rate(region_code=area.code)
        figures[(area.code, "")] = ratio(
            rate.satisfied, rate.should_share, pending=rate.pending, field_rate=rate.field_rate
        )
    return figures


def _unavailable(context: Context, area_name: str) -> dict[Key, Figure]:
    return {
        (area.code, ""): Figure(None, detail={"unavailable": f"{area_name}尚未提供统计接口"})
        for area in context.areas
    }


@calculator("open_datasets", historical=False)
def open_datasets(context: Context) -> dict[Key, Figure]:
    count = sources.opendata_stat("open_dataset_count")
    if count is None:
        return _unavailable(context, "开放广东")
    return {
        (area.code, ""): count_figure(
            count(region_code=None if area.level == "province" else area.code)
        )
        for area in context.areas
    }


# --- video and sensor terminals (13, 14) -------------------------------------------------------


def _terminals(context: Context, key: str) -> dict[Key, Figure]:
    counts = sources.sensors_stat("device_counts")
    if counts is None:
        return _unavailable(context, "感知终端模块")
    figures = {}
    for area in context.areas:
        found = context.once(
            f"devices:{area.code}",
            lambda area=area: counts(region_code=None if area.level == "province" else area.code),
        )
        figures[(area.code, "")] = count_figure(
            found.get(key, 0), per=TEN_THOUSAND, online=found.get("online", 0)
        )
    return figures


@calculator("video_terminals", historical=False)
def video_terminals(context: Context) -> dict[Key, Figure]:
    return _terminals(context, "video")


@calculator("sensor_terminals", historical=False)
def sensor_terminals(context: Context) -> dict[Key, Figure]:
    return _terminals(context, "non_video")


# --- licenses (17) and seals (18) --------------------------------------------------------------


@calculator("license_use", historical=False)
def license_use(context: Context) -> dict[Key, Figure]:
    figures: dict[Key, Figure] = {}
    for area in context.areas:
        rate = license_use_rate(region_code=area.code)
        # no case has used a license yet: the input holds no records
        figures[(area.code, "")] = (
            ratio(rate.numerator, rate.denominator)
            if rate.numerator
            else Figure(None, Decimal(0), Decimal(rate.denominator))
        )
    return figures


@calculator("seal_coverage", historical=False)
def seal_coverage_figure(context: Context) -> dict[Key, Figure]:
    figures: dict[Key, Figure] = {}
    for area in context.areas:
        coverage = seal_coverage(region_code=area.code)
        figures[(area.code, "")] = (
            ratio(coverage.numerator, coverage.denominator)
            if coverage.numerator
            else Figure(None, Decimal(0), Decimal(coverage.denominator))
        )
    return figures


def calculate(key: str, context: Context) -> dict[Key, Figure]:
    spec = REGISTRY[key]
    if not spec.regional:
        # province-wide inputs: one figure, whatever areas were asked
        context = Context(
            day=context.day,
            areas=[a for a in context.areas if a.level == "province"],
            as_of=context.as_of,
            cache=context.cache,
        )
        if not context.areas:
            return {}
    return spec.fn(context)
