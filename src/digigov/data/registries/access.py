"""Who may read, see in full, or import registry records. One place, used by selectors and
services alike, so the API, the pages and the command line apply the same rules."""

from __future__ import annotations

from dataclasses import dataclass

from digigov.kernel.principals import Principal

PERSON = "person"
ENTITY = "entity"

SCOPE_READ = "registry:read"
SCOPE_PII = "registry:pii"
SCOPE_WRITE = "registry:write"


@dataclass(frozen=True)
class Access:
    allowed: bool
    full: bool = False  # sees phone, address and ID numbers unmasked
    reason: str = ""


def _denied(reason: str) -> Access:
    return Access(allowed=False, reason=reason)


def record_access(principal: Principal, *, kind: str, record_key: str) -> Access:
    """May this principal read the one record named by record_key, and in full?"""
    if principal.kind == "machine":
        if not principal.has_scope(SCOPE_READ):
            return _denied(f"客户端缺少授权范围：{SCOPE_READ}")
        return Access(allowed=True, full=principal.has_scope(SCOPE_PII))
    if principal.kind == "staff":
        if not principal.has_perm(f"registries.view_{kind}"):
            return _denied("无权查询基础库")
        return Access(allowed=True, full=principal.has_perm(f"registries.view_{kind}_pii"))
    if kind == PERSON and principal.is_authenticated and principal.person_id_number:
        # A person may read their own record in full (个人信息查阅权), nobody else's.
        if principal.person_id_number == record_key:
            return Access(allowed=True, full=True)
        return _denied("只能查询本人的信息")
    return _denied("无权查询基础库")


def list_access(principal: Principal, *, kind: str) -> Access:
    """Lists and exports of many records: staff and machine clients only. Lists are always
    masked; an export is in full only for callers entitled to full records."""
    access = record_access(principal, kind=kind, record_key="")
    if principal.kind not in ("machine", "staff"):
        return _denied("无权查询基础库名单")
    return access


def may_import(principal: Principal, *, kind: str) -> bool:
    if principal.kind == "machine":
        return principal.has_scope(SCOPE_WRITE)
    if principal.kind == "staff":
        return principal.has_perm(f"registries.add_{kind}")
    return False
