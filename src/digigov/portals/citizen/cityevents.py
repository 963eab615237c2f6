"""粤省事 · 随手拍: report a city event with a photo and its location (a map of Guangdong
from the local GeoJSON, or the browser's geolocation), follow my reports to closure, and
see their photos. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from digigov.apps.cityevents.selectors.events import (
    my_report_detail,
    my_reports,
    photo_for_viewer,
)
from digigov.apps.cityevents.selectors.stats import event_type_choices
from digigov.apps.cityevents.services.events import city_event_report
from digigov.apps.cityevents.services.photos import photo_path
from digigov.kernel.errors import DomainError
from digigov.kernel.principals import request_principal

from .views import PORTAL, citizen_required

NAV = "cityevents"


def _page(value: str | None) -> int:
    try:
        return max(1, int(value or "1"))
    except ValueError:
        return 1


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
def report(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    values = {
        k: request.POST.get(k, "").strip() for k in ("type", "title", "description", "lng", "lat")
    }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            ref = city_event_report(
                source="citizen",
                event_type_code=values["type"],
                lng=values["lng"] or "nan",
                lat=values["lat"] or "nan",
                title=values["title"],
                description=values["description"],
                reporter=principal,
                photos=request.FILES.getlist("photos"),
            )
        except DomainError as error:
            messages.error(request, error.message)
            errors = error.fields
            status = 422
        else:
            messages.success(request, f"上报成功，事件编号 {ref.number}，可在下方查看办理进度。")
            return redirect("citizen:cityevents")
    context = {
        **PORTAL,
        "nav": NAV,
        "page_title": "随手拍",
        "types": event_type_choices(),
        "values": values,
        "errors": errors,
        "page": my_reports(principal=principal, page=_page(request.GET.get("page"))),
    }
    return render(request, "citizen/cityevents/report.html", context, status=status)


@require_safe
@citizen_required
def detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        found = my_report_detail(principal=request_principal(request), number=number)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("citizen:cityevents")
    context = {**PORTAL, "nav": NAV, "page_title": f"我的上报 {number}", **found}
    return render(request, "citizen/cityevents/detail.html", context)


@require_safe
@citizen_required
def photo(request: HttpRequest, photo_id: int):
    from django.http import FileResponse

    try:
        stored = photo_for_viewer(principal=request_principal(request), photo_id=photo_id)
    except DomainError as error:
        return HttpResponse(
            error.message, status=error.status, content_type="text/plain; charset=utf-8"
        )
    response = FileResponse(photo_path(stored.sha256).open("rb"), content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
