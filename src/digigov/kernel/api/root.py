"""The one NinjaAPI for /api/v1 and its single JSON error shape:

{"error": {"code": "<stable machine code>", "message": "<中文说明>", "fields": {...}}}
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from digigov.kernel.errors import DomainError

from .auth import default_auth

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="digigov 数字政府平台 API",
    version="1.0.0",
    description='广东数字政府 2.0 开放平台接口。错误统一为 {"error": {"code", "message", "fields"}}。',
    auth=default_auth,
    urls_namespace="api-v1",
    docs_url="/docs",
)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(
        request, error_body(exc.code, exc.message, exc.fields), status=exc.status
    )


# Pydantic's error types in Chinese (user-facing text); others keep pydantic's message.
_FIELD_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为字符串",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）",
    "uuid_parsing": "应为 UUID",
    "enum": "取值应为 {expected} 之一",
    "literal_error": "取值应为 {expected} 之一",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
    "too_short": "至少 {min_length} 项",
    "too_long": "至多 {max_length} 项",
    "extra_forbidden": "不允许的字段",
}


def _field_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "value_error":  # raised by our own validators, already in Chinese
        return str(error.get("msg", "无效")).removeprefix("Value error, ")
    template = _FIELD_MESSAGES.get(kind)
    if template is None:
        return str(error.get("msg", "无效"))
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", [])[1:]) or "body"
        fields.setdefault(location, []).append(_field_message(error))
    return api.create_response(
        request, error_body("validation_failed", "提交的数据不符合要求", fields), status=422
    )


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, error_body("unauthenticated", "请先登录或提供有效的凭据"), status=401
    )


@api.exception_handler(AuthorizationError)
def _authorization_error(request: HttpRequest, exc: AuthorizationError):
    return api.create_response(request, error_body("forbidden", "无权执行此操作"), status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, error_body("not_found", "请求的对象不存在"), status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(
        request, error_body(f"http_{exc.status_code}", str(exc)), status=exc.status_code
    )


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception):
    if settings.DEBUG:
        raise exc
    log.exception("unhandled API error")
    return api.create_response(
        request, error_body("internal_error", "服务器内部错误，请稍后再试"), status=500
    )
