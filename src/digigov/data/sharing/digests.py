"""Digests of the people whose records an exchange call read: the log stores these, the
citizen's page looks its owner up by them. A keyed pseudonym (HMAC-SM3 under the platform's
"exchange-subject" key) of the upper-case ID number: an unkeyed hash of so structured a
number could be reversed by trying the plausible ones (region, birth date, sequence)."""

from __future__ import annotations

from collections.abc import Iterable

from digigov.kernel.crypto import services as crypto

SUBJECT_KEY_PURPOSE = "exchange-subject"


def subject_digest(id_number: str) -> str:
    return crypto.pseudonym(purpose=SUBJECT_KEY_PURPOSE, value=id_number.strip().upper())


def subjects_digest(digests: Iterable[str]) -> str:
    """One digest over a call's sorted subject digests: hashed into the log entry."""
    ordered = sorted(set(digests))
    if not ordered:
        return ""
    return crypto.digest("\n".join(ordered).encode()).hex()
