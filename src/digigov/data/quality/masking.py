"""A field's value as it may be shown outside the owning system: masked by the catalog's
masking rule (ResourceField.masking). Quality reports, issues and workspace snapshots never
hold a personal value in clear."""

from __future__ import annotations

from typing import Any

from digigov.kernel.ids import mask_address, mask_id_number, mask_name, mask_phone

_MASKS = {
    "id_number": mask_id_number,
    "name": mask_name,
    "phone": mask_phone,
    "address": mask_address,
}


def value_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def value_mask(*, masking: str, value: Any) -> str | None:
    """The shown form of a value (None stays None, so SQL NULLs stay NULL)."""
    if value is None:
        return None
    text = str(value)
    if masking in ("", "none"):
        return text
    if masking == "redact":
        return "***" if text else ""
    mask = _MASKS.get(masking)
    return mask(text) if mask and text else ("***" if text else "")
