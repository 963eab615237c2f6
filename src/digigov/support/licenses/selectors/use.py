"""Reads of license use: what a third party (授权用证) may learn about its own requests, and
the holder's usable licenses for trusted internal callers (一网通办's material reuse checks
the applicant itself). The integrity and status check is selectors/verification.py's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import Principal

from ..models import Authorization, License, LicenseType
from .status import license_effective_status
from .wallet import authorization_effective_status

USE_SCOPE = "licenses:use"


@dataclass(frozen=True)
class AuthorizationStatus:
    id: int
    license_type: str
    license_type_name: str
    holder_kind: str
    purpose: str
    requested_days: int
    status: str
    status_label: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    expires_at: dt.datetime | None


def client_authorization_get(*, principal: Principal, authorization_id: int) -> Authorization:
    """The requesting client's own authorisation; any other's is NotFound (audited), so a
    client cannot probe the ids of others."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind != "machine" or not principal.has_scope(USE_SCOPE):
        _denied(principal, authorization_id, "not_use_client")
        raise PermissionDenied("仅具有用证授权范围的接入单位可以调用", code="scope_missing")
    authorization = (
        Authorization.objects.select_related("license_type", "license", "client")
        .filter(pk=authorization_id, client_id=principal.id)
        .first()
    )
    if authorization is None:
        _denied(principal, authorization_id, "not_own_request")
        raise NotFound("授权申请不存在", code="licenses/authorization_not_found")
    return authorization


def _denied(principal: Principal, authorization_id: int, reason: str) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action="licenses.authorization.read",
        object_type="licenses.authorization",
        object_id=str(authorization_id),
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )


def authorization_status(*, principal: Principal, authorization_id: int) -> AuthorizationStatus:
    """What the client may know of its request: its own fields and the decision, never
    which license (that comes only with a read while granted)."""
    authorization = client_authorization_get(principal=principal, authorization_id=authorization_id)
    status = authorization_effective_status(authorization)
    return AuthorizationStatus(
        id=authorization.pk,
        license_type=authorization.license_type.code,
        license_type_name=authorization.license_type.name,
        holder_kind=authorization.holder_kind,
        purpose=authorization.purpose,
        requested_days=authorization.requested_days,
        status=status,
        status_label=Authorization.Status(status).label,
        requested_at=authorization.requested_at,
        decided_at=authorization.decided_at,
        expires_at=authorization.expires_at if status == Authorization.Status.GRANTED else None,
    )


def usable_licenses(
    *, holder_kind: str, holder_key: str, type_codes: Sequence[str] = ()
) -> list[License]:
    """The holder's licenses usable now (effective status valid), optionally of these
    types. For trusted internal callers that have already checked who the holder is."""
    licenses = License.objects.select_related("license_type", "issuer").filter(
        holder_kind=holder_kind,
        holder_key=holder_key,
        status__in=(License.Status.VALID, License.Status.SUSPENDED),
    )
    if type_codes:
        licenses = licenses.filter(license_type__code__in=list(type_codes))
    today = timezone.localdate()
    return [
        license
        for license in licenses.order_by("-issued_at", "-pk")
        if license_effective_status(license, today=today) == License.Status.VALID
    ]


def usable_license(*, address: str, holder_kind: str, holder_key: str) -> License | None:
    """The license at `address` when it belongs to the holder and is usable now."""
    license = (
        License.objects.select_related("license_type", "issuer")
        .filter(address=address, holder_kind=holder_kind, holder_key=holder_key)
        .first()
    )
    if license is None or license_effective_status(license) != License.Status.VALID:
        return None
    return license


def licenses_of_case(*, reference: str) -> list[License]:
    """Licenses issued for a case (source CASE, reference = the case number)."""
    return list(
        License.objects.select_related("license_type", "issuer")
        .filter(source=License.Source.CASE, source_reference=reference)
        .order_by("pk")
    )


def license_type_for_issue(code: str) -> LicenseType | None:
    """An active license type by code (its fields and their `source` hints, the issuing
    department line), for internal callers issuing on approval."""
    return LicenseType.objects.filter(code=code, is_active=True).first() if code else None
