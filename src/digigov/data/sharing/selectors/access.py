"""Who may do what in sharing: plain predicates on the Principal, used by services and
selectors alike."""

from __future__ import annotations

from digigov.kernel.principals import Principal

REQUEST_PERMISSION = "sharing.request_data"
APPROVE_PERMISSION = "sharing.approve_request"
VIEW_PERMISSION = "sharing.view_sharingrequest"  # the data bureau's overview of the needs list
REVIEW_PERMISSION = "catalog.review_resource"
REQUEST_SCOPE = "sharing:request"
READ_SCOPE = "exchange:read"
VERIFY_SCOPE = "exchange:verify"
SYSTEM_KINDS = frozenset({"system", "operator"})


def may_request(principal: Principal) -> bool:
    """File (and withdraw) requests for the principal's own organization."""
    if not principal.organization_id:
        return False
    if principal.kind == "staff":
        return principal.has_perm(REQUEST_PERMISSION)
    if principal.kind == "machine":
        return principal.has_scope(REQUEST_SCOPE)
    return principal.kind in SYSTEM_KINDS


def may_decide_for(principal: Principal, owner_organization_id: int) -> bool:
    """Decide requests for, and revoke grants of, the resources of an organization."""
    if principal.kind in SYSTEM_KINDS:
        return True
    return (
        principal.kind == "staff"
        and principal.has_perm(APPROVE_PERMISSION)
        and principal.organization_id == owner_organization_id
    )


def may_view_needs(principal: Principal) -> bool:
    """The needs list (需求清单): the civil servants who work with sharing, and the data
    bureau's reviewers."""
    if principal.kind in SYSTEM_KINDS:
        return True
    if principal.kind == "machine":
        return principal.has_scope(REQUEST_SCOPE)
    return principal.kind == "staff" and any(
        principal.has_perm(p)
        for p in (REQUEST_PERMISSION, APPROVE_PERMISSION, VIEW_PERMISSION, REVIEW_PERMISSION)
    )
