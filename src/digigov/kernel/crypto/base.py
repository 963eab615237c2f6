"""The provider interfaces. Implementations live in contrib/, chosen through registry.py."""

from __future__ import annotations

from typing import Protocol


class CryptoError(Exception):
    """A cryptographic operation failed; the message is safe to show."""


class SigningAlgorithm(Protocol):
    name: str  # "sm2", "ed25519"

    def generate(self) -> tuple[bytes, bytes]:
        """Return (private key PKCS#8 DER, public key SubjectPublicKeyInfo DER)."""
        ...

    def sign(self, private_der: bytes, data: bytes) -> bytes: ...

    def verify(self, public_der: bytes, data: bytes, signature: bytes) -> bool: ...


class HashAlgorithm(Protocol):
    name: str  # "sm3", "sha256"

    def digest(self, data: bytes) -> bytes: ...


class CipherAlgorithm(Protocol):
    name: str  # "sm4-gcm", "aes-gcm"
    key_size: int

    def encrypt(self, key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
        """Return nonce || ciphertext-with-tag."""
        ...

    def decrypt(self, key: bytes, sealed: bytes, associated_data: bytes) -> bytes: ...
