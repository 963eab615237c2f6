"""Status commands: suspend until a date, resume, revoke, renew (new validity) and replace
(补发/换发: new number, same data). Each flips the license's bit in its issuer's W3C Bitstring
Status List (suspension list for suspend/resume, revocation list for revoke/renew/replace)
and bumps the list's version, so verifiers that cache the list see the change.

Who may: staff of the issuing organization with `licenses.manage_license_status`, the
issuer's own system (machine client with scope `licenses:manage`), or an internal principal
of kind "system"/"operator". A refusal is audited and changes nothing; so is a transition
that does not apply (revoking a revoked license, resuming a valid one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_batch
from digigov.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from ..models import License, StatusList
from ..selectors.status import license_effective_status, suspension_lapsed
from ..vc import bit_set
from .issuance import (
    SYSTEM_KINDS,
    _audit,
    _holder_name,
    _issued,
    _license_create,
    _valid_until,
    source_for,
)

MANAGE_PERMISSION = "licenses.manage_license_status"
MANAGE_SCOPE = "licenses:manage"
REASON_MAX = 300
SWEEP_PRINCIPAL = Principal(kind="system", id="licenses_status_sweep", label="暂停到期自动恢复")


def may_manage(principal: Principal, issuer_id: int) -> bool:
    if principal.kind in SYSTEM_KINDS:
        return True
    if principal.kind == "staff":
        return principal.has_perm(MANAGE_PERMISSION) and principal.organization_id == issuer_id
    if principal.kind == "machine":
        return principal.has_scope(MANAGE_SCOPE) and principal.organization_id == issuer_id
    return False


def _allowed(principal: Principal, address: str, action: str) -> License:
    """The license, once the principal may change its status; a refusal is audited outside
    any transaction of ours, so it stays written."""
    license = License.objects.filter(address=address).only("pk", "address", "issuer_id").first()
    if license is None:
        raise NotFound("证照不存在", code="license_unknown")
    if not may_manage(principal, license.issuer_id):
        _audit(principal, f"licenses.license.{action}", license, outcome="denied")
        raise PermissionDenied("只有颁发单位的制证人员或其系统可以变更该证照的状态")
    return license


def _reason(reason: str, *, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationFailed(
            "请填写原因", code="license_reason_required", fields={"reason": ["必填"]}
        )
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            f"原因最多 {REASON_MAX} 字",
            code="license_reason_too_long",
            fields={"reason": [f"最多 {REASON_MAX} 字"]},
        )
    return reason


def _locked(address: str) -> License:
    return (
        License.objects.select_for_update(of=("self",))
        .select_related("license_type", "issuer", "replaces")
        .get(address=address)
    )


def _bit_write(license: License, purpose: str, value: bool) -> None:
    """Set or clear the license's entry in one of its issuer's lists; bump the version."""
    status_list = StatusList.objects.select_for_update().get(
        issuer_id=license.issuer_id, purpose=purpose, sequence=license.status_sequence
    )
    bits = bytearray(status_list.bits)
    bit_set(bits, license.status_index, value)
    status_list.bits = bytes(bits)
    status_list.version += 1
    status_list.save(update_fields=["bits", "version", "updated_at"])


def _changed(
    principal: Principal, license: License, action: str, topic: str, **detail: Any
) -> None:
    _audit(principal, f"licenses.license.{action}", license, detail=detail)
    event_publish(
        topic=f"licenses.license.{topic}",
        payload={
            "address": license.address,
            "license_type": license.license_type.code,
            "issuer_code": license.issuer.code,
            "holder_kind": license.holder_kind,
            "holder_key": license.holder_key,
            "status": license.status,
            **detail,
        },
    )


def _status_set(license: License, status: str, reason: str, until: dt.date | None = None):
    license.status = status
    license.suspended_until = until
    license.status_reason = reason
    license.status_changed_at = timezone.now()
    license.save(update_fields=["status", "suspended_until", "status_reason", "status_changed_at"])


def license_suspend(*, principal: Principal, address: str, until: dt.date, reason: str) -> License:
    """暂停: the license reads as suspended through `until`, then as valid again."""
    _allowed(principal, address, "suspend")
    reason = _reason(reason)
    today = timezone.localdate()
    if until is None or until < today:
        raise ValidationFailed(
            "暂停截止日期不能早于今天",
            code="license_suspend_until_past",
            fields={"until": ["不能早于今天"]},
        )
    with transaction.atomic(), audit_batch():
        license = _locked(address)
        current = license_effective_status(license, today=today)
        if current == License.Status.SUSPENDED:
            raise Conflict(
                f"该证照已暂停使用至 {license.suspended_until:%Y-%m-%d}",
                code="license_already_suspended",
            )
        if current != License.Status.VALID:
            raise Conflict("只有有效的证照可以暂停", code="license_not_valid")
        _status_set(license, License.Status.SUSPENDED, reason, until)
        _bit_write(license, StatusList.Purpose.SUSPENSION, True)
        _changed(principal, license, "suspend", "suspended", until=until.isoformat(), reason=reason)
    return license


def _resume(principal: Principal, license: License, reason: str, *, automatic: bool) -> None:
    _status_set(license, License.Status.VALID, reason)
    _bit_write(license, StatusList.Purpose.SUSPENSION, False)
    _changed(principal, license, "resume", "resumed", reason=reason, automatic=automatic)


def license_resume(*, principal: Principal, address: str, reason: str = "") -> License:
    """恢复: end a suspension before (or after) its date."""
    _allowed(principal, address, "resume")
    reason = _reason(reason, required=False)
    with transaction.atomic(), audit_batch():
        license = _locked(address)
        if license.status != License.Status.SUSPENDED:
            raise Conflict("该证照未处于暂停状态，无需恢复", code="license_not_suspended")
        _resume(principal, license, reason or "恢复使用", automatic=False)
    return license


def license_revoke(*, principal: Principal, address: str, reason: str) -> License:
    """吊销/注销: final. The revocation bit is set; a suspension bit is cleared."""
    _allowed(principal, address, "revoke")
    reason = _reason(reason)
    with transaction.atomic(), audit_batch():
        license = _locked(address)
        if license.status in (License.Status.REVOKED, License.Status.REPLACED):
            raise Conflict(
                f"该证照已{license.get_status_display()}，不能再吊销", code="license_status_final"
            )
        was_suspended = license.status == License.Status.SUSPENDED
        _status_set(license, License.Status.REVOKED, reason)
        _bit_write(license, StatusList.Purpose.REVOCATION, True)
        if was_suspended:
            _bit_write(license, StatusList.Purpose.SUSPENSION, False)
        _changed(principal, license, "revoke", "revoked", reason=reason)
    return license


def _successor(
    principal: Principal,
    old: License,
    *,
    reason: str,
    valid_from: dt.date,
    valid_until: dt.date | None,
) -> License:
    """The new license for the same holder and data; the old one REPLACED, its revocation
    bit set (and a lapsed suspension's bit cleared)."""
    new = _license_create(
        license_type=old.license_type,
        issuer=old.issuer,
        holder_kind=old.holder_kind,
        holder_key=old.holder_key,
        holder_name=_holder_name(old.holder_kind, old.holder_key),
        data=dict(old.data),
        valid_from=valid_from,
        valid_until=valid_until,
        source=source_for(principal) if principal.kind != "system" else old.source,
        source_reference=old.source_reference,
        replaces=old,
    )
    was_suspended = old.status == License.Status.SUSPENDED
    _status_set(old, License.Status.REPLACED, reason)
    _bit_write(old, StatusList.Purpose.REVOCATION, True)
    if was_suspended:
        _bit_write(old, StatusList.Purpose.SUSPENSION, False)
    _issued(principal, new)
    return new


def _replaceable(license: License) -> None:
    current = license_effective_status(license)
    if current in (License.Status.REVOKED, License.Status.REPLACED):
        raise Conflict(
            f"该证照已{license.get_status_display()}，不能换发", code="license_status_final"
        )
    if current == License.Status.SUSPENDED:
        raise Conflict(
            f"该证照暂停使用至 {license.suspended_until:%Y-%m-%d}，暂停期间不能换发",
            code="license_suspended",
        )


def license_renew(
    *, principal: Principal, address: str, valid_from: dt.date | None = None
) -> License:
    """延续/换证: a new license with a new validity (from `valid_from`, default today, for the
    type's validity years) for the same holder and data. Returns the new license."""
    _allowed(principal, address, "renew")
    valid_from = valid_from or timezone.localdate()
    with transaction.atomic(), audit_batch():
        old = _locked(address)
        _replaceable(old)
        new = _successor(
            principal,
            old,
            reason="有效期延续换证",
            valid_from=valid_from,
            valid_until=_valid_until(old.license_type, valid_from),
        )
        _changed(principal, old, "renew", "renewed", new_address=new.address)
    return new


def license_replace(*, principal: Principal, address: str, reason: str) -> License:
    """补发/换发: a new number with the same data and validity (lost or damaged license, or a
    change of layout). Returns the new license."""
    _allowed(principal, address, "replace")
    reason = _reason(reason)
    with transaction.atomic(), audit_batch():
        old = _locked(address)
        _replaceable(old)
        new = _successor(
            principal, old, reason=reason, valid_from=old.valid_from, valid_until=old.valid_until
        )
        _changed(principal, old, "replace", "replaced", new_address=new.address, reason=reason)
    return new


def license_suspensions_sweep(*, today: dt.date | None = None) -> int:
    """Resume, for real, every license whose suspension date has passed (their effective
    status already reads valid) and clear their bits. Safe to run at any time, also from
    the demo seed; one transaction."""
    today = today or timezone.localdate()
    addresses = list(
        License.objects.filter(
            status=License.Status.SUSPENDED, suspended_until__lt=today
        ).values_list("address", flat=True)
    )
    if not addresses:
        return 0
    with transaction.atomic(), audit_batch():
        resumed = 0
        for address in addresses:
            license = _locked(address)
            if suspension_lapsed(license, today=today):
                _resume(SWEEP_PRINCIPAL, license, "暂停期满自动恢复", automatic=True)
                resumed += 1
    return resumed
