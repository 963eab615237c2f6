"""Audit of every login, failed login, lockout and logout, from Django's and django-axes'
signals (they fire for every way in: our login page, the admin, the OIDC logout)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from digigov.kernel.audit.services import audit_record

from .constants import LOGIN_ACTION


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def _actor(user) -> str:
    return f"{getattr(user, 'kind', 'user')}:{user.pk}"


def on_logged_in(sender, request, user, **kwargs) -> None:
    audit_record(
        actor=_actor(user),
        action=LOGIN_ACTION,
        object_type="Account",
        object_id=str(user.pk),
        source_address=_address(request),
        detail={"second_factor": bool(getattr(request, "identity_second_factor", False))},
    )


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username", ""))[:150]
    audit_record(
        actor="anonymous",
        action=LOGIN_ACTION,
        object_type="Account",
        object_id=username,
        outcome="failure",
        source_address=_address(request),
        detail={
            "username": username,
            "locked": bool(getattr(request, "axes_locked_out", False)),
        },
    )


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # logout of an anonymous session: nothing to record
        return
    audit_record(
        actor=_actor(user),
        action="identity.logout",
        object_type="Account",
        object_id=str(user.pk),
        source_address=_address(request),
    )


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    audit_record(
        actor="anonymous",
        action="identity.lockout",
        object_type="Account",
        object_id=str(username or "")[:150],
        outcome="denied",
        source_address=ip_address or _address(request),
        detail={"username": str(username or "")[:150]},
    )


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="identity.audit.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="identity.audit.login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="identity.audit.logout")
    user_locked_out.connect(on_locked_out, dispatch_uid="identity.audit.lockout")
