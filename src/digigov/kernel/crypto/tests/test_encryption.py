"""Encryption by key id (SM4-GCM default, AES-GCM alternative) and key wrapping at rest."""

import base64
import re

import pytest

from digigov.kernel.crypto import services
from digigov.kernel.crypto.base import CryptoError
from digigov.kernel.crypto.models import CryptoKey

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CIPHERS = ["sm4-gcm", "aes-gcm"]
PLAINTEXT = "广州市天河区体育西路 1 号 13800138000".encode()


def _raise_chinese_crypto_error(call) -> CryptoError:
    with pytest.raises(CryptoError) as excinfo:
        call()
    assert CHINESE.search(str(excinfo.value)), str(excinfo.value)
    return excinfo.value


def _tamper(token: str) -> str:
    key_id, _, body = token.partition("$")
    sealed = bytearray(base64.b64decode(body))
    sealed[-1] ^= 0x01  # flip one bit of the tag
    return f"{key_id}${base64.b64encode(bytes(sealed)).decode()}"


@pytest.mark.parametrize("algorithm", CIPHERS)
def test_encrypt_decrypt_round_trip(algorithm):
    key = services.key_create(purpose="test-enc", algorithm=algorithm)

    token = services.encrypt(key_id=key.key_id, plaintext=PLAINTEXT, associated_data=b"person:7")

    assert token.startswith(f"{key.key_id}$")
    assert PLAINTEXT not in base64.b64decode(token.partition("$")[2])
    assert services.decrypt(token=token, associated_data=b"person:7") == PLAINTEXT


@pytest.mark.parametrize("algorithm", CIPHERS)
def test_same_plaintext_encrypts_differently_each_time(algorithm):
    key = services.key_create(purpose="test-enc", algorithm=algorithm)

    first = services.encrypt(key_id=key.key_id, plaintext=PLAINTEXT)
    second = services.encrypt(key_id=key.key_id, plaintext=PLAINTEXT)

    assert first != second  # fresh nonce each time
    assert services.decrypt(token=first) == services.decrypt(token=second) == PLAINTEXT


@pytest.mark.parametrize("algorithm", CIPHERS)
def test_tampered_ciphertext_raises(algorithm):
    key = services.key_create(purpose="test-enc", algorithm=algorithm)
    token = services.encrypt(key_id=key.key_id, plaintext=PLAINTEXT)

    error = _raise_chinese_crypto_error(lambda: services.decrypt(token=_tamper(token)))
    assert "篡改" in str(error)


@pytest.mark.parametrize("algorithm", CIPHERS)
def test_wrong_associated_data_raises(algorithm):
    key = services.key_create(purpose="test-enc", algorithm=algorithm)
    token = services.encrypt(key_id=key.key_id, plaintext=PLAINTEXT, associated_data=b"person:7")

    _raise_chinese_crypto_error(lambda: services.decrypt(token=token, associated_data=b"person:8"))
    _raise_chinese_crypto_error(lambda: services.decrypt(token=token))


def test_unknown_key_id_raises():
    error = _raise_chinese_crypto_error(
        lambda: services.decrypt(token="no-such-key$" + base64.b64encode(b"x" * 40).decode())
    )
    assert "密钥不存在" in str(error)
    _raise_chinese_crypto_error(lambda: services.encrypt(key_id="no-such-key", plaintext=b"x"))


@pytest.mark.parametrize(
    "body", ["", "not base64!", base64.b64encode(b"short").decode()], ids=["empty", "junk", "short"]
)
def test_malformed_token_raises(body):
    key = services.key_create(purpose="test-enc", algorithm="sm4-gcm")

    _raise_chinese_crypto_error(lambda: services.decrypt(token=f"{key.key_id}${body}"))
    _raise_chinese_crypto_error(lambda: services.decrypt(token="no separator"))


def test_token_sealed_under_one_key_does_not_open_under_another():
    mine = services.key_create(purpose="test-enc", algorithm="sm4-gcm")
    other = services.key_create(purpose="test-enc", algorithm="sm4-gcm")
    token = services.encrypt(key_id=mine.key_id, plaintext=PLAINTEXT)

    swapped = f"{other.key_id}${token.partition('$')[2]}"

    _raise_chinese_crypto_error(lambda: services.decrypt(token=swapped))


def test_signing_key_cannot_encrypt_or_decrypt():
    signing = services.key_create(purpose="test-sign", algorithm="sm2")
    symmetric = services.key_create(purpose="test-enc", algorithm="sm4-gcm")
    token = services.encrypt(key_id=symmetric.key_id, plaintext=PLAINTEXT)

    error = _raise_chinese_crypto_error(
        lambda: services.encrypt(key_id=signing.key_id, plaintext=b"x")
    )
    assert "不是对称密钥" in str(error)
    error = _raise_chinese_crypto_error(
        lambda: services.decrypt(token=f"{signing.key_id}${token.partition('$')[2]}")
    )
    assert "不是对称密钥" in str(error)


def test_rotated_data_key_still_decrypts_old_tokens():
    old_id = services.key_active(purpose="test-data", create_algorithm="sm4-gcm")
    token = services.encrypt(key_id=old_id, plaintext=PLAINTEXT)

    new = services.key_rotate(purpose="test-data")

    assert new.algorithm == "sm4-gcm"
    assert services.decrypt(token=token) == PLAINTEXT
    assert services.decrypt(token=services.encrypt(key_id=new.key_id, plaintext=b"x")) == b"x"


@pytest.mark.parametrize("algorithm", ["sm4-gcm", "aes-gcm", "sm2", "ed25519"])
def test_stored_secret_is_wrapped_not_raw(algorithm):
    key = services.key_create(purpose="test-wrap", algorithm=algorithm)
    raw = services._unwrap(key.key_id, bytes(key.wrapped_secret))
    stored = bytes(CryptoKey.objects.get(key_id=key.key_id).wrapped_secret)

    assert len(raw) >= 16
    assert raw not in stored
    assert raw[-16:] not in stored  # nor the tail of a DER private key (the scalar)
    assert raw.hex().encode() not in stored


def test_wrapped_secret_is_bound_to_its_key_id():
    """Copying one key's wrapped secret onto another row does not make it usable."""
    victim = services.key_create(purpose="test-wrap", algorithm="sm4-gcm")
    attacker = services.key_create(purpose="test-wrap", algorithm="sm4-gcm")
    CryptoKey.objects.filter(key_id=attacker.key_id).update(wrapped_secret=victim.wrapped_secret)
    services.cache_clear()

    _raise_chinese_crypto_error(lambda: services.encrypt(key_id=attacker.key_id, plaintext=b"x"))


def test_wrong_master_key_cannot_unwrap(settings):
    key = services.key_create(purpose="test-wrap", algorithm="sm4-gcm")
    services.cache_clear()
    settings.DIGIGOV_MASTER_KEY = "ffeeddccbbaa99887766554433221100"

    _raise_chinese_crypto_error(lambda: services.encrypt(key_id=key.key_id, plaintext=b"x"))


@pytest.mark.parametrize("master", ["zz" * 16, "0011"], ids=["not-hex", "too-short"])
def test_malformed_master_key_raises(settings, master):
    settings.DIGIGOV_MASTER_KEY = master

    _raise_chinese_crypto_error(
        lambda: services.key_create(purpose="test-wrap", algorithm="sm4-gcm")
    )
