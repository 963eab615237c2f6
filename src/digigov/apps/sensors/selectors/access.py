"""Who may do what with sensors: plain predicates on the Principal, used by services and
selectors alike."""

from __future__ import annotations

from digigov.kernel.principals import Principal

VIEW_PERMISSION = "sensors.view_device"
MANAGE_DEVICES_PERMISSION = "sensors.manage_devices"
MANAGE_RULES_PERMISSION = "sensors.manage_rules"
HANDLE_ALERT_PERMISSION = "sensors.handle_alert"
VIEW_INGEST_PERMISSION = "sensors.view_ingest"
READ_SCOPE = "sensors:read"
WRITE_SCOPE = "sensors:write"
SYSTEM_KINDS = frozenset({"system", "operator"})
ALL_PERMISSIONS = frozenset(
    {
        VIEW_PERMISSION,
        MANAGE_DEVICES_PERMISSION,
        MANAGE_RULES_PERMISSION,
        HANDLE_ALERT_PERMISSION,
        VIEW_INGEST_PERMISSION,
    }
)


def may_view(principal: Principal) -> bool:
    """Devices, readings and alerts: anyone holding a sensors permission, and machine
    clients with the read scope."""
    if principal.kind in SYSTEM_KINDS:
        return True
    if principal.kind == "machine":
        return principal.has_scope(READ_SCOPE)
    return principal.kind == "staff" and any(principal.has_perm(p) for p in ALL_PERMISSIONS)


def _may(principal: Principal, permission: str) -> bool:
    if principal.kind in SYSTEM_KINDS:
        return True
    if principal.kind == "machine":
        return principal.has_scope(WRITE_SCOPE)
    return principal.kind == "staff" and principal.has_perm(permission)


def may_manage_devices(principal: Principal) -> bool:
    return _may(principal, MANAGE_DEVICES_PERMISSION)


def may_manage_rules(principal: Principal) -> bool:
    return _may(principal, MANAGE_RULES_PERMISSION)


def may_handle_alerts(principal: Principal) -> bool:
    return _may(principal, HANDLE_ALERT_PERMISSION)


def may_view_ingest(principal: Principal) -> bool:
    if principal.kind in SYSTEM_KINDS:
        return True
    return principal.kind == "staff" and (
        principal.has_perm(VIEW_INGEST_PERMISSION) or principal.has_perm(MANAGE_DEVICES_PERMISSION)
    )
