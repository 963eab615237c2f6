"""Denial and caller helpers shared by the services of 开放广东."""

from __future__ import annotations

from typing import Any

from digigov.kernel.audit.services import audit_as
from digigov.kernel.errors import PermissionDenied, Unauthenticated
from digigov.kernel.principals import Principal


def deny(
    principal: Principal, *, action: str, object_type: str, object_id: Any, message: str, code: str
) -> PermissionDenied | Unauthenticated:
    """Audit a refusal (callers check before their transaction, so the entry survives) and
    return the error to raise; anonymous callers are asked to sign in."""
    if not principal.is_authenticated:
        return Unauthenticated("请先登录")
    audit_as(
        principal,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome="denied",
        detail={"reason": code},
    )
    return PermissionDenied(message, code=code)


def require_person(principal: Principal) -> None:
    """A signed-in person (citizen, enterprise user, civil servant)."""
    if not principal.is_authenticated:
        raise Unauthenticated("请先登录")
    if principal.kind not in ("citizen", "enterprise", "staff", "operator", "system"):
        raise PermissionDenied("请以个人或企业账号登录后操作", code="person_required")
