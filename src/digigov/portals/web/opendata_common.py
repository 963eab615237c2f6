"""开放广东 pages: what the public views share (the portal's context, the sign-in guard for
actions, parsing page numbers and the pager links, the usage chart's data)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from digigov.kernel.errors import DomainError
from digigov.kernel.ids import mask_name

PORTAL = {"portal": "web", "portal_name": "开放广东"}


def context(nav: str, page_title: str, **extra) -> dict:
    return {**PORTAL, "od_nav": nav, "page_title": page_title, **extra}


def page_number(value: str | None) -> int | None:
    """A page number from the query string; None when it is not a positive integer."""
    try:
        number = int(str(value or "1").strip())
    except ValueError:
        return None
    return number if number >= 1 else None


def pager(page: int, total: int, page_size: int, **kept) -> dict:
    """Page count and the previous/next links, keeping the non-empty query values."""
    pages = max(1, -(-total // page_size))
    kept = {k: v for k, v in kept.items() if v}
    return {
        "page": page,
        "pages": pages,
        "previous_url": "?" + urlencode({**kept, "page": page - 1}) if page > 1 else "",
        "next_url": "?" + urlencode({**kept, "page": page + 1}) if page < pages else "",
    }


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any signed-in person; anonymous visitors go to the login page and come back."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('identity:login')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped


def error_page(request: HttpRequest, error: DomainError, *, title: str = "") -> HttpResponse:
    """A domain error as a page with its status (404 unknown, 403 refused, 422 bad input)."""
    titles = {404: "页面不存在", 403: "无权访问", 401: "请先登录", 429: "请求过于频繁"}
    page_title = title or titles.get(error.status, "请求无效")
    body = context("", page_title, message=error.message, code=error.code)
    return render(request, "web/opendata/error.html", body, status=error.status)


def form_errors(error: DomainError) -> dict[str, list[str]]:
    return {**error.fields, "form": [error.message]}


def usage_chart(stats) -> dict:
    """The last days' views and downloads as the chart's embedded JSON."""
    return {
        "days": [point.day.isoformat() for point in stats.days],
        "views": [point.views for point in stats.days],
        "downloads": [point.downloads for point in stats.days],
        "apiCalls": [point.api_calls for point in stats.days],
    }


def with_masked_names(rows: list, attribute: str) -> list:
    """Public pages show people by a masked name (张**), never the full one."""
    for row in rows:
        row.shown_name = mask_name(getattr(row, attribute) or "") or "用户"
    return rows
