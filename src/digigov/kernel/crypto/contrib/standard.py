"""Ed25519, SHA-256 and AES-GCM through `cryptography` (OpenSSL): the non-SM alternative."""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..base import CryptoError


class Ed25519:
    name = "ed25519"

    def generate(self) -> tuple[bytes, bytes]:
        key = Ed25519PrivateKey.generate()
        return (
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        )

    def sign(self, private_der: bytes, data: bytes) -> bytes:
        return serialization.load_der_private_key(private_der, password=None).sign(data)

    def verify(self, public_der: bytes, data: bytes, signature: bytes) -> bool:
        try:
            serialization.load_der_public_key(public_der).verify(signature, data)
        except (InvalidSignature, ValueError):
            return False
        return True


class SHA256:
    name = "sha256"

    def digest(self, data: bytes) -> bytes:
        return hashlib.sha256(data).digest()


class AESGCMCipher:
    name = "aes-gcm"
    key_size = 16

    def encrypt(self, key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data)

    def decrypt(self, key: bytes, sealed: bytes, associated_data: bytes) -> bytes:
        try:
            return AESGCM(key).decrypt(sealed[:12], sealed[12:], associated_data)
        except (InvalidTag, ValueError) as exc:
            raise CryptoError("密文无法解密或已被篡改") from exc
