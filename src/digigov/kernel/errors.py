"""Domain errors with stable machine codes and Chinese messages.

Services raise these; the API layer turns them into the one JSON error shape and the pages
into messages. Nothing here knows about HTTP frameworks, only the status each maps to.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = "请求无效"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        detail: Any = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        self.detail = detail
        super().__init__(self.message)


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    default_message = "提交的数据不符合要求"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = "请求的对象不存在"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    default_message = "请先登录或提供有效的凭据"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    default_message = "无权执行此操作"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = "与现有数据冲突"


class Throttled(DomainError):
    status = 429
    code = "throttled"
    default_message = "请求过于频繁，请稍后再试"
