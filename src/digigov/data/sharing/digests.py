"""Digests of the people whose records an exchange call read: the log stores these, the
citizen's page looks its owner up by them. Domain-separated SM3 of the upper-case ID number.

An unkeyed digest of an ID number can be reversed by trying the plausible numbers (region,
birth date, sequence); what it prevents is reading ID numbers off the log at a glance."""

from __future__ import annotations

from collections.abc import Iterable

from digigov.kernel.crypto import services as crypto

_SUBJECT_PREFIX = b"digigov:exchange-subject:"


def subject_digest(id_number: str) -> str:
    return crypto.digest(_SUBJECT_PREFIX + id_number.strip().upper().encode()).hex()


def subjects_digest(digests: Iterable[str]) -> str:
    """One digest over a call's sorted subject digests: hashed into the log entry."""
    ordered = sorted(set(digests))
    if not ordered:
        return ""
    return crypto.digest("\n".join(ordered).encode()).hex()
