"""Verification: by address, by signed envelope (offline: published keys only), the status
outcomes, forged and malformed input, the audit entry, the holder's use log, the rate limit."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import Throttled
from digigov.kernel.principals import Principal

from ..canonical import canonical_bytes
from ..models import License, LicenseUse
from ..selectors.verification import license_envelope, published_key_cache_clear
from ..services import verification as verify
from ..services.issuance import license_issue
from ..testing import SYSTEM, issuer, type_make, world_make

PUBLIC = Principal(kind="anonymous", source_address="203.0.113.7")


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()
    published_key_cache_clear()
    yield
    cache.clear()
    published_key_cache_clear()


@pytest.fixture
def world(db):
    return world_make()


def _issue(world, **overrides) -> License:
    type_make()
    values = {
        "principal": SYSTEM,
        "type_code": "TESTZ",
        "issuer_id": issuer().pk,
        "holder_kind": "person",
        "holder_key": world.people[0],
        "data": {"category": "甲", "issued_on": "2026-01-02"},
    }
    values.update(overrides)
    return license_issue(**values)


def _verify_actions() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="licenses.license.verify").order_by("seq"))


def test_address_of_a_valid_license_reads_valid_with_public_fields_only(world):
    license = _issue(world)
    result = verify.license_verify_address(principal=PUBLIC, text=license.address)
    assert result.outcome == "valid"
    assert result.issuer_name == license.issuer.name
    assert result.license_type_name == "测试证"
    assert result.holder_name_masked == license.holder_name[0] + "*" * (
        len(license.holder_name) - 1
    )
    assert result.key_id == license.key_id and result.algorithm == "sm2"
    assert result.valid_until == license.valid_until
    assert world.people[0] not in json.dumps(result.__dict__, default=str)
    use = LicenseUse.objects.get(license=license)
    assert (use.kind, use.user_label) == ("verify", "公众核验")
    entry = _verify_actions()[-1]
    assert entry.actor == "anonymous" and entry.source_address == "203.0.113.7"
    assert entry.object_id == license.address and entry.detail["result"] == "valid"


def test_the_qr_url_is_accepted_as_well_as_the_bare_address(world):
    license = _issue(world)
    url = f"https://www.gdzwfw.gov.cn/verify/l/{license.address}/"
    assert verify.license_verify_address(principal=PUBLIC, text=url).outcome == "valid"


@pytest.mark.parametrize("text", ["", "   ", "hello world", "<script>", "x" * 600, "../../etc"])
def test_malformed_address_text_is_a_result_audited_without_a_use(world, text):
    result = verify.license_verify_address(principal=PUBLIC, text=text)
    assert result.outcome == "malformed" and "无法识别" in result.message
    assert LicenseUse.objects.count() == 0
    assert _verify_actions()[-1].detail["result"] == "malformed"


def test_an_address_we_do_not_hold_is_not_found(world):
    result = verify.license_verify_address(
        principal=PUBLIC, text="440100-scjg-TESTZ-20260000000000"
    )
    assert result.outcome == "not_found"
    assert LicenseUse.objects.count() == 0


def _set(license: License, **values) -> None:
    License.objects.filter(pk=license.pk).update(**values)


def test_suspended_license_says_until_when(world):
    license = _issue(world)
    until = timezone.localdate() + dt.timedelta(days=90)
    _set(license, status="suspended", suspended_until=until)
    result = verify.license_verify_address(principal=PUBLIC, text=license.address)
    assert result.outcome == "suspended"
    assert result.suspended_until == until
    assert f"{until:%Y年%m月%d日}" in result.message and "暂停使用至" in result.message


def test_a_lapsed_suspension_reads_valid(world):
    license = _issue(world)
    _set(license, status="suspended", suspended_until=timezone.localdate() - dt.timedelta(days=1))
    assert verify.license_verify_address(principal=PUBLIC, text=license.address).outcome == "valid"


@pytest.mark.parametrize(
    ("status", "outcome", "words"),
    [("revoked", "revoked", "吊销"), ("replaced", "replaced", "换发")],
)
def test_revoked_and_replaced(world, status, outcome, words):
    license = _issue(world)
    _set(license, status=status)
    result = verify.license_verify_address(principal=PUBLIC, text=license.address)
    assert result.outcome == outcome and words in result.message


def test_expired_and_not_yet_valid(world):
    today = timezone.localdate()
    old = _issue(
        world, valid_from=today - dt.timedelta(days=400), valid_until=today - dt.timedelta(days=1)
    )
    future = _issue(world, holder_key=world.people[1], valid_from=today + dt.timedelta(days=10))
    assert verify.license_verify_address(principal=PUBLIC, text=old.address).outcome == "expired"
    assert (
        verify.license_verify_address(principal=PUBLIC, text=future.address).outcome
        == "not_yet_valid"
    )


def test_a_row_changed_in_the_database_reads_tampered(world):
    license = _issue(world)
    changed = license.signed_payload.replace('"category":"甲"', '"category":"乙"')
    assert changed != license.signed_payload
    _set(license, signed_payload=changed)
    result = verify.license_verify_address(principal=PUBLIC, text=license.address)
    assert result.outcome == "tampered"
    assert result.issuer_name == "" and result.holder_name_masked == ""


def test_the_envelope_verifies_and_its_status_comes_from_our_record(world):
    license = _issue(world)
    envelope = license_envelope(license)
    assert set(envelope) == {"document", "signature"}
    assert canonical_bytes(envelope["document"]).decode() == license.signed_payload
    result = verify.license_verify_envelope(principal=PUBLIC, envelope=envelope)
    assert result.outcome == "valid" and result.source == "envelope" and result.status_checked
    _set(license, status="revoked")
    assert verify.license_verify_envelope(principal=PUBLIC, envelope=envelope).outcome == "revoked"
    assert LicenseUse.objects.filter(license=license, kind="verify").count() == 2


def test_a_modified_envelope_reads_tampered_and_the_holder_sees_the_attempt(world):
    license = _issue(world)
    envelope = license_envelope(license)
    forged = copy.deepcopy(envelope)
    forged["document"]["data"]["category"] = "乙"
    result = verify.license_verify_envelope(principal=PUBLIC, envelope=forged)
    assert result.outcome == "tampered" and "签名不符" in result.message
    use = LicenseUse.objects.get(license=license)
    assert "内容被篡改" in use.purpose
    forged = copy.deepcopy(envelope)
    forged["document"]["validUntil"] = "2099-12-31"
    assert verify.license_verify_envelope(principal=PUBLIC, envelope=forged).outcome == "tampered"


def test_signature_check_uses_the_published_key_not_our_row(world):
    license = _issue(world)
    envelope = license_envelope(license)
    # Our row changed after issuance: the envelope's signature still verifies with the
    # published key, and the mismatch with the record is reported, not trusted.
    _set(license, signature=base64.b64encode(b"x" * 70).decode())
    result = verify.license_verify_envelope(principal=PUBLIC, envelope=envelope)
    assert result.outcome == "valid"


def test_a_document_signed_by_another_departments_key_is_an_unknown_key(world):
    license = _issue(world)
    envelope = license_envelope(license)
    other = crypto.key_active(purpose="license", owner="org:440100-gat")
    forged = copy.deepcopy(envelope)
    forged["document"]["keyId"] = other
    forged["signature"] = base64.b64encode(
        crypto.sign(key_id=other, data=canonical_bytes(forged["document"]))
    ).decode()
    result = verify.license_verify_envelope(principal=PUBLIC, envelope=forged)
    assert result.outcome == "unknown_key"


def test_unknown_key_id_and_bad_signatures(world):
    license = _issue(world)
    envelope = license_envelope(license)
    unknown = copy.deepcopy(envelope)
    unknown["document"]["keyId"] = "org:440100-scjg-license-20200101-000000"
    assert verify.license_verify_envelope(principal=PUBLIC, envelope=unknown).outcome == (
        "unknown_key"
    )
    for signature in ("not base64!!", "", 12, None, "QUJD" * 400):
        bad = {**envelope, "signature": signature}
        assert verify.license_verify_envelope(principal=PUBLIC, envelope=bad).outcome == (
            "malformed"
        )
    wrong = {**envelope, "signature": base64.b64encode(b"\x30\x02\x01\x01").decode()}
    assert verify.license_verify_envelope(principal=PUBLIC, envelope=wrong).outcome == "tampered"


@pytest.mark.parametrize(
    "envelope",
    [
        None,
        [],
        "text",
        {"document": {}},
        {"document": [], "signature": "QUJD"},
        {"document": {"type": "other"}, "signature": "QUJD"},
        {"document": {"type": "digigov.license/1", "address": 1}, "signature": "QUJD"},
    ],
)
def test_wrong_shapes_are_malformed(world, envelope):
    result = verify.license_verify_envelope(principal=PUBLIC, envelope=envelope)
    assert result.outcome == "malformed"
    assert LicenseUse.objects.count() == 0


def test_json_input_bad_json_huge_and_wrong_encoding(world):
    license = _issue(world)
    raw = json.dumps(license_envelope(license), ensure_ascii=False).encode()
    assert verify.license_verify_json(principal=PUBLIC, raw=raw).outcome == "valid"
    assert verify.license_verify_json(principal=PUBLIC, raw=b"{not json").outcome == "malformed"
    assert verify.license_verify_json(principal=PUBLIC, raw=b"\xff\xfe").outcome == "malformed"
    assert verify.license_verify_json(principal=PUBLIC, raw=b"[" * 100_000).outcome == "malformed"
    huge = b" " * (2 * 1024 * 1024) + raw
    assert "2 MB" in verify.license_verify_json(principal=PUBLIC, raw=huge).message
    assert verify.license_verify_file(principal=PUBLIC, content=b"").outcome == "malformed"
    assert verify.license_verify_file(principal=PUBLIC, content=raw).outcome == "valid"


def test_a_verified_document_we_do_not_hold_is_valid_but_status_unchecked(world):
    license = _issue(world)
    envelope = license_envelope(license)
    License.objects.filter(pk=license.pk).delete()
    result = verify.license_verify_envelope(principal=PUBLIC, envelope=envelope)
    assert result.outcome == "valid" and result.status_checked is False
    assert "无法确认" in result.message


def test_ed25519_issuer_verifies_side_by_side(world):
    crypto.key_rotate(purpose="license", owner="org:440100-scjg", algorithm="ed25519")
    license = _issue(world)
    assert license.algorithm == "ed25519"
    result = verify.license_verify_envelope(principal=PUBLIC, envelope=license_envelope(license))
    assert (result.outcome, result.algorithm) == ("valid", "ed25519")


def test_a_machine_client_is_named_in_the_use_log(world):
    from digigov.kernel.api.services import machine_client_create

    client = machine_client_create(
        actor=Principal(kind="staff", id="1"), name="某银行信贷系统", scopes=[]
    )
    bank = Principal(kind="machine", id=str(client.pk), label=client.name)
    license = _issue(world)
    verify.license_verify_address(principal=bank, text=license.address)
    use = LicenseUse.objects.get(license=license)
    assert (use.user_label, use.client_id) == ("某银行信贷系统", client.pk)


@override_settings(DIGIGOV_VERIFY_RATE_PER_MINUTE=2)
def test_rate_limit_refuses_and_changes_nothing(world):
    license = _issue(world)
    for _ in range(2):
        verify.license_verify_address(principal=PUBLIC, text=license.address)
    for _ in range(3):
        with pytest.raises(Throttled):
            verify.license_verify_address(principal=PUBLIC, text=license.address)
    assert LicenseUse.objects.filter(license=license).count() == 2
    denied = [e for e in _verify_actions() if e.outcome == "denied"]
    assert len(denied) == 1 and denied[0].detail["reason"] == "throttled"
    other = Principal(kind="anonymous", source_address="198.51.100.1")
    assert verify.license_verify_address(principal=other, text=license.address).outcome == "valid"


def _credential(license: License) -> dict:
    from ..services.credentials import license_credential

    return license_credential(principal=SYSTEM, address=license.address)


def test_a_verifiable_credential_verifies_with_its_status(world):
    license = _issue(world)
    credential = _credential(license)
    result = verify.license_verify_credential(principal=PUBLIC, credential=credential)
    assert (result.outcome, result.source, result.address) == (
        "valid",
        "credential",
        license.address,
    )
    assert result.holder_name_masked.endswith("*") and result.issuer_name == license.issuer.name
    _set(license, status="revoked")
    raw = json.dumps(credential, ensure_ascii=False).encode()
    assert verify.license_verify_json(principal=PUBLIC, raw=raw).outcome == "revoked"
    assert LicenseUse.objects.filter(license=license, kind="verify").count() == 2


def test_a_changed_credential_is_tampered(world):
    license = _issue(world)
    credential = _credential(license)
    credential["credentialSubject"]["category"] = "乙"
    result = verify.license_verify_credential(principal=PUBLIC, credential=credential)
    assert result.outcome == "tampered"


def test_a_credential_cannot_borrow_another_departments_key(world):
    from ..selectors.keys import issuer_url

    license = _issue(world)
    credential = _credential(license)
    # The proof names a key of 公安 (440100-gat) while the issuer stays 市场监管: refused
    # even though that key is published, and even if the forger re-signs with it.
    from ..vc import proof_add

    other = crypto.key_active(purpose="license", owner="org:440100-gat")
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["credentialSubject"]["category"] = "乙"
    forged = proof_add(
        unsigned,
        algorithm="sm2",
        verification_method=f"{issuer_url('440100-scjg')}#{other}",
        sign=lambda data: crypto.sign(key_id=other, data=data),
        created=timezone.now(),
    )
    result = verify.license_verify_credential(principal=PUBLIC, credential=forged)
    assert result.outcome == "unknown_key"
    for bad in ({}, {"@context": [], "credentialSubject": {}}, {"proof": "x"}):
        assert verify.license_verify_credential(principal=PUBLIC, credential=bad).outcome in (
            "malformed",
            "unknown_key",
        )
