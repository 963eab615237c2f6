"""粤省事 · 好差评: the rating form of a closed case (the case page includes the same partial,
services/partials/rating.html) and its POST. Thin: parse, call one service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from digigov.apps.services import ratings_vocabulary
from digigov.apps.services.selectors.ratings import rating_panel
from digigov.apps.services.services.ratings import rating_submit
from digigov.kernel.errors import DomainError
from digigov.kernel.principals import request_principal
from digigov.portals.web.forms_schema import case_page_errors

from .views import PORTAL, citizen_required

CHANNEL = "mobile"  # 粤省事


def rating_post(request: HttpRequest, number: str, *, own_page: str) -> HttpResponse:
    """Shared by the citizen and business portals: submit, say how it went, go back."""
    try:
        grade = int(request.POST.get("grade", ""))
    except ValueError:
        grade = 0
    allowed = ratings_vocabulary.reasons_for(grade) if grade else {}
    # The form lists every grade's reasons; keep those that belong to the chosen grade.
    reasons = [code for code in request.POST.getlist("reasons") if code in allowed]
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse(own_page, args=[number])
    try:
        rating_submit(
            principal=request_principal(request),
            number=number,
            grade=grade,
            reasons=reasons,
            comment=request.POST.get("comment", ""),
            channel=CHANNEL,
        )
    except DomainError as error:
        if error.status in (401, 403, 404):
            raise
        details = "；".join(m for messages_ in error.fields.values() for m in messages_)
        messages.error(request, f"{error.message}{'：' + details if details else ''}")
    else:
        messages.success(
            request,
            "感谢您的评价。"
            + ("您的意见已转办理部门整改，将在 5 个工作日内答复。" if grade <= 2 else ""),
        )
    return HttpResponseRedirect(target)


@require_http_methods(["GET", "HEAD", "POST"])
@citizen_required
@case_page_errors(PORTAL)
def case_rating(request: HttpRequest, number: str) -> HttpResponse:
    if request.method == "POST":
        return rating_post(request, number, own_page="citizen:case_rating")
    panel = rating_panel(principal=request_principal(request), number=number)
    context = {**PORTAL, "nav": "cases", "page_title": f"评价办件 {number}", "rating_panel": panel}
    return render(request, "citizen/rating.html", context)
