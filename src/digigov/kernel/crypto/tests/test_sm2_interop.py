"""Our SM2 signatures verify in another implementation (pure-Python gmssl) and back.

What makes this work (GB/T 32918.2 / GM/T 0009): the signed digest is e = SM3(Z || M) with
Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) and the default user ID
"1234567812345678"; the signature travels as DER SEQUENCE {r, s} (gmssl: asn1=True) or,
for systems that want it, as the 64-byte r || s. Another government system needs only our
published SubjectPublicKeyInfo DER.
"""

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from gmssl import func, sm2, sm3

from digigov.kernel.crypto import services

pytestmark = pytest.mark.django_db

MESSAGE = "电子证照 44030019900101123X 有效期至 2030-12-31".encode()


def _raw_public_key(public_der: bytes) -> str:
    """x || y in hex from an uncompressed-point SubjectPublicKeyInfo (what a peer does)."""
    point = public_der[-65:]
    assert point[0] == 0x04
    return point[1:].hex()


def _gmssl(public_hex: str, *, asn1: bool) -> sm2.CryptSM2:
    client = sm2.CryptSM2(private_key="", public_key=public_hex, asn1=asn1)
    # gmssl's constructor does public_key.lstrip("04"), which eats leading 0/4 digits of x.
    client.public_key = public_hex
    return client


def _digest_with_id(public_hex: str, message: bytes, user_id: bytes) -> bytes:
    """e = SM3(Z || M) for an arbitrary user ID (gmssl hard-codes the default one)."""
    table = sm2.default_ecc_table
    z_input = (
        (len(user_id) * 8).to_bytes(2, "big")
        + user_id
        + bytes.fromhex(table["a"] + table["b"] + table["g"] + public_hex)
    )
    z = bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(z_input)))
    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(z + message)))


@pytest.fixture
def sm2_key():
    key_id = services.key_active(purpose="test-interop", create_algorithm="sm2")
    (published,) = services.public_keys(purpose="test-interop")
    return key_id, _raw_public_key(published.public_der)


def test_our_der_signature_verifies_in_gmssl(sm2_key):
    key_id, public_hex = sm2_key
    signature = services.sign(key_id=key_id, data=MESSAGE)

    assert signature[0] == 0x30  # DER SEQUENCE
    assert _gmssl(public_hex, asn1=True).verify_with_sm3(signature.hex(), MESSAGE)
    assert not _gmssl(public_hex, asn1=True).verify_with_sm3(signature.hex(), MESSAGE + b"!")


def test_our_signature_as_raw_r_s_verifies_in_gmssl(sm2_key):
    key_id, public_hex = sm2_key
    r, s = decode_dss_signature(services.sign(key_id=key_id, data=MESSAGE))

    assert _gmssl(public_hex, asn1=False).verify_with_sm3(f"{r:064x}{s:064x}", MESSAGE)


def test_signature_is_bound_to_the_default_user_id(sm2_key):
    key_id, public_hex = sm2_key
    r, s = decode_dss_signature(services.sign(key_id=key_id, data=MESSAGE))
    verifier = _gmssl(public_hex, asn1=False)
    raw = f"{r:064x}{s:064x}"

    assert verifier.verify(raw, _digest_with_id(public_hex, MESSAGE, b"1234567812345678"))
    assert not verifier.verify(raw, _digest_with_id(public_hex, MESSAGE, b"digigov@gd.gov.cn"))
    # Nor is it a plain signature over SM3(M) without Z.
    plain = bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(MESSAGE)))
    assert not verifier.verify(raw, plain)


def test_gmssl_signature_verifies_through_our_interface(sm2_key):
    """The other direction: a peer signs with its own SM2 code, we verify by key id and offline."""
    from tongsuopy.crypto import serialization
    from tongsuopy.crypto.asymciphers import ec

    # A peer's key pair, made outside our key store.
    peer = ec.generate_private_key(ec.SM2())
    peer_public_der = peer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    peer_public_hex = _raw_public_key(peer_public_der)
    signer = sm2.CryptSM2(private_key=f"{peer.private_numbers().private_value:064x}", public_key="")
    signer.public_key = peer_public_hex
    raw = signer.sign_with_sm3(MESSAGE)
    der = encode_dss_signature(int(raw[:64], 16), int(raw[64:], 16))

    assert services.verify_with_public_key(
        algorithm="sm2", public_der=peer_public_der, data=MESSAGE, signature=der
    )
    assert not services.verify_with_public_key(
        algorithm="sm2", public_der=peer_public_der, data=MESSAGE + b"!", signature=der
    )
