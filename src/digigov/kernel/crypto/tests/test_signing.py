"""Signing by key id: round trip, failure cases, rotation, published keys."""

import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from digigov.kernel.crypto import services
from digigov.kernel.crypto.base import CryptoError
from digigov.kernel.crypto.models import CryptoKey

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ALGORITHMS = ["sm2", "ed25519"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_sign_and_verify_round_trip(algorithm):
    key = services.key_create(purpose="test-sign", algorithm=algorithm)
    signature = services.sign(key_id=key.key_id, data=b"\xe5\x8a\x9e\xe4\xbb\xb6 #1")

    assert services.verify(
        key_id=key.key_id, data=b"\xe5\x8a\x9e\xe4\xbb\xb6 #1", signature=signature
    )


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verify_fails_on_changed_data(algorithm):
    key = services.key_create(purpose="test-sign", algorithm=algorithm)
    signature = services.sign(key_id=key.key_id, data=b"amount=100")

    assert not services.verify(key_id=key.key_id, data=b"amount=900", signature=signature)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verify_fails_on_signature_from_another_key(algorithm):
    mine = services.key_create(purpose="test-sign", algorithm=algorithm)
    other = services.key_create(purpose="test-sign", algorithm=algorithm)
    signature = services.sign(key_id=other.key_id, data=b"data")

    assert services.verify(key_id=other.key_id, data=b"data", signature=signature)
    assert not services.verify(key_id=mine.key_id, data=b"data", signature=signature)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verify_fails_on_garbage_signature(algorithm):
    key = services.key_create(purpose="test-sign", algorithm=algorithm)

    assert not services.verify(key_id=key.key_id, data=b"data", signature=b"\x00" * 64)
    assert not services.verify(key_id=key.key_id, data=b"data", signature=b"")


def test_default_algorithm_is_sm2(settings):
    settings.DIGIGOV_CRYPTO_DEFAULT_SIGNING = "sm2"
    key = services.key_create(purpose="test-default")

    assert key.algorithm == "sm2"
    assert key.kind == CryptoKey.Kind.SIGNING


def test_key_active_creates_once_and_then_reuses():
    first = services.key_active(purpose="test-active", create_algorithm="ed25519")
    again = services.key_active(purpose="test-active")

    assert first == again
    assert CryptoKey.objects.filter(purpose="test-active").count() == 1
    assert CryptoKey.objects.get(key_id=first).algorithm == "ed25519"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_key_rotate_retires_old_key_and_activates_new_one(algorithm):
    old_id = services.key_active(purpose="test-rotate", owner="org-1", create_algorithm=algorithm)
    old_signature = services.sign(key_id=old_id, data=b"signed before rotation")

    new = services.key_rotate(purpose="test-rotate", owner="org-1")

    assert new.key_id != old_id
    assert new.is_active
    assert new.algorithm == algorithm  # rotation keeps the algorithm
    assert services.key_active(purpose="test-rotate", owner="org-1") == new.key_id
    old = CryptoKey.objects.get(key_id=old_id)
    assert not old.is_active
    assert old.retired_at is not None
    # The retired key cannot sign any more ...
    with pytest.raises(CryptoError) as excinfo:
        services.sign(key_id=old_id, data=b"after rotation")
    assert CHINESE.search(str(excinfo.value))
    # ... but what it signed still verifies, and the new key signs.
    assert services.verify(key_id=old_id, data=b"signed before rotation", signature=old_signature)
    new_signature = services.sign(key_id=new.key_id, data=b"after rotation")
    assert services.verify(key_id=new.key_id, data=b"after rotation", signature=new_signature)


def test_key_rotate_can_change_algorithm():
    services.key_active(purpose="test-rotate-alg", create_algorithm="ed25519")

    new = services.key_rotate(purpose="test-rotate-alg", algorithm="sm2")

    assert new.algorithm == "sm2"


def test_key_rotate_leaves_other_owners_alone():
    theirs = services.key_active(purpose="test-rotate", owner="org-2")
    services.key_active(purpose="test-rotate", owner="org-1")

    services.key_rotate(purpose="test-rotate", owner="org-1")

    assert CryptoKey.objects.get(key_id=theirs).is_active


def test_public_keys_lists_active_and_retired():
    old_id = services.key_active(purpose="test-publish", create_algorithm="sm2")
    new = services.key_rotate(purpose="test-publish")
    services.key_create(purpose="test-other", algorithm="ed25519")
    services.key_create(purpose="test-publish", algorithm="sm4-gcm")  # symmetric: never published

    published = services.public_keys(purpose="test-publish")

    assert [(k.key_id, k.is_active) for k in published] == [(old_id, False), (new.key_id, True)]
    assert all(k.algorithm == "sm2" and k.public_der for k in published)
    assert {k.purpose for k in services.public_keys()} == {"test-publish", "test-other"}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verify_with_public_key_works_offline_from_der(algorithm):
    key_id = services.key_active(purpose="test-offline", create_algorithm=algorithm)
    signature = services.sign(key_id=key_id, data=b"license 44-0001")
    (published,) = services.public_keys(purpose="test-offline")
    # Offline: nothing from the key store is used, only the published DER.
    CryptoKey.objects.all().delete()
    services.cache_clear()

    assert services.verify_with_public_key(
        algorithm=published.algorithm,
        public_der=published.public_der,
        data=b"license 44-0001",
        signature=signature,
    )
    assert not services.verify_with_public_key(
        algorithm=published.algorithm,
        public_der=published.public_der,
        data=b"license 44-0002",
        signature=signature,
    )


def test_sm2_public_key_is_published_with_the_sm2_curve_oid():
    key = services.key_create(purpose="test-oid", algorithm="sm2")
    sm2_curve_oid = bytes.fromhex("06082a811ccf5501822d")  # 1.2.156.10197.1.301
    ec_public_key_oid = bytes.fromhex("06072a8648ce3d0201")  # 1.2.840.10045.2.1

    assert sm2_curve_oid in bytes(key.public_der)
    assert ec_public_key_oid in bytes(key.public_der)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verify_with_bad_public_key_der_raises_crypto_error(algorithm):
    with pytest.raises(CryptoError) as excinfo:
        services.verify_with_public_key(
            algorithm=algorithm, public_der=b"not a key", data=b"x", signature=b"y"
        )
    assert CHINESE.search(str(excinfo.value))


def test_public_key_of_the_wrong_algorithm_raises_crypto_error():
    sm2 = services.key_create(purpose="test-sign", algorithm="sm2")
    ed = services.key_create(purpose="test-sign", algorithm="ed25519")

    p256 = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    )

    for algorithm, der in [("ed25519", sm2.public_der), ("sm2", ed.public_der), ("sm2", p256)]:
        with pytest.raises(CryptoError):
            services.verify_with_public_key(
                algorithm=algorithm, public_der=bytes(der), data=b"x", signature=b"y" * 64
            )


def test_unknown_key_id_raises_crypto_error_in_chinese():
    with pytest.raises(CryptoError) as excinfo:
        services.sign(key_id="no-such-key", data=b"x")
    assert "密钥不存在" in str(excinfo.value)
    with pytest.raises(CryptoError):
        services.verify(key_id="no-such-key", data=b"x", signature=b"y")


def test_symmetric_key_cannot_sign_or_verify():
    key = services.key_create(purpose="test-sym", algorithm="sm4-gcm")

    with pytest.raises(CryptoError, match="不是签名密钥"):
        services.sign(key_id=key.key_id, data=b"x")
    with pytest.raises(CryptoError, match="不是签名密钥"):
        services.verify(key_id=key.key_id, data=b"x", signature=b"y")


def test_unknown_algorithm_raises_crypto_error_and_writes_nothing():
    with pytest.raises(CryptoError, match="不支持的算法"):
        services.key_create(purpose="test-bad", algorithm="rsa-512")
    assert not CryptoKey.objects.filter(purpose="test-bad").exists()


def test_garbage_signature_leaves_the_library_usable():
    """Tongsuo raises on a non-DER SM2 signature; a clean "no" must not poison later calls."""
    key = services.key_create(purpose="test-sign", algorithm="sm2")
    assert not services.verify(key_id=key.key_id, data=b"x", signature=b"\x01\x02\x03")

    signature = services.sign(key_id=key.key_id, data=b"x")
    assert services.verify(key_id=key.key_id, data=b"x", signature=signature)


def test_key_retired_by_another_host_stops_signing_here_once_the_cache_expires(monkeypatch):
    key_id = services.key_active(purpose="test-cache")
    services.sign(key_id=key_id, data=b"warm the cache")
    # Another host rotates: our process does not see its cache_clear().
    CryptoKey.objects.filter(key_id=key_id).update(is_active=False)
    monkeypatch.setattr(services, "_CACHE_SECONDS", 0.0)

    with pytest.raises(CryptoError, match="已停用"):
        services.sign(key_id=key_id, data=b"after rotation elsewhere")
