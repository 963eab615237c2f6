"""The published license-signing keys of every issuing department (active and retired):
what an offline verifier needs. Public data, no personal data."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import NotFound
from digigov.kernel.organizations.models import Organization

from ..vc import VerificationKey, ed25519_multikey

KEY_PURPOSE = "license"
OWNER_PREFIX = "org:"


def public_base() -> str:
    return settings.DIGIGOV_PUBLIC_URL.rstrip("/")


def issuer_url(issuer_code: str) -> str:
    """The issuer's id in credentials (it resolves to GET /api/v1/licenses/issuers/<code>)."""
    return f"{public_base()}/api/v1/licenses/issuers/{issuer_code}"


@dataclass(frozen=True)
class LicenseKeyView:
    key_id: str
    algorithm: str
    issuer_code: str
    issuer_name: str
    public_key_der: str  # base64 of the SubjectPublicKeyInfo DER
    public_key_multibase: str  # W3C Multikey, Ed25519 only ("" for SM2)
    verification_method: str  # <issuer id>#<key id>
    is_active: bool
    created_at: dt.datetime | None
    retired_at: dt.datetime | None


def license_keys(*, issuer_code: str = "") -> list[LicenseKeyView]:
    """Every department's license keys (or one department's), oldest first. Two queries."""
    owner = f"{OWNER_PREFIX}{issuer_code}" if issuer_code else None
    keys = [
        k
        for k in crypto.public_keys(purpose=KEY_PURPOSE, owner=owner)
        if k.owner.startswith(OWNER_PREFIX)
    ]
    codes = {k.owner.removeprefix(OWNER_PREFIX) for k in keys}
    names = dict(Organization.objects.filter(code__in=codes).values_list("code", "name"))
    views = []
    for k in keys:
        code = k.owner.removeprefix(OWNER_PREFIX)
        views.append(
            LicenseKeyView(
                key_id=k.key_id,
                algorithm=k.algorithm,
                issuer_code=code,
                issuer_name=names.get(code, ""),
                public_key_der=base64.b64encode(k.public_der).decode(),
                public_key_multibase=ed25519_multikey(k.public_der)
                if k.algorithm == "ed25519"
                else "",
                verification_method=f"{issuer_url(code)}#{k.key_id}",
                is_active=k.is_active,
                created_at=k.created_at,
                retired_at=k.retired_at,
            )
        )
    return views


def verification_keys() -> dict[str, VerificationKey]:
    """{key id: key} for vc.credential_verify (the same keys the keys endpoint publishes)."""
    return {
        k.key_id: VerificationKey(
            k.key_id, k.algorithm, k.public_der, k.owner.removeprefix(OWNER_PREFIX)
        )
        for k in crypto.public_keys(purpose=KEY_PURPOSE)
        if k.owner.startswith(OWNER_PREFIX)
    }


@dataclass(frozen=True)
class IssuerView:
    id: str
    code: str
    name: str
    keys: list[LicenseKeyView]


def issuer_get(*, code: str) -> IssuerView:
    """An issuing department as credentials name it: its id, name and keys."""
    organization = Organization.objects.filter(code=code).values_list("name", flat=True).first()
    if organization is None:
        raise NotFound("颁发单位不存在", code="license_issuer_unknown")
    return IssuerView(
        id=issuer_url(code), code=code, name=organization, keys=license_keys(issuer_code=code)
    )
