"""The CKAN Action API at /api/3/action/<name> (and /api/action/<name>, where the ckanapi
client calls): GET with query parameters or POST with a JSON body, CKAN's envelope
{"help", "success", "result"} and its error shapes and status codes. Thin: parse, call a
selector or service, shape the result as CKAN 2.10 does.

A developer key goes in the `Authorization` (or `X-CKAN-API-Key`) header; each call with a
key is counted against its daily quota. Conditional datasets' rows need a key (or a session)
whose owner holds an approved application."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from digigov.kernel.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    Throttled,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.principals import Principal, request_principal

from ..models import Theme
from ..selectors.ckan import (
    CKAN_VERSION,
    group_dict,
    organization_dict,
    package_dict,
    resource_dict,
)
from ..selectors.datasets import (
    dataset_names,
    dataset_published_get,
    dataset_rows_allowed,
    organization_by_key,
    organization_counts,
    organizations_by_ids,
    tag_names,
    theme_counts,
)
from ..selectors.datastore import datastore_of_resource, datastore_search
from ..selectors.search import FILTER_FIELDS, SearchInvalid, SearchQuery, dataset_search
from ..services.keys import developer_key_use
from ..services.usage import usage_record
from .downloads import api_key_of

log = logging.getLogger(__name__)
MAX_LIST = 1000
_CLAUSE = re.compile(r'([+]?)([a-z_]+):(?:"((?:[^"\\]|\\.)*)"|(\S+))')


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


@dataclass(frozen=True)
class Call:
    request: HttpRequest
    principal: Principal
    key_owner: str
    base_url: str
    params: dict[str, Any]


# --- parameters ----------------------------------------------------------------------------


def _invalid(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code="ckan_invalid", fields={name: [message]})


def _int(params: dict, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name, default)
    if raw in (None, ""):
        return default
    if isinstance(raw, bool):
        raise _invalid(name, "Invalid integer")
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise _invalid(name, "Invalid integer") from None
    if value < low:
        raise _invalid(name, f"Must be a natural number (>= {low})")
    if value > high:
        raise _invalid(name, f"Must be less than or equal to {high}")
    return value


def _bool(params: dict, name: str, default: bool = False) -> bool:
    raw = params.get(name, default)
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in ("true", "1", "yes", "on")


def _json_param(params: dict, name: str) -> Any:
    """A parameter that GET callers send as a JSON string (facet.field, filters, fields)."""
    raw = params.get(name)
    if isinstance(raw, str) and raw.strip()[:1] in ("[", "{", '"'):
        try:
            return json.loads(raw)
        except ValueError:
            raise _invalid(name, "Invalid JSON") from None
    return raw


def _text(params: dict, name: str, limit: int = 500) -> str:
    raw = params.get(name, "")
    if raw is None:
        return ""
    if not isinstance(raw, (str, int)):
        raise _invalid(name, "应为字符串")
    text = str(raw)
    if len(text) > limit:
        raise _invalid(name, f"至多 {limit} 个字符")
    return text


def _clauses(text: str, *, strict: bool) -> tuple[dict[str, list[str]], str]:
    """`field:value` / `field:"quoted value"` clauses (AND) and the rest as free text.
    Strict (fq): anything else is a Search Query Error."""
    filters: dict[str, list[str]] = {}
    rest: list[str] = []
    position = 0
    for match in _CLAUSE.finditer(text):
        between = text[position : match.start()]
        rest.append(between)
        position = match.end()
        name = match.group(2)
        value = match.group(3) if match.group(3) is not None else match.group(4)
        value = value.replace('\\"', '"')
        if name not in FILTER_FIELDS:
            if strict:
                raise SearchInvalid(f"不能按“{name}”筛选", fields={"fq": [f"不支持的字段：{name}"]})
            rest.append(match.group(0))
            continue
        filters.setdefault(name, []).append(value)
    rest.append(text[position:])
    leftover = " ".join(" ".join(rest).split())
    words = [w for w in leftover.split() if w.upper() != "AND"]
    if strict and words:
        raise SearchInvalid(
            f"无法解析的筛选条件：{' '.join(words)[:60]}", fields={"fq": ["应为 字段:值 形式"]}
        )
    return filters, " ".join(words)


# --- actions ----------------------------------------------------------------------------------


def site_read(call: Call):
    return True


def status_show(call: Call):
    return {
        "site_title": "开放广东",
        "site_description": "广东省公共数据开放平台（digigov）",
        "site_url": call.base_url,
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "zh_Hans_CN",
        "extensions": ["datastore", "dcat"],
    }


def package_list(call: Call):
    limit = _int(call.params, "limit", MAX_LIST, 0, MAX_LIST)
    offset = _int(call.params, "offset", 0, 0, 10_000_000)
    return dataset_names(limit=limit, offset=offset)


def package_search(call: Call):
    params = call.params
    q = _text(params, "q", 500)
    fq = _text(params, "fq", 1000)
    fq_list = _json_param(params, "fq_list") or []
    if not isinstance(fq_list, list):
        raise _invalid("fq_list", "应为列表")
    rows = _int(params, "rows", 10, 0, MAX_LIST)
    start = _int(params, "start", 0, 0, 100_000)
    facet_limit = _int(params, "facet.limit", 50, -1, 1000)
    fields = _json_param(params, "facet.field") or []
    if isinstance(fields, str):
        fields = [fields]
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise _invalid("facet.field", "应为字段名的 JSON 列表")
    if not _bool(params, "facet", True):
        fields = []
    filters: dict[str, list[str]] = {}
    for source in [fq, *[str(x) for x in fq_list]]:
        found, _ = _clauses(source, strict=True)
        for name, values in found.items():
            filters.setdefault(name, []).extend(values)
    in_q, text = _clauses(q, strict=False)
    for name, values in in_q.items():
        filters.setdefault(name, []).extend(values)
    if text.strip() in ("*:*", "*"):
        text = ""
    result = dataset_search(
        query=SearchQuery(
            text=text,
            filters=filters,
            sort=_text(params, "sort", 200),
            rows=rows,
            start=start,
            facet_fields=tuple(fields),
            facet_limit=facet_limit,
        )
    )
    return {
        "count": result.count,
        "sort": result.sort,
        "facets": {
            name: {item.name: item.count for item in items} for name, items in result.facets.items()
        },
        "search_facets": {
            name: {
                "title": name,
                "items": [
                    {"name": i.name, "display_name": i.display_name, "count": i.count}
                    for i in items
                ],
            }
            for name, items in result.facets.items()
        },
        "results": [package_dict(d, base_url=call.base_url) for d in result.datasets],
    }


def _id_param(params: dict, name: str = "id") -> str:
    value = _text(params, name, 200).strip()
    if not value:
        raise _invalid(name, "Missing value")
    return value


def package_show(call: Call):
    dataset = dataset_published_get(key=_id_param(call.params))
    usage_record(dataset_id=dataset.pk, api_calls=1)
    return package_dict(dataset, base_url=call.base_url)


def resource_show(call: Call):
    key = _id_param(call.params)
    resource, _ = datastore_of_resource(resource_id=key)
    if resource.dataset.state != "published":
        raise NotFound("数据资源不存在", code="resource_unknown")
    return resource_dict(resource, dataset=resource.dataset, base_url=call.base_url)


def organization_list(call: Call):
    params = call.params
    limit = _int(params, "limit", MAX_LIST, 0, MAX_LIST)
    offset = _int(params, "offset", 0, 0, 100_000)
    rows = organization_counts()
    sort = _text(params, "sort", 40) or "name asc"
    if sort.startswith("package_count"):
        rows = sorted(rows, key=lambda r: (-r.count, r.code))
    elif sort in ("name asc", "name", "title asc", "title"):
        rows = sorted(rows, key=lambda r: r.code)
    else:
        raise _invalid("sort", "不支持的排序")
    rows = rows[offset : offset + limit]
    if not _bool(params, "all_fields"):
        return [r.code for r in rows]
    by_pk = organizations_by_ids(ids=[r.id for r in rows])
    return [organization_dict(by_pk[r.id], package_count=r.count) for r in rows]


def _organization_packages(code: str, call: Call, *, group: bool = False) -> tuple[int, list]:
    key = "groups" if group else "organization"
    result = dataset_search(
        query=SearchQuery(
            filters={key: [code]}, rows=10 if _bool(call.params, "include_datasets") else 0
        )
    )
    return result.count, [package_dict(d, base_url=call.base_url) for d in result.datasets]


def organization_show(call: Call):
    organization = organization_by_key(key=_id_param(call.params))
    if organization is None:
        raise NotFound("组织不存在", code="organization_unknown")
    count, packages = _organization_packages(organization.code, call)
    out = organization_dict(organization, package_count=count)
    if _bool(call.params, "include_datasets"):
        out["packages"] = packages
    return out


def group_list(call: Call):
    rows = theme_counts()
    if not _bool(call.params, "all_fields"):
        return [r.name for r in rows]
    return [group_dict(r.name, package_count=r.count) for r in rows]


def group_show(call: Call):
    key = _id_param(call.params)
    if key not in Theme.values:
        raise NotFound("主题不存在", code="group_unknown")
    count, packages = _organization_packages(key, call, group=True)
    out = group_dict(key, package_count=count)
    if _bool(call.params, "include_datasets"):
        out["packages"] = packages
    return out


def tag_list(call: Call):
    query = _text(call.params, "query", 60)
    if _bool(call.params, "all_fields"):
        return [
            {"name": t, "display_name": t, "vocabulary_id": None} for t in tag_names(query=query)
        ]
    return tag_names(query=query)


def datastore_search_action(call: Call):
    params = call.params
    resource_id = _id_param(params, "resource_id")
    resource, table = datastore_of_resource(resource_id=resource_id)
    dataset = resource.dataset
    if dataset.state != "published":
        raise NotFound("数据资源不存在", code="resource_unknown")
    if not dataset_rows_allowed(
        principal=call.principal, dataset=dataset, key_owner=call.key_owner
    ):
        raise PermissionDenied(
            "该数据集有条件开放：请在请求头 Authorization 中提供已获批准申请的开发者密钥",
            code="opendata/application_required",
        )
    filters = _json_param(params, "filters")
    q = _json_param(params, "q")
    fields = _json_param(params, "fields")
    result = datastore_search(
        resource_id=resource_id,
        table=table,
        filters=filters,
        q=q,
        limit=params.get("limit", 100),
        offset=params.get("offset", 0),
        sort=params.get("sort"),
        fields=fields,
        include_total=_bool(params, "include_total", True),
    )
    usage_record(dataset_id=dataset.pk, api_calls=1)
    link = "/api/3/action/datastore_search"
    keep = {"resource_id": resource_id}
    out = {
        "include_total": result.total is not None,
        "resource_id": resource_id,
        "fields": result.fields,
        "records_format": "objects",
        "records": result.records,
        "limit": result.limit,
        "offset": result.offset,
        "_links": {
            "start": f"{link}?{urlencode(keep)}",
            "next": f"{link}?{urlencode({**keep, 'offset': result.offset + result.limit})}",
        },
    }
    if result.total is not None:
        out["total"] = result.total
        out["total_was_estimated"] = False
    if result.sort:
        out["sort"] = result.sort
    if result.filters:
        out["filters"] = result.filters
    if result.q:
        out["q"] = result.q
    return out


def help_show(call: Call):
    name = _id_param(call.params, "name")
    handler = ACTIONS.get(name)
    if handler is None:
        raise NotFound("接口不存在", code="action_unknown")
    return (handler.__doc__ or name).strip()


ACTIONS: dict[str, Callable[[Call], Any]] = {
    "site_read": site_read,
    "status_show": status_show,
    "package_list": package_list,
    "package_search": package_search,
    "package_show": package_show,
    "resource_show": resource_show,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "group_list": group_list,
    "group_show": group_show,
    "tag_list": tag_list,
    "datastore_search": datastore_search_action,
    "help_show": help_show,
}

# --- envelope ---------------------------------------------------------------------------------


def help_url(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(f"/api/3/action/help_show?{urlencode({'name': name})}")


def ckan_error(request: HttpRequest, name: str, status: int, kind: str, message: str, fields=None):
    error = {"__type": kind, "message": message}
    for field, messages in (fields or {}).items():
        error[field] = messages
    return JsonResponse(
        {"help": help_url(request, name), "success": False, "error": error},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _params(request: HttpRequest) -> dict[str, Any]:
    params: dict[str, Any] = {k: request.GET.get(k) for k in request.GET}
    if request.method == "POST" and request.body:
        content_type = request.headers.get("Content-Type", "")
        if "form" in content_type:
            params.update({k: request.POST.get(k) for k in request.POST})
        else:
            try:
                body = json.loads(request.body)
            except ValueError:
                raise BadRequest("Bad request - JSON Error: 请求体不是有效的 JSON") from None
            if not isinstance(body, dict):
                raise BadRequest("Bad request - JSON Error: 请求体应为 JSON 对象")
            params.update(body)
    return params


@csrf_exempt
def action(request: HttpRequest, name: str):
    if request.method not in ("GET", "POST"):
        return ckan_error(request, name, 405, "Bad Request", "只支持 GET 和 POST")
    handler = ACTIONS.get(name)
    if handler is None:
        return ckan_error(
            request, name, 400, "Bad Request", f"Bad request - Action name not known: {name[:60]}"
        )
    try:
        params = _params(request)
        principal = request_principal(request)
        owner = ""
        secret = api_key_of(request)
        if secret:
            owner = developer_key_use(secret=secret).owner
        result = handler(
            Call(request, principal, owner, request.build_absolute_uri("/").rstrip("/"), params)
        )
    except NotFound as error:
        return ckan_error(request, name, 404, "Not Found Error", f"Not found: {error.message}")
    except SearchInvalid as error:
        return ckan_error(
            request, name, 400, "Search Query Error", f"Search Query is invalid: {error.message}"
        )
    except ValidationFailed as error:
        return ckan_error(request, name, 409, "Validation Error", error.message, error.fields)
    except (PermissionDenied, Unauthenticated) as error:
        return ckan_error(
            request, name, 403, "Authorization Error", f"Access denied: {error.message}"
        )
    except Throttled as error:
        return ckan_error(request, name, 429, "Rate Limit Error", error.message)
    except BadRequest as error:
        return ckan_error(request, name, 400, "Bad Request", error.message)
    except DomainError as error:
        return ckan_error(
            request, name, error.status, "Validation Error", error.message, error.fields
        )
    except Exception:
        log.exception("CKAN action %s failed", name)
        return ckan_error(request, name, 500, "Internal Server Error", "服务器内部错误")
    return JsonResponse(
        {"help": help_url(request, name), "success": True, "result": result},
        json_dumps_params={"ensure_ascii": False},
        safe=False,
    )


def not_found(request: HttpRequest):
    """CKAN's 404 for unknown paths under the CKAN API."""
    return ckan_error(request, "", 404, "Not Found Error", "Not found: 接口不存在")
