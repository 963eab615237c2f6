"""The canonical form a license signature covers: RFC 8785 (JSON Canonicalization Scheme).

A verifier anywhere (another province, a bank, an offline app) rebuilds the same bytes from
the JSON document with any JCS implementation, so the signature is checkable without us."""

from __future__ import annotations

import json
from typing import Any

import rfc8785

DOCUMENT_TYPE = "digigov.license/1"


def canonical_bytes(document: dict[str, Any]) -> bytes:
    return rfc8785.dumps(document)


def canonical_text(document: dict[str, Any]) -> str:
    return canonical_bytes(document).decode("utf-8")


def document_parse(text: str) -> dict[str, Any]:
    """Parse a signed document; raises ValueError on anything but a JSON object."""
    document = json.loads(text)
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return document
