"""SM2 (signatures), SM3 (hash) and SM4-GCM (encryption) through Tongsuo, a C library."""

from __future__ import annotations

from tongsuopy.crypto import hashes, serialization
from tongsuopy.crypto.asymciphers import ec
from tongsuopy.crypto.exceptions import (
    InternalError,
    InvalidSignature,
    UnsupportedAlgorithm,
)

from ..base import CryptoError

_SM3 = hashes.SM3()
_ECDSA_SM3 = ec.ECDSA(hashes.SM3())


class SM2:
    name = "sm2"

    def __init__(self) -> None:
        self._private_cache: dict[bytes, object] = {}
        self._public_cache: dict[bytes, object] = {}

    def generate(self) -> tuple[bytes, bytes]:
        key = ec.generate_private_key(ec.SM2())
        private_der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public_der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return private_der, public_der

    def _private(self, der: bytes):
        key = self._private_cache.get(der)
        if key is None:
            key = serialization.load_der_private_key(der, password=None)
            self._private_cache[der] = key
        return key

    def _public(self, der: bytes):
        key = self._public_cache.get(der)
        if key is None:
            try:
                key = serialization.load_der_public_key(der)
            except (ValueError, UnsupportedAlgorithm) as exc:
                raise CryptoError("公钥格式无效") from exc
            if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "SM2":
                raise CryptoError("公钥不是 SM2 公钥")
            self._public_cache[der] = key
        return key

    def sign(self, private_der: bytes, data: bytes) -> bytes:
        return self._private(private_der).sign(data, _ECDSA_SM3)

    def verify(self, public_der: bytes, data: bytes, signature: bytes) -> bool:
        try:
            self._public(public_der).verify(signature, data, _ECDSA_SM3)
        except (InvalidSignature, ValueError, InternalError):
            # Tongsuo reports a signature that is not DER as an InternalError: still "no".
            return False
        return True


class SM3:
    name = "sm3"

    def digest(self, data: bytes) -> bytes:
        h = hashes.Hash(_SM3)
        h.update(data)
        return h.finalize()
