"""Algorithm registry: the one place that maps a name to its implementation."""

from __future__ import annotations

from .base import CipherAlgorithm, CryptoError, HashAlgorithm, SigningAlgorithm
from .contrib.standard import ECDSAP256, SHA256, AESGCMCipher, Ed25519, SM4GCMCipher
from .contrib.tongsuo import SM2, SM3

signing: dict[str, SigningAlgorithm] = {
    "sm2": SM2(),
    "ed25519": Ed25519(),
    "ecdsa-p256": ECDSAP256(),  # PDF seals: readers do not validate SM2
}
hashing: dict[str, HashAlgorithm] = {"sm3": SM3(), "sha256": SHA256()}
ciphers: dict[str, CipherAlgorithm] = {"sm4-gcm": SM4GCMCipher(), "aes-gcm": AESGCMCipher()}


def signing_algorithm(name: str) -> SigningAlgorithm:
    try:
        return signing[name]
    except KeyError:
        raise CryptoError(f"不支持的签名算法：{name}") from None


def hash_algorithm(name: str) -> HashAlgorithm:
    try:
        return hashing[name]
    except KeyError:
        raise CryptoError(f"不支持的摘要算法：{name}") from None


def cipher(name: str) -> CipherAlgorithm:
    try:
        return ciphers[name]
    except KeyError:
        raise CryptoError(f"不支持的加密算法：{name}") from None
