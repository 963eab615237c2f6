"""免提交 over the licenses app: the `LicenseSource` that 一网通办 uses at run time
(installed by ServicesConfig.ready()). The applicant is already resolved and authorised by
the filing code; this only answers which of the holder's licenses are usable now (valid,
not suspended, not revoked or replaced, not expired) and records their use on a case."""

from __future__ import annotations

from collections.abc import Sequence

from digigov.kernel.principals import Principal
from digigov.support.licenses.selectors.use import usable_license, usable_licenses
from digigov.support.licenses.services.use import license_material_use

from .license_source import LicenseRef


def _ref(license) -> LicenseRef:
    return LicenseRef(
        address=license.address,
        license_type=license.license_type.code,
        name=license.license_type.name,
        holder_kind=license.holder_kind,
        holder_key=license.holder_key,
        number=license.number,
        valid_until=license.valid_until.isoformat() if license.valid_until else "",
    )


class WalletLicenses:
    """The holder's usable licenses from the licenses app (support/licenses)."""

    def holder_licenses(
        self, *, holder_kind: str, holder_key: str, license_types: Sequence[str]
    ) -> list[LicenseRef]:
        if not holder_key:
            return []
        return [
            _ref(license)
            for license in usable_licenses(
                holder_kind=holder_kind, holder_key=holder_key, type_codes=license_types
            )
        ]

    def license_check(
        self, *, address: str, holder_kind: str, holder_key: str
    ) -> LicenseRef | None:
        license = usable_license(address=address, holder_kind=holder_kind, holder_key=holder_key)
        return _ref(license) if license is not None else None

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
        license_material_use(
            principal=principal,
            address=address,
            holder_kind=holder_kind,
            holder_key=holder_key,
            reference=reference,
            purpose=purpose,
            user_label=user_label,
        )
