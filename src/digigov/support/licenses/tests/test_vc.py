"""Verifiable Credentials 2.0 and Bitstring Status Lists: the W3C test vector, SM2 and
Ed25519 proofs checked offline with the published keys, tampering, status list credentials
(bits, ETag), and who may export a credential."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from digigov.kernel.audit.models import AuditEntry
from digigov.support.identity import testing as identity_testing

from ..selectors.keys import verification_keys
from ..services import status
from ..services.credentials import license_credential, status_list_credential
from ..services.issuance import license_issue
from ..services.keys import license_key_rotate
from ..testing import SYSTEM, issuer, type_make, world_make
from ..vc import (
    VerificationKey,
    base58btc_decode,
    base58btc_encode,
    bitstring_decode,
    bitstring_encode,
    credential_status,
    credential_verify,
    ed25519_multikey,
    multibase_base58btc_decode,
    proof_add,
    status_bit,
)

# The W3C vc-di-eddsa test vector for eddsa-jcs-2022 (TestVectors/eddsa-jcs-2022).
W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_PRIVATE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/ns/credentials/examples/v2",
]
W3C_UNSIGNED = {
    "@context": W3C_CONTEXT,
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
W3C_PROOF_VALUE = (
    "z63t83Y53KfzJ5ZosfKTnqfMcKB2dmTrfjSaQjeNNjAD5srBowQfmWqeRb8rRjmeEuCBEsddF9LsVogtuTsijJKh4"
)
W3C_METHOD = f"https://vc.example/issuers/5678#{W3C_PUBLIC}"


def _w3c_key() -> VerificationKey:
    raw = multibase_base58btc_decode(W3C_PUBLIC)[2:]
    return VerificationKey(W3C_PUBLIC, "ed25519", bytes.fromhex("302a300506032b6570032100") + raw)


def test_eddsa_jcs_2022_reproduces_the_w3c_test_vector():
    private = Ed25519PrivateKey.from_private_bytes(multibase_base58btc_decode(W3C_PRIVATE)[2:])
    secured = proof_add(
        W3C_UNSIGNED,
        algorithm="ed25519",
        verification_method=W3C_METHOD,
        sign=private.sign,
        created=dt.datetime(2023, 2, 24, 23, 36, 38, tzinfo=dt.UTC),
    )
    assert secured["proof"]["proofValue"] == W3C_PROOF_VALUE
    assert secured["proof"]["@context"] == W3C_CONTEXT
    assert ed25519_multikey(_w3c_key().public_der) == W3C_PUBLIC
    check = credential_verify(secured, keys=[_w3c_key()])
    assert (check.is_valid, check.cryptosuite) == (True, "eddsa-jcs-2022")
    tampered = copy.deepcopy(secured)
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    assert credential_verify(tampered, keys=[_w3c_key()]).code == "signature_invalid"


def test_base58btc_round_trip_keeps_leading_zeros():
    for data in (b"", b"\0\0\x01", bytes(range(40)), b"\xff" * 33):
        assert base58btc_decode(base58btc_encode(data)) == data
    with pytest.raises(ValueError):
        base58btc_decode("0OIl")


def test_bitstring_encoding_follows_the_spec():
    bits = bytearray(16 * 1024)
    bits[0] = 0b1000_0000  # index 0 is the left-most bit of the first byte
    bits[1] = 0b0000_0001  # index 15
    encoded = bitstring_encode(bytes(bits))
    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded
    assert bitstring_decode(encoded) == bytes(bits)
    assert status_bit(encoded, 0) and status_bit(encoded, 15)
    assert not status_bit(encoded, 1) and not status_bit(encoded, 131_071)
    with pytest.raises(ValueError):
        status_bit(encoded, 131_072)
    with pytest.raises(ValueError):
        status_bit("zNotMultibaseBase64", 0)


def test_malformed_credentials_are_results_not_crashes():
    keys = [_w3c_key()]
    for value in ("not json", "[]", {}, {"proof": "x"}, {"issuer": 1, "proof": {}}):
        check = credential_verify(value, keys=keys)
        assert not check.is_valid and check.code in {"malformed", "cryptosuite_unsupported"}


@pytest.fixture
def world(db, settings):
    settings.DIGIGOV_PUBLIC_URL = "https://gd.example.gov.cn"
    return world_make()


def _issue(world, holder=0):
    type_make()
    return license_issue(
        principal=SYSTEM,
        type_code="TESTZ",
        issuer_id=issuer().pk,
        holder_kind="person",
        holder_key=world.people[holder],
        data={"category": "甲", "issued_on": "2026-01-02"},
    )


def test_sm2_credential_verifies_offline_and_a_tampered_copy_fails(world):
    license = _issue(world)
    credential = license_credential(principal=SYSTEM, address=license.address)

    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "GovernmentLicenseCredential"]
    assert credential["id"] == f"urn:digigov:license:{license.address}"
    issuer_id = "https://gd.example.gov.cn/api/v1/licenses/issuers/440100-scjg"
    assert credential["issuer"]["id"] == issuer_id
    subject = credential["credentialSubject"]
    assert subject["id"].startswith("urn:digigov:holder:person:")
    assert license.holder_key not in subject["id"]
    assert (subject["name"], subject["category"]) == (license.holder_name, "甲")
    purposes = {entry["statusPurpose"]: entry for entry in credential["credentialStatus"]}
    assert set(purposes) == {"revocation", "suspension"}
    assert purposes["suspension"]["statusListCredential"] == (
        "https://gd.example.gov.cn/api/v1/licenses/status/440100-scjg/suspension/1"
    )
    assert purposes["suspension"]["statusListIndex"] == str(license.status_index)
    proof = credential["proof"]
    assert proof["cryptosuite"] == "sm2-jcs-2025"
    assert proof["verificationMethod"] == f"{issuer_id}#{license.key_id}"

    keys = verification_keys()
    check = credential_verify(json.dumps(credential), keys=keys)
    assert (check.is_valid, check.code, check.key_id) == (True, "valid", license.key_id)

    for change in (
        lambda c: c["credentialSubject"].update(category="乙"),
        lambda c: c.update(validUntil="2099-12-31T23:59:59+08:00"),
        lambda c: c["credentialStatus"][0].update(statusListIndex="1"),
    ):
        tampered = copy.deepcopy(credential)
        change(tampered)
        assert credential_verify(tampered, keys=keys).code == "signature_invalid"
    forged = copy.deepcopy(credential)
    forged["issuer"]["id"] = "https://evil.example/issuers/x"
    assert credential_verify(forged, keys=keys).code == "issuer_mismatch"
    assert credential_verify(credential, keys={}).code == "key_unknown"


def test_a_department_cannot_sign_in_another_departments_name(world):
    """Department gat holds a valid, published key; a credential naming scjg as issuer but
    signed (correctly) with gat's key must not verify."""
    from digigov.kernel.crypto import services as crypto

    credential = license_credential(principal=SYSTEM, address=_issue(world).address)
    gat_key = crypto.key_active(purpose="license", owner="org:440100-gat")
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    forged = proof_add(
        unsigned,
        algorithm="sm2",
        verification_method=f"{credential['issuer']['id']}#{gat_key}",
        sign=lambda data: crypto.sign(key_id=gat_key, data=data),
        created=timezone.now(),
    )
    assert credential_verify(forged, keys=verification_keys()).code == "issuer_mismatch"
    assert credential_verify(credential, keys=verification_keys()).is_valid


def test_ed25519_after_rotation_and_old_licenses_still_verify(world):
    old = _issue(world)
    license_key_rotate(principal=SYSTEM, issuer_id=issuer().pk, algorithm="ed25519")
    new = _issue(world, holder=1)
    assert (old.algorithm, new.algorithm) == ("sm2", "ed25519")

    keys = verification_keys()
    for license in (old, new):
        credential = license_credential(principal=SYSTEM, address=license.address)
        assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"  # the active key signs
        assert credential_verify(credential, keys=keys).is_valid
    # The license's own detached signature still verifies with the retired SM2 key.
    from base64 import b64decode

    from digigov.kernel.crypto import services as crypto

    retired = keys[old.key_id]
    assert crypto.verify_with_public_key(
        algorithm=retired.algorithm,
        public_der=retired.public_der,
        data=old.signed_payload.encode(),
        signature=b64decode(old.signature),
    )


def test_status_list_credential_carries_the_bits_and_is_signed(world, client):
    license = _issue(world)
    until = timezone.localdate() + dt.timedelta(days=30)
    status.license_suspend(principal=SYSTEM, address=license.address, until=until, reason="暂扣")

    url = "/api/v1/licenses/status/440100-scjg/suspension/1"
    response = client.get(url)
    assert response.status_code == 200
    listed = response.json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["id"] == f"https://gd.example.gov.cn{url}"
    assert listed["credentialSubject"]["statusPurpose"] == "suspension"
    assert credential_verify(listed, keys=verification_keys()).is_valid
    assert status_bit(listed["credentialSubject"]["encodedList"], license.status_index)
    credential = license_credential(principal=SYSTEM, address=license.address)
    revocation = client.get("/api/v1/licenses/status/440100-scjg/revocation/1").json()
    assert credential_status(
        credential,
        list_credentials={listed["id"]: listed, revocation["id"]: revocation},
    ) == {"suspension": True, "revocation": False}

    etag = response["ETag"]
    assert "max-age" in response["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    status.license_resume(principal=SYSTEM, address=license.address)
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    assert not status_bit(again.json()["credentialSubject"]["encodedList"], license.status_index)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/licenses/status/440100-scjg/other/1",
        "/api/v1/licenses/status/440100-scjg/suspension/9",
        "/api/v1/licenses/status/nowhere/revocation/1",
    ],
)
def test_unknown_status_lists_are_not_found(world, client, path):
    _issue(world)
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "license_status_list_unknown"


def test_status_list_credential_is_signed_once_per_version(world):
    license = _issue(world)
    first = status_list_credential(issuer_code="440100-scjg", purpose="revocation", sequence=1)
    assert (
        status_list_credential(issuer_code="440100-scjg", purpose="revocation", sequence=1) is first
    )
    status.license_revoke(principal=SYSTEM, address=license.address, reason="注销")
    second = status_list_credential(issuer_code="440100-scjg", purpose="revocation", sequence=1)
    assert second["version"] == first["version"] + 1


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("other_citizen", 403),
        ("staff_other_department", 403),
        ("holder", 200),
        ("issuer_staff", 200),
    ],
)
def test_who_may_export_a_credential(world, client, who, expected):
    license = _issue(world)
    if who == "other_citizen":
        identity_testing.login(client, identity_testing.citizen_make("other", world.people[1]))
    elif who == "holder":
        identity_testing.login(client, identity_testing.citizen_make("holder", world.people[0]))
    elif who == "staff_other_department":
        account = identity_testing.staff_make(
            "gat_clerk", organization_code="440100-gat", roles=["制证人员"]
        )
        identity_testing.login(client, account)
    elif who == "issuer_staff":
        account = identity_testing.staff_make(
            "scjg_clerk", organization_code="440100-scjg", roles=["制证人员"]
        )
        identity_testing.login(client, account)

    response = client.get(f"/api/v1/licenses/{license.address}/credential")

    assert response.status_code == expected
    if expected == 200:
        assert credential_verify(response.json(), keys=verification_keys()).is_valid
    else:
        assert "proof" not in response.json()
    if who != "anonymous":
        outcome = "success" if expected == 200 else "denied"
        assert AuditEntry.objects.filter(
            action="licenses.license.credential", object_id=license.address, outcome=outcome
        ).exists()
