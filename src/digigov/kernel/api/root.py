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


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", [])[1:]) or "body"
        fields.setdefault(location, []).append(error.get("msg", "无效"))
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
