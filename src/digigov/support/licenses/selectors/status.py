"""Status as every reader sees it, and the issuers' status lists.

A suspension ends by itself: a license suspended until a date that has passed reads as
valid everywhere, even before `digigov licenses_status_sweep` resumes it for real (and
clears its bit in the published list)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from digigov.kernel.errors import NotFound

from ..models import License, StatusList

EXPIRED = "expired"
STATUS_LABELS: dict[str, str] = {**dict(License.Status.choices), EXPIRED: "已过期"}


def suspension_lapsed(license: License, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        license.status == License.Status.SUSPENDED
        and license.suspended_until is not None
        and license.suspended_until < today
    )


def license_effective_status(license: License, *, today: dt.date | None = None) -> str:
    """valid, suspended, revoked, replaced or expired, as of today."""
    today = today or timezone.localdate()
    if license.status in (License.Status.REVOKED, License.Status.REPLACED):
        return license.status
    if license.status == License.Status.SUSPENDED and not suspension_lapsed(license, today=today):
        return License.Status.SUSPENDED
    if license.valid_until is not None and license.valid_until < today:
        return EXPIRED
    return License.Status.VALID


def status_list_get(*, issuer_code: str, purpose: str, sequence: int) -> StatusList:
    """One published list (its bits included); NotFound for an unknown one."""
    status_list = (
        StatusList.objects.select_related("issuer")
        .filter(issuer__code=issuer_code, purpose=purpose, sequence=sequence)
        .first()
    )
    if status_list is None:
        raise NotFound("证照状态列表不存在", code="license_status_list_unknown")
    return status_list


def status_list_version(*, issuer_code: str, purpose: str, sequence: int) -> int | None:
    """The list's version without reading its bits (for ETag checks); None if unknown."""
    return (
        StatusList.objects.filter(issuer__code=issuer_code, purpose=purpose, sequence=sequence)
        .values_list("version", flat=True)
        .first()
    )
