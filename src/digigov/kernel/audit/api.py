from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from digigov.kernel.api.auth import require_scope
from digigov.kernel.errors import PermissionDenied

from . import selectors

router = Router(tags=["审计日志"])


class AuditEntryOut(Schema):
    seq: int
    occurred_at: datetime
    actor: str
    acting_for: str
    action: str
    object_type: str
    object_id: str
    source_address: str
    outcome: str
    entry_hash: str


@router.get("/entries", response=list[AuditEntryOut], summary="审计日志查询（需 audit:read）")
@paginate(LimitOffsetPagination)
def audit_entry_list(
    request,
    actor: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
):
    principal = require_scope(request, "audit:read")
    if principal.kind != "machine" and not principal.has_perm("audit.view_auditentry"):
        raise PermissionDenied("无权查看审计日志")
    return selectors.audit_entries(
        actor=actor, object_type=object_type, object_id=object_id, action=action
    )
