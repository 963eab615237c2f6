"""粤政易 · 政务服务监督: figures and warnings of the cases of the supervisor's organization and
everything below it, filtered by region (city, county), department line and dates, with a
drill-down to the case list. Thin: parse the filter, call the selectors, render."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from digigov.apps.services.selectors.supervision import (
    CASE_STATES,
    SupervisionFilter,
    region_choices,
    supervision_cases,
    supervision_overview,
)
from digigov.kernel.errors import DomainError, PermissionDenied, Unauthenticated
from digigov.kernel.organizations.services import DEPARTMENTS
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required

PROVINCE = "440000"
LINES = [
    (line, name.removeprefix("国家税务总局").removeprefix("广东省"))
    for line, name, _ in DEPARTMENTS
]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filter_of(request: HttpRequest) -> tuple[SupervisionFilter, dict]:
    """The filter from the query string (unknown regions and lines are ignored) and the
    filter form's context."""
    cities = region_choices(parent_code=PROVINCE)
    city = request.GET.get("city", "").strip()
    if city not in {c.value for c in cities}:
        city = ""
    counties = region_choices(parent_code=city) if city else []
    county = request.GET.get("county", "").strip()
    if county not in {c.value for c in counties}:
        county = ""  # also when the city changed: the old city's county no longer applies
    line = request.GET.get("line", "").strip()
    if line not in dict(LINES):
        line = ""
    since, until = _date(request.GET.get("since", "")), _date(request.GET.get("until", ""))
    chosen = {
        "city": city,
        "county": county,
        "line": line,
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }
    filters = SupervisionFilter(region_code=county or city, line=line, since=since, until=until)
    form = {
        "chosen": chosen,
        "cities": cities,
        "counties": counties,
        "lines": LINES,
        "query": urlencode({k: v for k, v in chosen.items() if v}),
    }
    return filters, form


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**PORTAL, "nav": "supervision", "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


@require_safe
@staff_required
def supervision(request: HttpRequest) -> HttpResponse:
    filters, form = _filter_of(request)
    try:
        overview = supervision_overview(principal=request_principal(request), filters=filters)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = {
        **PORTAL,
        "nav": "supervision",
        "page_title": "政务服务监督",
        "overview": overview,
        "states": CASE_STATES,
        **form,
    }
    return render(request, "staff/supervision/overview.html", context)


@require_safe
@staff_required
def supervision_case_list(request: HttpRequest) -> HttpResponse:
    filters, form = _filter_of(request)
    state = request.GET.get("state", "open")
    if state not in CASE_STATES:
        state = "open"
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    try:
        page = supervision_cases(
            principal=request_principal(request), filters=filters, state=state, page=page_number
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    context = {
        **PORTAL,
        "nav": "supervision",
        "page_title": f"监督办件清单：{CASE_STATES[state]}",
        "page": page,
        "state": state,
        "state_label": CASE_STATES[state],
        "states": CASE_STATES,
        **form,
    }
    return render(request, "staff/supervision/cases.html", context)
