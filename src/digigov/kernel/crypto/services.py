"""The crypto interface the rest of the platform calls: sign, verify, digest, encrypt, decrypt.

Keys live in the database, named by key id; private and symmetric keys are wrapped with the
master key (settings.DIGIGOV_MASTER_KEY) so a database dump alone reveals nothing.
"""

from __future__ import annotations

import base64
import datetime
import os
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import registry
from .base import CryptoError
from .models import CryptoKey

_MASTER_CIPHER = "sm4-gcm"
# Unwrapped keys are cached per process; re-read after this long so that a key retired by
# another host (rotation after a compromise) stops signing here too.
_CACHE_SECONDS = 30.0
_cache: dict[str, tuple[CryptoKey, bytes, float]] = {}


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    algorithm: str
    public_der: bytes
    is_active: bool
    owner: str
    purpose: str
    created_at: datetime.datetime | None = None
    retired_at: datetime.datetime | None = None


def _master_key() -> bytes:
    try:
        key = bytes.fromhex(settings.DIGIGOV_MASTER_KEY)
    except ValueError:
        raise CryptoError("主密钥 DIGIGOV_MASTER_KEY 必须是 32 位十六进制") from None
    if len(key) != 16:
        raise CryptoError("主密钥 DIGIGOV_MASTER_KEY 必须是 16 字节（32 位十六进制）")
    return key


def _wrap(key_id: str, secret: bytes) -> bytes:
    return registry.cipher(_MASTER_CIPHER).encrypt(_master_key(), secret, key_id.encode())


def _unwrap(key_id: str, wrapped: bytes) -> bytes:
    return registry.cipher(_MASTER_CIPHER).decrypt(_master_key(), bytes(wrapped), key_id.encode())


def _load(key_id: str) -> tuple[CryptoKey, bytes]:
    hit = _cache.get(key_id)
    if hit is not None and time.monotonic() - hit[2] < _CACHE_SECONDS:
        return hit[0], hit[1]
    try:
        key = CryptoKey.objects.get(key_id=key_id)
    except CryptoKey.DoesNotExist:
        raise CryptoError(f"密钥不存在：{key_id}") from None
    secret = _unwrap(key.key_id, key.wrapped_secret)
    _cache[key_id] = (key, secret, time.monotonic())
    return key, secret


def cache_clear() -> None:
    """Forget cached keys (tests, and after a key is retired on another host)."""
    _cache.clear()
    _pseudonym_keys.clear()


def _new_key_id(purpose: str, owner: str) -> str:
    stem = f"{owner}-{purpose}" if owner else purpose
    return f"{stem}-{timezone.now():%Y%m%d}-{secrets.token_hex(3)}"


@transaction.atomic
def key_create(
    *, purpose: str, algorithm: str | None = None, owner: str = "", key_id: str | None = None
) -> CryptoKey:
    """Create a signing key pair (sm2, ed25519) or a symmetric key (sm4-gcm, aes-gcm)."""
    algorithm = algorithm or settings.DIGIGOV_CRYPTO_DEFAULT_SIGNING
    key_id = key_id or _new_key_id(purpose, owner)
    if algorithm in registry.signing:
        private_der, public_der = registry.signing_algorithm(algorithm).generate()
        kind, secret = CryptoKey.Kind.SIGNING, private_der
    elif algorithm in registry.ciphers:
        kind, public_der = CryptoKey.Kind.SYMMETRIC, None
        secret = os.urandom(registry.cipher(algorithm).key_size)
    else:
        raise CryptoError(f"不支持的算法：{algorithm}")
    return CryptoKey.objects.create(
        key_id=key_id,
        kind=kind,
        algorithm=algorithm,
        purpose=purpose,
        owner=owner,
        public_der=public_der,
        wrapped_secret=_wrap(key_id, secret),
    )


@transaction.atomic
def key_rotate(*, purpose: str, owner: str = "", algorithm: str | None = None) -> CryptoKey:
    """Make a new active key for (purpose, owner); older keys stay usable for verify/decrypt."""
    current = (
        CryptoKey.objects.select_for_update()
        .filter(purpose=purpose, owner=owner, is_active=True)
        .order_by("-created_at")
        .first()
    )
    algorithm = algorithm or (current.algorithm if current else None)
    CryptoKey.objects.filter(purpose=purpose, owner=owner, is_active=True).update(
        is_active=False, retired_at=timezone.now()
    )
    cache_clear()
    return key_create(purpose=purpose, owner=owner, algorithm=algorithm)


def key_active(*, purpose: str, owner: str = "", create_algorithm: str | None = None) -> str:
    """The key id in use for (purpose, owner), created on first use."""
    key = (
        CryptoKey.objects.filter(purpose=purpose, owner=owner, is_active=True)
        .order_by("-created_at")
        .first()
    )
    if key is None:
        key = key_create(purpose=purpose, owner=owner, algorithm=create_algorithm)
    return key.key_id


def public_keys(*, purpose: str | None = None, owner: str | None = None) -> list[PublicKey]:
    """Published signing keys (active and retired) for offline verification."""
    keys = CryptoKey.objects.filter(kind=CryptoKey.Kind.SIGNING).order_by("created_at")
    if purpose is not None:
        keys = keys.filter(purpose=purpose)
    if owner is not None:
        keys = keys.filter(owner=owner)
    return [
        PublicKey(
            k.key_id,
            k.algorithm,
            bytes(k.public_der),
            k.is_active,
            k.owner,
            k.purpose,
            k.created_at,
            k.retired_at,
        )
        for k in keys
    ]


def sign(*, key_id: str, data: bytes) -> bytes:
    key, private_der = _load(key_id)
    if key.kind != CryptoKey.Kind.SIGNING:
        raise CryptoError(f"密钥 {key_id} 不是签名密钥")
    if not key.is_active:
        raise CryptoError(f"密钥 {key_id} 已停用，不能再签名")
    return registry.signing_algorithm(key.algorithm).sign(private_der, data)


def verify(*, key_id: str, data: bytes, signature: bytes) -> bool:
    key, _ = _load(key_id)
    if key.kind != CryptoKey.Kind.SIGNING:
        raise CryptoError(f"密钥 {key_id} 不是签名密钥")
    return registry.signing_algorithm(key.algorithm).verify(bytes(key.public_der), data, signature)


def verify_with_public_key(
    *, algorithm: str, public_der: bytes, data: bytes, signature: bytes
) -> bool:
    """Offline verification from a published public key."""
    return registry.signing_algorithm(algorithm).verify(public_der, data, signature)


def digest(data: bytes, *, algorithm: str = "sm3") -> bytes:
    return registry.hash_algorithm(algorithm).digest(data)


def encrypt(*, key_id: str, plaintext: bytes, associated_data: bytes = b"") -> str:
    """Seal plaintext; the token names its key so that rotation needs no re-encryption."""
    key, secret = _load(key_id)
    if key.kind != CryptoKey.Kind.SYMMETRIC:
        raise CryptoError(f"密钥 {key_id} 不是对称密钥")
    sealed = registry.cipher(key.algorithm).encrypt(secret, plaintext, associated_data)
    return f"{key_id}${base64.b64encode(sealed).decode()}"


def decrypt(*, token: str, associated_data: bytes = b"") -> bytes:
    key_id, sep, body = token.partition("$")
    if not sep:
        raise CryptoError("密文格式无效")
    key, secret = _load(key_id)
    if key.kind != CryptoKey.Kind.SYMMETRIC:
        raise CryptoError(f"密钥 {key_id} 不是对称密钥")
    try:
        sealed = base64.b64decode(body, validate=True)
    except ValueError:
        raise CryptoError("密文格式无效") from None
    return registry.cipher(key.algorithm).decrypt(secret, sealed, associated_data)


def hmac_digest(secret: bytes, data: bytes, *, algorithm: str = "sm3") -> bytes:
    """HMAC (RFC 2104) over any registered hash; SM3 and SHA-256 both have 64-byte blocks."""
    hashing = registry.hash_algorithm(algorithm)
    block = 64
    if len(secret) > block:
        secret = hashing.digest(secret)
    secret = secret.ljust(block, b"\0")
    inner = hashing.digest(bytes(b ^ 0x36 for b in secret) + data)
    return hashing.digest(bytes(b ^ 0x5C for b in secret) + inner)


_pseudonym_keys: dict[str, str] = {}


def pseudonym(*, purpose: str, value: str) -> str:
    """A keyed, stable stand-in for an identifier (HMAC-SM3 under the purpose's symmetric
    key, hex): whoever holds the platform's keys can find a person's rows by their ID
    number, but a stolen table cannot be reversed by trying every plausible ID number, as
    an unkeyed hash of so structured a number can."""
    key_id = _pseudonym_keys.get(purpose)
    if key_id is None:
        key_id = key_active(purpose=purpose, create_algorithm="sm4-gcm")
        _pseudonym_keys[purpose] = key_id
    key, secret = _load(key_id)
    if key.kind != CryptoKey.Kind.SYMMETRIC:
        raise CryptoError(f"密钥 {key_id} 不是对称密钥")
    return hmac_digest(secret, value.encode("utf-8")).hex()
