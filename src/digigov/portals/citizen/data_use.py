"""粤省事 · 谁用了我的数据: the exchange calls that read a record holding the signed-in
citizen's own ID number (when, which department, which resource and fields, why). Real-name
verified (L2) citizens only; never anyone else's. Thin: one selector, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from digigov.data.sharing.selectors.log import exchange_log_for_citizen
from digigov.kernel.errors import PermissionDenied
from digigov.kernel.principals import request_principal

from .views import PORTAL, citizen_required


@require_safe
@citizen_required
def data_use(request: HttpRequest) -> HttpResponse:
    context = {**PORTAL, "nav": "data_use", "page_title": "谁用了我的数据"}
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    try:
        log = exchange_log_for_citizen(principal=request_principal(request), page=max(1, page))
    except PermissionDenied as error:
        return render(
            request, "citizen/data_use.html", {**context, "message": error.message}, status=403
        )
    return render(request, "citizen/data_use.html", {**context, "log": log})
