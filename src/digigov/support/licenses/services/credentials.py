"""Verifiable Credential 2.0 export of a license and the issuers' Bitstring Status List
credentials, both secured with a Data Integrity proof by the issuer's active license key
(see vc.py for the cryptosuites). A credential is built and signed when asked for; the
license's own signed document (issuance) stays the record.

The holder's id in a credential is `urn:digigov:holder:<kind>:<keyed pseudonym of the ID
number or USCC (HMAC-SM3 under the platform's "license-holder" key), hex>`: stable for one
holder, without printing the number and without a hash anyone could reverse by trying the
plausible ID numbers (the face data, which the holder chooses to share, may still contain
it)."""

from __future__ import annotations

import threading
from typing import Any

from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.crypto import services as crypto
from digigov.kernel.crypto.base import CryptoError
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.support.identity.selectors import entity_allows

from ..models import HolderKind, License, StatusList
from ..selectors.keys import issuer_url, public_base
from ..selectors.licenses import may_view
from ..selectors.status import status_list_get
from ..vc import (
    LICENSE_CREDENTIAL_TYPE,
    STATUS_LIST_CREDENTIAL_TYPE,
    VC_CONTEXT,
    bitstring_encode,
    proof_add,
    xsd_datetime,
)
from .issuance import issuer_signer, signer_cache_clear

PURPOSES = tuple(StatusList.Purpose.values)  # revocation, suspension


def status_list_url(issuer_code: str, purpose: str, sequence: int) -> str:
    return f"{public_base()}/api/v1/licenses/status/{issuer_code}/{purpose}/{sequence}"


def license_credential_id(address: str) -> str:
    return f"urn:digigov:license:{address}"


def holder_subject_id(holder_kind: str, holder_key: str) -> str:
    digest = crypto.pseudonym(purpose="license-holder", value=holder_key.strip().upper())
    return f"urn:digigov:holder:{holder_kind}:{digest}"


def _secure(document: dict[str, Any], issuer: Organization) -> dict[str, Any]:
    """Add the proof with the issuer's active key (its algorithm picks the cryptosuite). A
    cached key retired meanwhile (rotation on another host) is looked up again once."""
    for attempt in range(2):
        key_id, algorithm = issuer_signer(issuer)
        try:
            return proof_add(
                document,
                algorithm=algorithm,
                verification_method=f"{issuer_url(issuer.code)}#{key_id}",
                sign=lambda data, key_id=key_id: crypto.sign(key_id=key_id, data=data),
                created=timezone.now(),
            )
        except CryptoError:
            if attempt:
                raise
            signer_cache_clear(issuer.pk)
            crypto.cache_clear()
    raise AssertionError("unreachable")


def license_credential_document(license: License) -> dict[str, Any]:
    """The unsecured VC 2.0 document of a license (no proof)."""
    issuer = license.issuer
    subject: dict[str, Any] = {
        "id": holder_subject_id(license.holder_kind, license.holder_key),
        "name": license.holder_name,
    }
    subject.update({k: v for k, v in license.data.items() if k not in ("id", "type")})
    status = [
        {
            "id": f"{status_list_url(issuer.code, purpose, license.status_sequence)}"
            f"#{license.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(license.status_index),
            "statusListCredential": status_list_url(issuer.code, purpose, license.status_sequence),
        }
        for purpose in PURPOSES
    ]
    document: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "id": license_credential_id(license.address),
        "type": ["VerifiableCredential", LICENSE_CREDENTIAL_TYPE],
        "name": license.license_type.name,
        "issuer": {"id": issuer_url(issuer.code), "name": issuer.name},
        "validFrom": f"{license.valid_from.isoformat()}T00:00:00+08:00",
        "credentialSubject": subject,
        "credentialStatus": status,
        "licenseAddress": license.address,
        "licenseNumber": license.number,
        "licenseType": license.license_type.code,
    }
    if license.valid_until is not None:
        document["validUntil"] = f"{license.valid_until.isoformat()}T23:59:59+08:00"
    return document


def may_export(principal: Principal, license: License) -> bool:
    """The holder (the person, or an account that may use the entity's licenses) and the
    issuer's staff or system. Authorised third parties come through the use area."""
    if may_view(principal, license.issuer_id):
        return True
    if principal.kind not in ("citizen", "enterprise"):
        return False
    if license.holder_kind == HolderKind.PERSON:
        return bool(principal.person_id_number) and principal.person_id_number == license.holder_key
    return entity_allows(principal=principal, uscc=license.holder_key, scope="license")


def license_credential(*, principal: Principal, address: str) -> dict[str, Any]:
    """The license as a signed Verifiable Credential, for whoever may export it; the export
    is audited (it carries the holder's face data), so is a refusal."""
    license = (
        License.objects.select_related("license_type", "issuer").filter(address=address).first()
    )
    if license is None:
        raise NotFound("证照不存在", code="license_unknown")
    allowed = may_export(principal, license)
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        source_address=principal.source_address,
        action="licenses.license.credential",
        object_type="licenses.license",
        object_id=address,
        outcome="success" if allowed else "denied",
    )
    if not allowed:
        if not principal.is_authenticated:
            raise Unauthenticated()
        raise PermissionDenied("只有持证人和颁发单位可以导出该证照的可验证凭证")
    return _secure(license_credential_document(license), license.issuer)


# (list pk, version, updated at) -> signed list credential: a process signs each version once.
_list_cache: dict[tuple[int, int, str], dict[str, Any]] = {}
_list_cache_lock = threading.Lock()
_LIST_CACHE_SIZE = 256


def status_list_cache_clear() -> None:
    """Forget signed list credentials (tests: each test's database starts empty)."""
    with _list_cache_lock:
        _list_cache.clear()


def status_list_credential(*, issuer_code: str, purpose: str, sequence: int) -> dict[str, Any]:
    """The BitstringStatusListCredential of one list (public, no personal data)."""
    if purpose not in PURPOSES:
        raise NotFound("证照状态列表不存在", code="license_status_list_unknown")
    status_list = status_list_get(issuer_code=issuer_code, purpose=purpose, sequence=sequence)
    cache_key = (status_list.pk, status_list.version, status_list.updated_at.isoformat())
    cached = _list_cache.get(cache_key)
    if cached is not None:
        return cached
    url = status_list_url(issuer_code, purpose, sequence)
    document = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", STATUS_LIST_CREDENTIAL_TYPE],
        "issuer": {"id": issuer_url(issuer_code), "name": status_list.issuer.name},
        "validFrom": xsd_datetime(status_list.updated_at),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bitstring_encode(bytes(status_list.bits)),
        },
        "version": status_list.version,
    }
    secured = _secure(document, status_list.issuer)
    with _list_cache_lock:
        if len(_list_cache) >= _LIST_CACHE_SIZE:
            _list_cache.clear()
        _list_cache[cache_key] = secured
    return secured
