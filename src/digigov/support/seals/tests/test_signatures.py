"""Personal e-signatures: step-up (password again, throttled), the SM2 key bound to the
account, signing the RFC 8785 canonical JSON, verification, revocation."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
import rfc8785
from django.utils import timezone

from digigov.data.registries.services import demo_person_id_numbers, registry_demo_generate
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.crypto import services as crypto
from digigov.kernel.crypto.models import CryptoKey
from digigov.kernel.errors import Conflict, PermissionDenied, Throttled, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.kernel.principals import ANONYMOUS, Principal
from digigov.support.identity.testing import PASSWORD, citizen_make, principal_of, staff_make

from ..models import PersonalSignature, SignatureKey
from ..selectors.signatures import (
    signature_key_for,
    signature_payload_verify,
    signature_verify,
    signatures_for,
)
from ..services import signatures as services

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "item": "食品经营许可",
    "number": "GD-2025-0001",
    "form": {"面积": 120.5, "名称": "小店"},
}


@pytest.fixture
def citizen(db):
    registry_demo_generate(people=3, entities=0)
    account = citizen_make("signer01", demo_person_id_numbers(count=3)[0])
    return principal_of(account)


def _now():
    return timezone.now()


def _key(principal):
    return services.signature_key_create(principal=principal, step_up_at=_now())


def test_step_up_checks_the_password_and_throttles(citizen):
    at = services.signature_step_up(principal=citizen, password=PASSWORD)
    assert services.step_up_is_recent(at)

    for _ in range(services.STEP_UP_FAILURES):
        with pytest.raises(PermissionDenied) as error:
            services.signature_step_up(principal=citizen, password="wrong")
        assert error.value.code == "seals/step_up_failed"
    with pytest.raises(Throttled):
        services.signature_step_up(principal=citizen, password=PASSWORD)  # even the right one
    denied = AuditEntry.objects.filter(action="seals.signature.step_up", outcome="denied")
    assert denied.count() == services.STEP_UP_FAILURES + 1


def test_step_up_is_recent_for_five_minutes_only():
    now = timezone.now()
    assert services.step_up_is_recent(now - dt.timedelta(seconds=299), now=now)
    assert not services.step_up_is_recent(now - dt.timedelta(seconds=301), now=now)
    assert not services.step_up_is_recent(now + dt.timedelta(seconds=5), now=now)
    assert not services.step_up_is_recent(None)


def test_key_needs_step_up_then_is_an_sm2_key_bound_to_the_account(citizen):
    with pytest.raises(PermissionDenied) as error:
        services.signature_key_create(principal=citizen, step_up_at=None)
    assert error.value.code == "seals/step_up_required"
    with pytest.raises(PermissionDenied):
        services.signature_key_create(
            principal=citizen, step_up_at=_now() - dt.timedelta(minutes=6)
        )
    assert not SignatureKey.objects.exists()

    key = _key(citizen)

    crypto_key = CryptoKey.objects.get(key_id=key.key_id)
    assert (crypto_key.algorithm, crypto_key.purpose, crypto_key.owner) == (
        "sm2",
        "personal-signature",
        f"account:{citizen.id}",
    )
    assert key.id_number_sm3 == crypto.digest(citizen.person_id_number.encode()).hex()
    assert citizen.person_id_number not in json.dumps(
        {f.name: str(getattr(key, f.name)) for f in key._meta.fields}
    )
    assert Event.objects.filter(topic="seals.signature_key.created").count() == 1
    with pytest.raises(Conflict):
        _key(citizen)


@pytest.mark.parametrize("kind", ["anonymous", "l1", "staff", "enterprise"])
def test_only_real_name_citizens_get_a_key(db, kind):
    registry_demo_generate(people=3, entities=0)
    people = demo_person_id_numbers(count=3)
    principal = {
        "anonymous": lambda: ANONYMOUS,
        "l1": lambda: principal_of(citizen_make("lone01")),
        "staff": lambda: principal_of(
            staff_make("staff01", organization_code="440100-scjg", roles=["印章管理员"])
        ),
        "enterprise": lambda: principal_of(citizen_make("ent01", people[1], kind="enterprise")),
    }[kind]()

    with pytest.raises((PermissionDenied, services.Unauthenticated)):
        services.signature_key_create(principal=principal, step_up_at=_now())

    assert not SignatureKey.objects.exists()


def test_sign_canonical_json_and_verify(citizen):
    _key(citizen)

    signature = services.signature_create(
        principal=citizen,
        object_ref="services.application:GD-2025-0001",
        document=DOCUMENT,
        step_up_at=_now(),
        title="签署申请表",
    )

    envelope = json.loads(signature.signed_payload)
    assert envelope["document"] == DOCUMENT
    assert envelope["objectRef"] == "services.application:GD-2025-0001"
    assert envelope["signer"]["keyId"] == signature.key.key_id
    # what is stored is exactly the RFC 8785 form, and the signature covers it
    assert rfc8785.dumps(envelope).decode() == signature.signed_payload
    assert crypto.verify(
        key_id=signature.key.key_id,
        data=signature.signed_payload.encode(),
        signature=base64.b64decode(signature.signature),
    )
    check = signature_verify(principal=citizen, signature_id=signature.pk)
    assert check.is_valid, check.problems
    assert check.document == DOCUMENT
    assert Event.objects.filter(topic="seals.signature.created").count() == 1
    assert [row.id for row in signatures_for(principal=citizen)] == [signature.pk]
    assert signatures_for(principal=citizen, object_ref="services.application:other") == []
    # offline: with the published public key only
    published = crypto.public_keys(purpose="personal-signature", owner=f"account:{citizen.id}")[0]
    assert signature_payload_verify(
        payload=signature.signed_payload,
        signature_b64=signature.signature,
        algorithm=published.algorithm,
        public_der=published.public_der,
    )
    assert not signature_payload_verify(
        payload=signature.signed_payload.replace("小店", "大店"),
        signature_b64=signature.signature,
        algorithm=published.algorithm,
        public_der=published.public_der,
    )


def test_a_changed_stored_payload_fails_verification(citizen):
    _key(citizen)
    signature = services.signature_create(
        principal=citizen, object_ref="test.doc:1", document=DOCUMENT, step_up_at=_now()
    )
    PersonalSignature.objects.filter(pk=signature.pk).update(
        signed_payload=signature.signed_payload.replace("120.5", "12.5")
    )

    check = signature_verify(principal=citizen, signature_id=signature.pk)

    assert not check.is_valid
    assert "签名值与签署内容不符（内容可能被篡改）" in check.problems


def test_signing_needs_step_up_key_and_valid_input_and_happens_once(citizen):
    with pytest.raises(Conflict):  # no key yet
        services.signature_create(
            principal=citizen, object_ref="test.doc:1", document=DOCUMENT, step_up_at=_now()
        )
    _key(citizen)
    with pytest.raises(PermissionDenied):
        services.signature_create(
            principal=citizen, object_ref="test.doc:1", document=DOCUMENT, step_up_at=None
        )
    for bad_ref in ("", "no-colon", "x:" + "9" * 100, "BAD:1"):
        with pytest.raises(ValidationFailed):
            services.signature_create(
                principal=citizen, object_ref=bad_ref, document=DOCUMENT, step_up_at=_now()
            )
    with pytest.raises(ValidationFailed):
        services.signature_create(
            principal=citizen, object_ref="test.doc:1", document=["list"], step_up_at=_now()
        )
    with pytest.raises(ValidationFailed):
        services.signature_create(
            principal=citizen, object_ref="test.doc:1", document={"n": 2**60}, step_up_at=_now()
        )
    assert not PersonalSignature.objects.exists()
    services.signature_create(
        principal=citizen, object_ref="test.doc:1", document=DOCUMENT, step_up_at=_now()
    )
    with pytest.raises(Conflict):
        services.signature_create(
            principal=citizen, object_ref="test.doc:1", document=DOCUMENT, step_up_at=_now()
        )
    assert PersonalSignature.objects.count() == 1


def test_revoked_key_signs_no_more_but_earlier_signatures_stay_valid(citizen):
    _key(citizen)
    earlier = services.signature_create(
        principal=citizen, object_ref="test.doc:1", document=DOCUMENT, step_up_at=_now()
    )

    services.signature_key_revoke(principal=citizen, reason="手机丢失")

    assert signature_key_for(principal=citizen).revoked_at is not None
    with pytest.raises(Conflict):
        services.signature_create(
            principal=citizen, object_ref="test.doc:2", document=DOCUMENT, step_up_at=_now()
        )
    assert signature_verify(principal=citizen, signature_id=earlier.pk).is_valid
    new_key = _key(citizen)  # a new key may be made after revocation
    assert signature_key_for(principal=citizen).key_id == new_key.key_id


def test_someone_elses_signature_is_not_found(citizen):
    _key(citizen)
    signature = services.signature_create(
        principal=citizen, object_ref="test.doc:1", document=DOCUMENT, step_up_at=_now()
    )
    other = principal_of(citizen_make("other01", demo_person_id_numbers(count=3)[1]))
    with pytest.raises(services.DomainError):
        signature_verify(principal=other, signature_id=signature.pk)
    with pytest.raises(PermissionDenied):
        signature_verify(principal=Principal(kind="staff", id="1"), signature_id=signature.pk)
