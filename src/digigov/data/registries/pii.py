"""Sealing personal data at rest: SM4-GCM through kernel.crypto, bound to the row's key.

The associated data is the record's ID number or USCC, so a ciphertext moved to another row
(or a row whose key was edited in the database) no longer opens.
"""

from __future__ import annotations

from digigov.kernel.crypto import services as crypto

KEY_PURPOSE = "registry-pii"
KEY_ALGORITHM = "sm4-gcm"


def pii_key_id() -> str:
    """The active registry data key (created, and committed, on first use)."""
    return crypto.key_active(purpose=KEY_PURPOSE, create_algorithm=KEY_ALGORITHM)


def seal(*, key_id: str, value: str, record_key: str) -> str:
    if not value:
        return ""
    return crypto.encrypt(
        key_id=key_id, plaintext=value.encode(), associated_data=record_key.encode()
    )


def unseal(*, token: str, record_key: str) -> str:
    if not token:
        return ""
    return crypto.decrypt(token=token, associated_data=record_key.encode()).decode()
