"""粤政易 · 开放广东: the data bureau answers data requests, and moderators approve or reject
comments and showcases before the public sees them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from digigov.data.opendata.models import DataRequest
from digigov.data.opendata.selectors.datasets import (
    comments_pending,
    data_requests_open,
    showcases_pending,
)
from digigov.data.opendata.services.community import (
    comment_moderate,
    data_request_answer,
    showcase_moderate,
)
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal

from .opendata import not_found, page_context, refused
from .views import staff_required

ANSWER_STATES = [
    (DataRequest.State.ANSWERED, "已答复（说明情况）"),
    (DataRequest.State.FULFILLED, "已开放（指明数据集）"),
    (DataRequest.State.DECLINED, "暂不开放（说明理由）"),
]


@require_safe
@staff_required
def requests_inbox(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        rows = data_requests_open(principal=principal)
    except (PermissionDenied, Unauthenticated) as error:
        return refused(request, error)
    body = page_context(principal, "requests", "数据需求答复", rows=rows, states=ANSWER_STATES)
    return render(request, "staff/opendata/requests.html", body)


@require_POST
@staff_required
def request_answer(request: HttpRequest, request_id: int) -> HttpResponse:
    post = request.POST
    try:
        data_request_answer(
            principal=request_principal(request),
            request_id=request_id,
            answer=post.get("answer", ""),
            state=post.get("state", DataRequest.State.ANSWERED),
            dataset_name=post.get("dataset_name", "").strip()[:100],
        )
    except (PermissionDenied, Unauthenticated) as error:
        return refused(request, error)
    except NotFound as error:
        return not_found(request, error)
    except DomainError as error:
        detail = "；".join(m for items in error.fields.values() for m in items)
        messages.error(request, f"{error.message}：{detail}" if detail else error.message)
    else:
        messages.success(request, f"已答复数据需求 #{request_id}，答复在开放广东公开。")
    return redirect("staff:opendata_requests")


@require_safe
@staff_required
def moderation(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    try:
        comments = comments_pending(principal=principal)
        showcases = showcases_pending(principal=principal)
    except (PermissionDenied, Unauthenticated) as error:
        return refused(request, error)
    body = page_context(
        principal, "moderation", "评论和应用审核", comments=comments, showcases=showcases
    )
    return render(request, "staff/opendata/moderation.html", body)


@require_POST
@staff_required
def moderate(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    principal = request_principal(request)
    approve = request.POST.get("decision") == "approve"
    service = {"comments": comment_moderate, "showcases": showcase_moderate}.get(kind)
    if service is None:
        return not_found(request, NotFound("审核对象不存在"))
    key = "comment_id" if kind == "comments" else "showcase_id"
    try:
        service(principal=principal, approve=approve, **{key: object_id})
    except (PermissionDenied, Unauthenticated) as error:
        return refused(request, error)
    except NotFound as error:
        return not_found(request, error)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        label = "评论" if kind == "comments" else "数据应用"
        messages.success(request, f"{label} #{object_id} {'已通过' if approve else '未通过'}。")
    return redirect("staff:opendata_moderation")
