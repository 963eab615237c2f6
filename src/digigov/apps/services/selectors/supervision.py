"""政务服务监督: what supervisors see of the cases of their organization and everything below
it, by region and department: counts, on-time rate, yellow and red warnings, working days to
close, cross-region cases (收受分离) and ratings; plus the clock's warning thresholds.

Who sees what (`supervision_scope`): staff holding services.supervise_application see the
cases handled or received by their organization and its subordinate organizations; at a
政务服务数据管理局 (line "zsj", the body that supervises government services) that is every
department of its region and the regions below. Machine clients with the scope
``services:supervise`` see everything (the governance dashboard's indicators)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.organizations.selectors import organization_descendant_ids, organization_get
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_get
from digigov.kernel.workdays.selectors import WorkCalendar, calendar

from ..models import Application, ClockPause, ClockSetting

SUPERVISE = "services.supervise_application"
SCOPE_SUPERVISE = "services:supervise"
SUPERVISING_LINE = "zsj"  # 政务服务数据管理局

S = Application.Status
DECIDED = (S.APPROVED, S.REJECTED)  # 办结
OPEN_EXCLUDED = (*Application.CLOSED, S.DRAFT)

# GB/T 2260: a region's descendants share its code's prefix of this length.
PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}

LIST_LIMIT = 20


# --- the clock's thresholds (read by services/clock.py too) -------------------------------


def clock_setting() -> ClockSetting:
    """The warning thresholds (one row, defaults when nobody has edited them yet)."""
    return ClockSetting.objects.filter(pk=1).first() or ClockSetting(pk=1)


def limit_days(*, promised_days: int | None, statutory_days: int | None) -> int:
    """The time limit a case runs against: the promised one (承诺时限), else the statutory."""
    return promised_days or statutory_days or 0


def yellow_threshold(*, limit: int, setting: ClockSetting) -> int:
    return max(setting.yellow_days, math.ceil(limit * setting.yellow_percent / 100))


def warning_level(*, days_left: int, limit: int, setting: ClockSetting) -> str:
    if days_left < 0:
        return Application.Warning.RED
    if days_left <= yellow_threshold(limit=limit, setting=setting):
        return Application.Warning.YELLOW
    return Application.Warning.NONE


def days_left(
    *,
    deadline: dt.date | None,
    paused_since: dt.datetime | None,
    today: dt.date,
    work_calendar: WorkCalendar,
) -> int | None:
    """Working days from today to the deadline (negative: overdue). A paused clock stands
    still at the day the pause began."""
    if deadline is None:
        return None
    start = timezone.localdate(paused_since) if paused_since else today
    return work_calendar.between(start, deadline)


# --- scope -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    organization_ids: frozenset[int] | None  # None: everything
    region_prefix: str = ""  # a supervising bureau's region (its departments too)
    label: str = ""


def _deny(principal: Principal, reason: str) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action="services.supervision.access",
        object_type="services.supervision",
        object_id="",
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )


def region_prefix(code: str) -> str:
    region = region_get(code)
    if region is None:
        raise ValidationFailed(
            "行政区划不存在", code="services/unknown_region", fields={"region": ["行政区划不存在"]}
        )
    return code[: PREFIX_LENGTH.get(region.level, len(code))]


def supervision_scope(*, principal: Principal) -> Scope:
    """What the principal may supervise, or PermissionDenied (audited)."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind == "machine":
        if principal.has_scope(SCOPE_SUPERVISE):
            return Scope(organization_ids=None, label="全部")
        _deny(principal, "scope")
        raise PermissionDenied("无权查看政务服务监督数据", code="services/not_supervisor")
    if principal.kind != "staff" or not principal.has_perm(SUPERVISE):
        _deny(principal, "permission")
        raise PermissionDenied("无权查看政务服务监督数据", code="services/not_supervisor")
    organization = (
        organization_get(principal.organization_id) if principal.organization_id else None
    )
    if organization is None:
        _deny(principal, "no_organization")
        raise PermissionDenied("账号未设置所属机构", code="services/not_supervisor")
    ids = frozenset(organization_descendant_ids(organization.pk))
    prefix = ""
    if organization.function == SUPERVISING_LINE:
        prefix = organization.region_id[: PREFIX_LENGTH.get(organization.region.level, 6)]
    return Scope(organization_ids=ids, region_prefix=prefix, label=organization.name)


def scope_q(scope: Scope, *, through: str = "") -> Q:
    """A filter on Application (or, with through="application__", on a related model)."""
    if scope.organization_ids is None:
        return Q()
    ids = scope.organization_ids
    q = Q(**{f"{through}handling_organization_id__in": ids}) | Q(
        **{f"{through}received_organization_id__in": ids}
    )
    if scope.region_prefix:
        q |= Q(**{f"{through}handling_region__code__startswith": scope.region_prefix})
        q |= Q(**{f"{through}received_region__code__startswith": scope.region_prefix})
    return q


# --- filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionFilter:
    region_code: str = ""  # handling region and below
    line: str = ""  # department line, e.g. "scjg"
    organization_id: int | None = None
    since: dt.date | None = None  # submitted on or after
    until: dt.date | None = None  # submitted on or before


def filter_q(filters: SupervisionFilter, *, through: str = "") -> Q:
    q = Q()
    if filters.region_code:
        q &= Q(
            **{f"{through}handling_region__code__startswith": region_prefix(filters.region_code)}
        )
    if filters.line:
        q &= Q(**{f"{through}handling_organization__function": filters.line})
    if filters.organization_id:
        q &= Q(**{f"{through}handling_organization_id": filters.organization_id})
    if filters.since:
        q &= Q(**{f"{through}submitted_at__date__gte": filters.since})
    if filters.until:
        q &= Q(**{f"{through}submitted_at__date__lte": filters.until})
    return q


def supervised_applications(
    *, principal: Principal, filters: SupervisionFilter | None = None
) -> QuerySet[Application]:
    scope = supervision_scope(principal=principal)
    return (
        Application.objects.filter(scope_q(scope))
        .filter(filter_q(filters or SupervisionFilter()))
        .exclude(status=S.DRAFT)
    )


# --- overview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    number: str
    item_name: str
    applicant_name: str
    status: str
    status_label: str
    handling_organization: str
    handling_region: str
    received_region: str
    received_partner: str
    accepted_on: dt.date | None
    deadline: dt.date | None
    closed_on: dt.date | None
    days_left: int | None  # working days; negative: overdue
    warning: str
    is_paused: bool

    @property
    def days_over(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


@dataclass(frozen=True)
class GroupRow:
    key: str
    label: str
    total: int
    open: int
    decided: int
    on_time: int
    red: int
    yellow: int

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.decided * 100, 1) if self.decided else None


@dataclass(frozen=True)
class CrossRegionRow:
    received: str
    handling: str
    count: int


@dataclass(frozen=True)
class Overview:
    scope_label: str
    today: dt.date
    total: int
    open: int
    decided: int
    closed_other: int  # withdrawn, not accepted
    on_time: int
    red: int
    yellow: int
    paused: int
    average_working_days: float | None
    cross_region: int
    red_cases: list[CaseRow]
    yellow_cases: list[CaseRow]
    by_organization: list[GroupRow]
    by_region: list[GroupRow]
    cross_region_pairs: list[CrossRegionRow]
    ratings: Any  # selectors.ratings.RatingSummary
    uncovered_years: list[int] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.decided * 100, 1) if self.decided else None


def _on_time_q() -> Q:
    return Q(status__in=DECIDED) & (
        Q(deadline__isnull=True) | Q(closed_at__date__lte=F("deadline"))
    )


def _cross_region_q() -> Q:
    return ~Q(received_region=F("handling_region")) | ~Q(received_partner="")


def _counts() -> dict[str, Any]:
    is_open = ~Q(status__in=OPEN_EXCLUDED)
    return {
        "total": Count("id"),
        "open": Count("id", filter=is_open),
        "decided": Count("id", filter=Q(status__in=DECIDED)),
        "on_time": Count("id", filter=_on_time_q()),
        "red": Count("id", filter=is_open & Q(warning=Application.Warning.RED)),
        "yellow": Count("id", filter=is_open & Q(warning=Application.Warning.YELLOW)),
    }


def _row(values: dict[str, Any], *, today: dt.date, work_calendar: WorkCalendar) -> CaseRow:
    closed_at = values["closed_at"]
    accepted_at = values["accepted_at"]
    status = values["status"]
    return CaseRow(
        number=values["number"],
        item_name=values["item_version__name"],
        applicant_name=values["applicant_name"],
        status=status,
        status_label=S(status).label,
        handling_organization=values["handling_organization__name"],
        handling_region=values["handling_region__name"],
        received_region=values["received_region__name"],
        received_partner=values["received_partner"],
        accepted_on=timezone.localdate(accepted_at) if accepted_at else None,
        deadline=values["deadline"],
        closed_on=timezone.localdate(closed_at) if closed_at else None,
        days_left=None
        if closed_at
        else days_left(
            deadline=values["deadline"],
            paused_since=values["paused_since"],
            today=today,
            work_calendar=work_calendar,
        ),
        warning=values["warning"],
        is_paused=values["paused_since"] is not None and not closed_at,
    )


ROW_FIELDS = (
    "number",
    "item_version__name",
    "applicant_name",
    "status",
    "handling_organization__name",
    "handling_region__name",
    "received_region__name",
    "received_partner",
    "accepted_at",
    "closed_at",
    "deadline",
    "paused_since",
    "warning",
)


def _average_working_days(
    cases: QuerySet[Application], work_calendar: WorkCalendar
) -> float | None:
    """Working days from acceptance to decision, pauses not counted, over the latest
    decided cases (a bounded sample keeps the page fast on a province's volume)."""
    rows = (
        cases.filter(status__in=DECIDED, accepted_at__isnull=False, closed_at__isnull=False)
        .annotate(paused_days=Sum("clock_pauses__working_days"))
        .order_by("-closed_at")
        .values_list("accepted_at", "closed_at", "paused_days")[:2000]
    )
    spans = [
        max(
            0,
            work_calendar.between(timezone.localdate(accepted), timezone.localdate(closed))
            - (paused or 0),
        )
        for accepted, closed, paused in rows
    ]
    return round(sum(spans) / len(spans), 1) if spans else None


def _uncovered_years(today: dt.date, work_calendar: WorkCalendar) -> list[int]:
    # Next year's arrangement is published in November or December: warn from November.
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    return work_calendar.uncovered_years(years)


def supervision_overview(
    *,
    principal: Principal,
    filters: SupervisionFilter | None = None,
    today: dt.date | None = None,
) -> Overview:
    from .ratings import rating_summary

    filters = filters or SupervisionFilter()
    scope = supervision_scope(principal=principal)
    today = today or timezone.localdate()
    work_calendar = calendar()
    cases = (
        Application.objects.filter(scope_q(scope)).filter(filter_q(filters)).exclude(status=S.DRAFT)
    )
    totals = cases.aggregate(
        **_counts(),
        closed_other=Count("id", filter=Q(status__in=(S.WITHDRAWN, S.NOT_ACCEPTED))),
        paused=Count("id", filter=~Q(status__in=OPEN_EXCLUDED) & Q(paused_since__isnull=False)),
        cross_region=Count("id", filter=_cross_region_q()),
    )
    is_open = ~Q(status__in=OPEN_EXCLUDED)

    def warned(level: str) -> list[CaseRow]:
        rows = (
            cases.filter(is_open, warning=level)
            .order_by("deadline", "number")
            .values(*ROW_FIELDS)[:LIST_LIMIT]
        )
        return [_row(row, today=today, work_calendar=work_calendar) for row in rows]

    def grouped(key: str, label: str) -> list[GroupRow]:
        rows = (
            cases.values(key, label)
            .annotate(**_counts())
            .order_by("-red", "-yellow", "-open", key)[:50]
        )
        return [
            GroupRow(
                key=str(row[key]),
                label=row[label],
                total=row["total"],
                open=row["open"],
                decided=row["decided"],
                on_time=row["on_time"],
                red=row["red"],
                yellow=row["yellow"],
            )
            for row in rows
        ]

    pairs = (
        cases.filter(_cross_region_q())
        .values("received_region__name", "received_partner", "handling_region__name")
        .annotate(count=Count("id"))
        .order_by("-count", "received_region__name", "handling_region__name")[:LIST_LIMIT]
    )
    return Overview(
        scope_label=scope.label,
        today=today,
        total=totals["total"],
        open=totals["open"],
        decided=totals["decided"],
        closed_other=totals["closed_other"],
        on_time=totals["on_time"],
        red=totals["red"],
        yellow=totals["yellow"],
        paused=totals["paused"],
        average_working_days=_average_working_days(cases, work_calendar),
        cross_region=totals["cross_region"],
        red_cases=warned(Application.Warning.RED),
        yellow_cases=warned(Application.Warning.YELLOW),
        by_organization=grouped("handling_organization_id", "handling_organization__name"),
        by_region=grouped("handling_region_id", "handling_region__name"),
        cross_region_pairs=[
            CrossRegionRow(
                received=row["received_partner"] or row["received_region__name"],
                handling=row["handling_region__name"],
                count=row["count"],
            )
            for row in pairs
        ],
        ratings=rating_summary(scope=scope, filters=filters),
        uncovered_years=_uncovered_years(today, work_calendar),
    )


# --- drill-down ------------------------------------------------------------------------------

CASE_STATES: dict[str, str] = {
    "open": "在办",
    "red": "红牌超期",
    "yellow": "黄牌预警",
    "paused": "计时暂停",
    "decided": "已办结",
    "late": "超期办结",
    "cross_region": "跨域办件",
    "all": "全部",
}


@dataclass(frozen=True)
class CasePage:
    state: str
    total: int
    page: int
    page_size: int
    rows: list[CaseRow]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def _state_q(state: str) -> Q:
    is_open = ~Q(status__in=OPEN_EXCLUDED)
    return {
        "open": is_open,
        "red": is_open & Q(warning=Application.Warning.RED),
        "yellow": is_open & Q(warning=Application.Warning.YELLOW),
        "paused": is_open & Q(paused_since__isnull=False),
        "decided": Q(status__in=DECIDED),
        "late": Q(status__in=DECIDED) & Q(closed_at__date__gt=F("deadline")),
        "cross_region": _cross_region_q(),
        "all": Q(),
    }[state]


def supervision_cases(
    *,
    principal: Principal,
    filters: SupervisionFilter | None = None,
    state: str = "open",
    page: int = 1,
    page_size: int = 20,
    today: dt.date | None = None,
) -> CasePage:
    if state not in CASE_STATES:
        raise ValidationFailed(
            "未知的办件类别", code="services/unknown_state", fields={"state": ["未知的办件类别"]}
        )
    page = max(1, page)
    page_size = min(max(1, page_size), 100)
    today = today or timezone.localdate()
    cases = supervised_applications(principal=principal, filters=filters).filter(_state_q(state))
    total = cases.count()
    start = (page - 1) * page_size
    rows = cases.order_by(F("deadline").asc(nulls_last=True), "number").values(*ROW_FIELDS)[
        start : start + page_size
    ]
    work_calendar = calendar()
    return CasePage(
        state=state,
        total=total,
        page=page,
        page_size=page_size,
        rows=[_row(row, today=today, work_calendar=work_calendar) for row in rows],
    )


def clock_pauses_of(*, application: Application) -> list[ClockPause]:
    """The case's pauses, for its page (the caller checked access with case_for)."""
    return list(application.clock_pauses.all())


# --- filter choices for the page -------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def region_choices(*, parent_code: str) -> list[Choice]:
    from digigov.kernel.regions.selectors import region_children

    return [Choice(r.code, r.name) for r in region_children(parent_code=parent_code)]
