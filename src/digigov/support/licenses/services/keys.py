"""Rotating an issuing department's license-signing key, which is also how a department
chooses Ed25519 instead of SM2. Retired keys stay published (GET /api/v1/licenses/keys), so
every license and credential signed before still verifies."""

from __future__ import annotations

from django.db import transaction

from digigov.kernel.audit.services import audit_record
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.support.identity.selectors import staff_roles

from .issuance import KEY_PURPOSE, SYSTEM_KINDS, issuer_key_owner, signer_cache_clear

ALGORITHMS = ("sm2", "ed25519")
ADMIN_ROLE = "系统管理员"
# Held by the 系统管理员 role and only present once the TOTP step is passed.
ADMIN_PERMISSION = "organizations.change_organization"


def may_rotate(principal: Principal, issuer_id: int) -> bool:
    if principal.kind in SYSTEM_KINDS:
        return True
    if principal.kind != "staff" or principal.organization_id != issuer_id:
        return False
    if not principal.has_perm(ADMIN_PERMISSION) or not principal.id.isdigit():
        return False
    return ADMIN_ROLE in staff_roles(account_id=int(principal.id))


def _audit(principal: Principal, issuer: Organization, outcome: str, detail: dict) -> None:
    audit_record(
        actor=principal.actor,
        source_address=principal.source_address,
        action="licenses.key.rotate",
        object_type="organizations.organization",
        object_id=issuer.code,
        outcome=outcome,
        detail=detail,
    )


def license_key_rotate(*, principal: Principal, issuer_id: int, algorithm: str = "sm2") -> str:
    """A new active signing key for the department (the old one is retired, not deleted);
    returns the new key id. Raises `licenses.key.rotated`."""
    issuer = Organization.objects.filter(pk=issuer_id).first()
    if issuer is None:
        raise NotFound("颁发单位不存在", code="license_issuer_unknown")
    if not may_rotate(principal, issuer.pk):
        _audit(principal, issuer, "denied", {"algorithm": algorithm})
        raise PermissionDenied("只有本单位的系统管理员或运维人员可以轮换证照签名密钥")
    if algorithm not in ALGORITHMS:
        raise ValidationFailed(
            "签名算法应为 sm2 或 ed25519",
            code="license_key_algorithm_invalid",
            fields={"algorithm": ["应为 sm2 或 ed25519"]},
        )
    owner = issuer_key_owner(issuer)
    with transaction.atomic():
        retired = [
            k.key_id for k in crypto.public_keys(purpose=KEY_PURPOSE, owner=owner) if k.is_active
        ]
        key = crypto.key_rotate(purpose=KEY_PURPOSE, owner=owner, algorithm=algorithm)
        detail = {"key_id": key.key_id, "algorithm": algorithm, "retired": retired}
        _audit(principal, issuer, "success", detail)
        event_publish(topic="licenses.key.rotated", payload={"issuer_code": issuer.code, **detail})
        transaction.on_commit(lambda: signer_cache_clear(issuer.pk))
    signer_cache_clear(issuer.pk)
    return key.key_id
