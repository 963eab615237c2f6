"""Digests: SM3 by default (GB/T 32905), SHA-256 as the alternative."""

import hashlib

import pytest

from digigov.kernel.crypto import services
from digigov.kernel.crypto.base import CryptoError


def test_sm3_is_the_default_and_matches_the_gbt_32905_vector_for_abc():
    expected = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"

    assert services.digest(b"abc").hex() == expected
    assert services.digest(b"abc", algorithm="sm3").hex() == expected


def test_sm3_matches_the_gbt_32905_vector_for_the_512_bit_message():
    expected = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"

    assert services.digest(b"abcd" * 16).hex() == expected


def test_sha256_alternative():
    assert services.digest(b"abc", algorithm="sha256") == hashlib.sha256(b"abc").digest()


def test_unknown_digest_raises_in_chinese():
    with pytest.raises(CryptoError, match="不支持的摘要算法"):
        services.digest(b"abc", algorithm="md5")
