"""粤商通 · 好差评: the enterprise's rating of its closed case (same partial and rules as the
citizen portal: citizen/ratings.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from digigov.apps.services.selectors.ratings import rating_panel
from digigov.kernel.principals import request_principal
from digigov.portals.citizen.ratings import rating_post
from digigov.portals.web.forms_schema import case_page_errors

from .views import PORTAL, enterprise_required


@require_http_methods(["GET", "HEAD", "POST"])
@enterprise_required
@case_page_errors(PORTAL)
def case_rating(request: HttpRequest, number: str) -> HttpResponse:
    if request.method == "POST":
        return rating_post(request, number, own_page="business:case_rating")
    panel = rating_panel(principal=request_principal(request), number=number)
    context = {**PORTAL, "nav": "cases", "page_title": f"评价办件 {number}", "rating_panel": panel}
    return render(request, "business/rating.html", context)
