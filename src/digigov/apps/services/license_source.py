"""免提交: where an applicant's electronic licenses come from. The licenses app (support/
licenses) provides the real source (licenses_adapter.py, installed by the app's ready());
without it the default answers "none available", so every material is uploaded. Tests and deployments swap the registry entry with
`license_source_set`, never the calling code.

A license is named by its `address` (an opaque, stable reference the source understands,
e.g. "license:JMSFZ:44010119900101123X:1"); the applicant picks one, and the submission
checks it again with `license_check` for the holder it is filed for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from digigov.kernel.principals import Principal


@dataclass(frozen=True)
class LicenseRef:
    address: str
    license_type: str  # e.g. "JMSFZ" (居民身份证), the codes of the licenses issue
    name: str  # e.g. "居民身份证"
    holder_kind: str  # "person" | "entity"
    holder_key: str  # ID number or USCC
    number: str = ""  # the license's own number, as printed
    valid_until: str = ""  # ISO date or "" (long-term)


class LicenseSource(Protocol):
    def holder_licenses(
        self, *, holder_kind: str, holder_key: str, license_types: Sequence[str]
    ) -> list[LicenseRef]:
        """The holder's valid licenses of these types (all types when empty)."""
        ...

    def license_check(
        self, *, address: str, holder_kind: str, holder_key: str
    ) -> LicenseRef | None:
        """The license at `address` if it exists, is valid and belongs to the holder."""
        ...

    def license_used(
        self,
        *,
        principal: Principal,
        address: str,
        holder_kind: str,
        holder_key: str,
        reference: str,
        purpose: str,
        user_label: str,
    ) -> None:
        """Record that case `reference` used the license as a material (免提交), in the
        caller's transaction: the holder sees it in the use log (用证记录)."""
        ...


class NoLicenses:
    """Until the licenses app provides a source: nothing available, nothing valid."""

    def holder_licenses(
        self, *, holder_kind: str, holder_key: str, license_types: Sequence[str]
    ) -> list[LicenseRef]:
        return []

    def license_check(
        self, *, address: str, holder_kind: str, holder_key: str
    ) -> LicenseRef | None:
        return None

    def license_used(self, **_use) -> None:
        return None


_registry: dict[str, LicenseSource] = {"default": NoLicenses()}


def license_source() -> LicenseSource:
    """The configured source (the licenses app registers its own at start-up)."""
    return _registry["default"]


def license_source_set(source: LicenseSource) -> LicenseSource:
    """Install `source`; returns the previous one (so a test can put it back)."""
    previous = _registry["default"]
    _registry["default"] = source
    return previous
