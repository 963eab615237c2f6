"""ECDSA P-256 (the PDF-seal algorithm): round trip by key id, and interoperability with a
plain `cryptography` verifier, which is what PDF readers and X.509 validators do."""

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from digigov.kernel.crypto import services
from digigov.kernel.crypto.base import CryptoError

pytestmark = pytest.mark.django_db


def test_sign_verify_round_trip_and_tamper():
    key = services.key_create(purpose="test-seal", algorithm="ecdsa-p256")
    signature = services.sign(key_id=key.key_id, data=b"sealed pdf attributes")

    assert key.algorithm == "ecdsa-p256"
    assert services.verify(key_id=key.key_id, data=b"sealed pdf attributes", signature=signature)
    assert not services.verify(
        key_id=key.key_id, data=b"sealed pdf attributeS", signature=signature
    )
    assert not services.verify(key_id=key.key_id, data=b"x", signature=b"\x30\x00")


def test_signature_is_standard_ecdsa_sha256_over_p256():
    key = services.key_create(purpose="test-seal", algorithm="ecdsa-p256")
    signature = services.sign(key_id=key.key_id, data=b"hello")
    public = serialization.load_der_public_key(bytes(key.public_der))

    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert public.curve.name == "secp256r1"
    public.verify(signature, b"hello", ec.ECDSA(hashes.SHA256()))  # raises if not
    with pytest.raises(InvalidSignature):
        public.verify(signature, b"hello!", ec.ECDSA(hashes.SHA256()))


def test_offline_verification_with_published_key():
    key = services.key_create(purpose="test-seal", algorithm="ecdsa-p256", owner="seal:1")
    signature = services.sign(key_id=key.key_id, data=b"doc")
    published = services.public_keys(purpose="test-seal", owner="seal:1")[0]

    assert services.verify_with_public_key(
        algorithm=published.algorithm,
        public_der=published.public_der,
        data=b"doc",
        signature=signature,
    )


def test_public_key_of_another_curve_is_refused():
    other = ec.generate_private_key(ec.SECP384R1()).public_key()
    der = other.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    with pytest.raises(CryptoError, match="P-256"):
        services.verify_with_public_key(
            algorithm="ecdsa-p256", public_der=der, data=b"doc", signature=b"\x30\x00"
        )
