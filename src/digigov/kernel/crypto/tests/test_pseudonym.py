"""Keyed pseudonyms: HMAC per RFC 2104 (checked against Python's hmac on SHA-256, the same
code path SM3 takes), stable per purpose, different across purposes and keys."""

import hashlib
import hmac

import pytest

from digigov.kernel.crypto import services as crypto
from digigov.kernel.crypto.models import CryptoKey


@pytest.mark.parametrize("secret", [b"", b"k" * 16, b"long" * 40])
def test_hmac_matches_the_standard_library_on_sha256(secret):
    data = b"what the pseudonym covers"
    expected = hmac.new(secret, data, hashlib.sha256).digest()
    assert crypto.hmac_digest(secret, data, algorithm="sha256") == expected


def test_hmac_sm3_is_keyed():
    assert crypto.hmac_digest(b"a" * 16, b"x") != crypto.hmac_digest(b"b" * 16, b"x")
    assert len(crypto.hmac_digest(b"a" * 16, b"x")) == 32


@pytest.mark.django_db
def test_pseudonym_is_stable_per_purpose_and_not_a_plain_hash():
    number = "44010119900101123X"
    first = crypto.pseudonym(purpose="test-subject", value=number)
    assert first == crypto.pseudonym(purpose="test-subject", value=number)
    assert first != crypto.pseudonym(purpose="test-other", value=number)
    assert first != crypto.digest(number.encode(), algorithm="sm3").hex()
    assert CryptoKey.objects.filter(purpose="test-subject", kind="symmetric").count() == 1
    # a new key (another deployment, or after a compromise) gives other pseudonyms
    CryptoKey.objects.filter(purpose="test-subject").delete()
    crypto.cache_clear()
    assert crypto.pseudonym(purpose="test-subject", value=number) != first
