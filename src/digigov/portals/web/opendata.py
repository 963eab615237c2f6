"""开放广东 (public): the home page (themes, figures, newest and most downloaded datasets),
the search (Chinese full text, facets, sort, pages) and a dataset's page (metadata, preview
of the first rows, downloads, the CKAN API example, usage, ratings, comments, and the
application for a conditional dataset). Anyone browses; rating, commenting and applying need
a signed-in person. Thin: parse, call the backend's selectors and services, render."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.data.opendata.models import Frequency, License
from digigov.data.opendata.selectors.datasets import (
    application_state_for,
    dataset_comments,
    dataset_published_get,
    dataset_rating,
    dataset_rows_allowed,
    dataset_usage,
    site_figures,
    theme_counts,
)
from digigov.data.opendata.selectors.datastore import datastore_of_resource, datastore_search
from digigov.data.opendata.selectors.search import MAX_START, SearchQuery, dataset_search
from digigov.data.opendata.services.applications import application_submit
from digigov.data.opendata.services.community import comment_post, rating_set
from digigov.data.opendata.services.usage import usage_record
from digigov.kernel.errors import DomainError, NotFound, ValidationFailed
from digigov.kernel.principals import request_principal

from .opendata_common import (
    context,
    error_page,
    form_errors,
    page_number,
    signed_in,
    usage_chart,
    with_masked_names,
)

PAGE_SIZE = 10
PREVIEW_ROWS = 10
# facet field (also the query-string name) -> heading, in the order the page shows them
FACETS = {
    "groups": "主题",
    "organization": "发布部门",
    "res_format": "数据格式",
    "region": "地区",
    "update_frequency": "更新频率",
    "open_condition": "开放属性",
    "tags": "标签",
}
SORTS = {
    "": "相关度 / 最近更新",
    "metadata_modified desc": "最近更新",
    "views_total desc": "浏览最多",
    "downloads_total desc": "下载最多",
    "title_string asc": "名称",
}
MAX_FILTER_VALUES = 5


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    newest = dataset_search(query=SearchQuery(sort="metadata_created desc", rows=6))
    popular = dataset_search(query=SearchQuery(sort="downloads_total desc", rows=6))
    body = context(
        "home",
        "开放广东",
        themes=theme_counts(),
        figures=site_figures(),
        newest=newest.datasets,
        popular=popular.datasets,
    )
    return render(request, "web/opendata/home.html", body)


@dataclass(frozen=True)
class FacetLink:
    name: str
    label: str
    count: int
    selected: bool
    url: str


def _query_string(text: str, filters: dict[str, list[str]], sort: str, **extra) -> str:
    pairs: list[tuple[str, str]] = [("q", text)] if text else []
    for name, values in filters.items():
        pairs += [(name, value) for value in values]
    if sort:
        pairs.append(("sort", sort))
    pairs += [(k, str(v)) for k, v in extra.items()]
    return "?" + urlencode(pairs) if pairs else "?"


def _facet_links(result, text, filters, sort) -> list[tuple[str, str, list[FacetLink]]]:
    groups = []
    for field, heading in FACETS.items():
        links = []
        chosen = filters.get(field, [])
        for item in result.facets.get(field, []):
            selected = item.name in chosen
            values = [v for v in chosen if v != item.name] if selected else [*chosen, item.name]
            changed = {**filters, field: values}
            url = _query_string(text, {k: v for k, v in changed.items() if v}, sort)
            links.append(FacetLink(item.name, item.display_name, item.count, selected, url))
        groups.append((field, heading, links))
    return groups


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    get = request.GET
    text = get.get("q", "").strip()[:100]
    filters = {
        field: [v.strip()[:60] for v in get.getlist(field) if v.strip()][:MAX_FILTER_VALUES]
        for field in FACETS
    }
    filters = {k: v for k, v in filters.items() if v}
    sort = get.get("sort", "") if get.get("sort", "") in SORTS else ""
    page = page_number(get.get("page"))
    error = ""
    status = 200
    if page is None or (page - 1) * PAGE_SIZE > MAX_START:
        error, status, page = "页码不正确，已显示第 1 页", 400, 1
    query = SearchQuery(
        text=text,
        filters=filters,
        sort=sort,
        rows=PAGE_SIZE,
        start=(page - 1) * PAGE_SIZE,
        facet_fields=tuple(FACETS),
        facet_limit=20,
    )
    try:
        result = dataset_search(query=query)
    except ValidationFailed as failed:
        error, status = failed.message, 400
        result = dataset_search(query=SearchQuery(rows=PAGE_SIZE, facet_fields=tuple(FACETS)))
        text, filters, sort, page = "", {}, "", 1
    pages = max(1, -(-result.count // PAGE_SIZE))
    body = context(
        "search",
        f"搜索“{text}”" if text else "数据集",
        result=result,
        text=text,
        sort=sort,
        sorts=SORTS.items(),
        chosen=filters,
        facets=_facet_links(result, text, filters, sort),
        page=page,
        pages=pages,
        error=error,
        hidden_filters=[(k, v) for k, values in filters.items() for v in values],
        previous_url=_query_string(text, filters, sort, page=page - 1) if page > 1 else "",
        next_url=_query_string(text, filters, sort, page=page + 1) if page < pages else "",
        clear_url=reverse("web:opendata_search"),
    )
    return render(request, "web/opendata/search.html", body, status=status)


def _shown(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _preview(resource, allowed: bool):
    """(columns, rows, total) of the first rows, or None when the caller may not read them."""
    if not allowed or resource is None:
        return None
    resource, table = datastore_of_resource(resource_id=str(resource.pk))
    found = datastore_search(resource_id=str(resource.pk), table=table, limit=PREVIEW_ROWS)
    columns = [(c["id"], c.get("label") or c["id"]) for c in table.columns]
    rows = [[_shown(record.get(column)) for column, _ in columns] for record in found.records]
    return {"columns": columns, "rows": rows, "total": found.total, "resource_id": resource.pk}


def _dataset_context(request: HttpRequest, dataset, principal, **extra) -> dict:
    allowed = dataset_rows_allowed(principal=principal, dataset=dataset)
    api_resource = next((r for r in dataset.resources.all() if r.datastore_id), None)
    preview = _preview(api_resource, allowed)
    api_url = ""
    if api_resource is not None:
        api_url = request.build_absolute_uri(
            "/api/3/action/datastore_search?"
            + urlencode({"resource_id": str(api_resource.pk), "limit": 5})
        )
    conditional = dataset.open_condition == dataset.OpenCondition.CONDITIONAL
    usage = dataset_usage(dataset=dataset, days=30)
    return context(
        "search",
        dataset.title,
        dataset=dataset,
        tags=[t.name for t in dataset.tag_rows.all()],
        resources=[r for r in dataset.resources.all() if r.format in ("CSV", "JSON", "XLSX")],
        license_label=dict(License.choices).get(dataset.license_id, dataset.license_id),
        frequency_label=dict(Frequency.choices).get(dataset.update_frequency, ""),
        allowed=allowed,
        conditional=conditional,
        preview=preview,
        api_url=api_url,
        curl=f'curl -H "Authorization: <您的开发者密钥>" "{api_url}"'
        if conditional
        else f'curl "{api_url}"',
        package_url=request.build_absolute_uri(
            "/api/3/action/package_show?" + urlencode({"id": dataset.name})
        ),
        usage=usage,
        chart=usage_chart(usage),
        rating=dataset_rating(dataset=dataset, principal=principal),
        comments=with_masked_names(dataset_comments(dataset=dataset, limit=20), "author_label"),
        application=application_state_for(principal=principal, dataset=dataset)
        if conditional
        else None,
        scores=range(1, 6),
        signed_in=principal.is_authenticated,
        login_url=f"{reverse('identity:login')}?{urlencode({'next': request.get_full_path()})}",
        errors={},
        values={},
        **extra,
    )


@require_safe
def dataset_page(request: HttpRequest, name: str) -> HttpResponse:
    principal = request_principal(request)
    try:
        dataset = dataset_published_get(key=name)
    except NotFound as error:
        return error_page(request, error, title="数据集不存在")
    if request.method == "GET":
        usage_record(dataset_id=dataset.pk, views=1)
        dataset.view_count += 1  # the page shows the count including this view
    return render(
        request, "web/opendata/dataset.html", _dataset_context(request, dataset, principal)
    )


@require_POST
@signed_in
def dataset_rate(request: HttpRequest, name: str) -> HttpResponse:
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = 0
    try:
        rating_set(principal=request_principal(request), dataset_name=name, score=score)
    except NotFound as error:
        return error_page(request, error, title="数据集不存在")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已评分：{score} 分。")
    return redirect("web:opendata_dataset", name=name)


@require_POST
@signed_in
def dataset_comment(request: HttpRequest, name: str) -> HttpResponse:
    try:
        comment_post(
            principal=request_principal(request),
            dataset_name=name,
            text=request.POST.get("text", ""),
        )
    except NotFound as error:
        return error_page(request, error, title="数据集不存在")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "评论已提交，审核通过后公开显示。")
    return redirect("web:opendata_dataset", name=name)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def dataset_apply(request: HttpRequest, name: str) -> HttpResponse:
    principal = request_principal(request)
    try:
        dataset = dataset_published_get(key=name)
    except NotFound as error:
        return error_page(request, error, title="数据集不存在")
    values = {
        key: request.POST.get(key, "").strip() for key in ("purpose", "organization", "contact")
    }
    if request.method == "POST":
        try:
            application_submit(principal=principal, dataset_name=dataset.name, **values)
        except NotFound as error:
            return error_page(request, error, title="数据集不存在")
        except DomainError as error:
            body = _apply_context(dataset, principal, errors=form_errors(error), values=values)
            return render(request, "web/opendata/apply.html", body, status=error.status)
        messages.success(request, "申请已提交，发布部门审批后即可预览、下载和调用接口。")
        return redirect("web:opendata_dataset", name=dataset.name)
    body = _apply_context(dataset, principal, errors={}, values=values)
    return render(request, "web/opendata/apply.html", body)


def _apply_context(dataset, principal, **extra) -> dict:
    return context(
        "search",
        f"申请使用：{dataset.title}",
        dataset=dataset,
        conditional=dataset.open_condition == dataset.OpenCondition.CONDITIONAL,
        application=application_state_for(principal=principal, dataset=dataset),
        **extra,
    )
