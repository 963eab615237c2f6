"""卡包: a holder's own licenses, their use log (用证记录) and the third-party requests
(授权用证) waiting for or holding the holder's consent.

Who is the holder: a citizen account with a verified ID number (L2 real name: the account's
person) holds the licenses of that person; an enterprise agent holds the licenses of an
entity it is bound to with the "license" scope (代为用证; a legal representative holds all).
Anything else — another person's license, an entity the agent may not use licenses for —
reads as "not found", and the attempt is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.ids import mask_id_number
from digigov.kernel.principals import Principal
from digigov.support.identity.selectors import entity_allows

from ..canonical import document_parse
from ..models import Authorization, HolderKind, License, LicenseUse
from .status import STATUS_LABELS, license_effective_status

ENTITY_SCOPE = "license"  # identity's DELEGATION_SCOPES: 代为用证
USE_LOG_LIMIT = 200


@dataclass(frozen=True)
class Holder:
    kind: str  # HolderKind
    key: str  # ID number or USCC


@dataclass(frozen=True)
class LicenseCard:
    address: str
    type_code: str
    type_name: str
    number: str
    issuer_name: str
    holder_name: str
    valid_from: dt.date
    valid_until: dt.date | None
    status: str  # effective: valid, suspended, revoked, replaced, expired
    status_label: str
    suspended_until: dt.date | None
    color: str = ""


@dataclass(frozen=True)
class FaceRow:
    key: str
    label: str
    value: Any


@dataclass(frozen=True)
class UseRow:
    kind: str
    kind_label: str
    user_label: str
    purpose: str
    reference: str
    occurred_at: dt.datetime


@dataclass(frozen=True)
class LicenseDetail:
    card: LicenseCard
    holder_kind: str
    holder_key_masked: str
    face: list[FaceRow]
    issued_at: dt.datetime
    status_reason: str


@dataclass(frozen=True)
class AuthorizationRow:
    id: int
    client_name: str
    type_code: str
    type_name: str
    purpose: str
    requested_days: int
    status: str  # effective: a granted one past its end reads "expired"
    status_label: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    expires_at: dt.datetime | None
    license_address: str
    candidates: list[LicenseCard] = field(default_factory=list)  # pending: what may be granted
    use_count: int = 0

    @property
    def is_pending(self) -> bool:
        return self.status == Authorization.Status.PENDING

    @property
    def is_active(self) -> bool:
        return self.status == Authorization.Status.GRANTED


def _audit_denied(principal: Principal, action: str, object_id: str, reason: str) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=action,
        object_type="licenses.license",
        object_id=object_id,
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )


def wallet_holder(*, principal: Principal, uscc: str = "") -> Holder:
    """Whose wallet the principal opens (PermissionDenied, audited, when none)."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind == "citizen":
        if not principal.person_id_number:
            raise PermissionDenied(
                "查看电子证照需要完成二级及以上实名认证，请先到“个人资料”完成实名认证",
                code="licenses/real_name_required",
            )
        return Holder(kind=HolderKind.PERSON, key=principal.person_id_number)
    if principal.kind == "enterprise":
        uscc = (uscc or "").strip().upper()
        if not uscc:
            raise PermissionDenied("请选择企业", code="licenses/entity_required")
        if not entity_allows(principal=principal, uscc=uscc, scope=ENTITY_SCOPE):
            _audit_denied(principal, "licenses.wallet.open", uscc, "no_entity_license_scope")
            raise PermissionDenied(
                "您没有代该单位使用电子证照的授权", code="licenses/not_entity_agent"
            )
        return Holder(kind=HolderKind.ENTITY, key=uscc)
    _audit_denied(principal, "licenses.wallet.open", "", f"kind:{principal.kind}")
    raise PermissionDenied("仅持证人本人或其授权经办人可以查看卡包", code="licenses/not_holder")


def holder_allows(*, principal: Principal, holder_kind: str, holder_key: str) -> bool:
    """May the principal act as this holder (see, show, download, grant, withdraw)?"""
    if principal.kind == "citizen":
        return (
            holder_kind == HolderKind.PERSON
            and bool(principal.person_id_number)
            and holder_key == principal.person_id_number
        )
    if principal.kind == "enterprise":
        return holder_kind == HolderKind.ENTITY and entity_allows(
            principal=principal, uscc=holder_key, scope=ENTITY_SCOPE
        )
    return False


def card_of(license: License, *, today: dt.date | None = None) -> LicenseCard:
    status = license_effective_status(license, today=today)
    return LicenseCard(
        address=license.address,
        type_code=license.license_type.code,
        type_name=license.license_type.name,
        number=license.number,
        issuer_name=license.issuer.name,
        holder_name=license.holder_name,
        valid_from=license.valid_from,
        valid_until=license.valid_until,
        status=status,
        status_label=STATUS_LABELS.get(status, status),
        suspended_until=license.suspended_until if status == License.Status.SUSPENDED else None,
        color=str((license.license_type.template or {}).get("color") or ""),
    )


def _holder_licenses(holder: Holder):
    return (
        License.objects.select_related("license_type", "issuer")
        .filter(holder_kind=holder.kind, holder_key=holder.key)
        .order_by("-issued_at", "-pk")
    )


def wallet_list(*, principal: Principal, uscc: str = "") -> list[LicenseCard]:
    """The holder's licenses, newest first, each with its effective status."""
    holder = wallet_holder(principal=principal, uscc=uscc)
    today = timezone.localdate()
    return [card_of(license, today=today) for license in _holder_licenses(holder)]


def wallet_license_get(*, principal: Principal, address: str, uscc: str = "") -> License:
    """The holder's own license at `address`; anyone else's is NotFound (audited)."""
    holder = wallet_holder(principal=principal, uscc=uscc)
    license = _holder_licenses(holder).filter(address=address).first()
    if license is None:
        _audit_denied(principal, "licenses.license.view", address[:160], "not_holder")
        raise NotFound("证照不存在", code="licenses/license_not_found")
    return license


def face_rows(license: License) -> list[FaceRow]:
    """The signed face data in the type's field order, with the type's labels."""
    try:
        data = document_parse(license.signed_payload).get("data") or {}
    except ValueError:
        data = {}
    labels = {f["key"]: f.get("label", f["key"]) for f in license.license_type.fields or []}
    order = [f["key"] for f in license.license_type.fields or []]
    keys = [k for k in order if k in data] + [k for k in data if k not in labels]
    return [FaceRow(key=k, label=labels.get(k, k), value=data[k]) for k in keys]


def wallet_license(*, principal: Principal, address: str, uscc: str = "") -> LicenseDetail:
    """One of the holder's licenses with its face data (the holder sees their own data in
    full; the read is audited like every read of personal data)."""
    license = wallet_license_get(principal=principal, address=address, uscc=uscc)
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action="licenses.license.view",
        object_type="licenses.license",
        object_id=license.address,
        source_address=principal.source_address,
        detail={"as": "holder"},
    )
    status = license_effective_status(license)
    return LicenseDetail(
        card=card_of(license),
        holder_kind=license.holder_kind,
        holder_key_masked=mask_id_number(license.holder_key)
        if license.holder_kind == HolderKind.PERSON
        else license.holder_key,
        face=face_rows(license),
        issued_at=license.issued_at,
        status_reason=license.status_reason if status != License.Status.VALID else "",
    )


def use_rows(queryset) -> list[UseRow]:
    return [
        UseRow(
            kind=use.kind,
            kind_label=LicenseUse.Kind(use.kind).label,
            user_label=use.user_label,
            purpose=use.purpose,
            reference=use.reference,
            occurred_at=use.occurred_at,
        )
        for use in queryset.order_by("-occurred_at", "-pk")[:USE_LOG_LIMIT]
    ]


def license_uses(*, principal: Principal, address: str, uscc: str = "") -> list[UseRow]:
    """用证记录 of one of the holder's licenses: who used it, when, for what."""
    license = wallet_license_get(principal=principal, address=address, uscc=uscc)
    return use_rows(LicenseUse.objects.filter(license=license))


def authorization_effective_status(
    authorization: Authorization, *, now: dt.datetime | None = None
) -> str:
    """A grant past its end reads as expired before the sweep marks it."""
    now = now or timezone.now()
    if (
        authorization.status == Authorization.Status.GRANTED
        and authorization.expires_at is not None
        and authorization.expires_at <= now
    ):
        return Authorization.Status.EXPIRED
    return authorization.status


def _authorization_row(
    authorization: Authorization, *, candidates: list[LicenseCard], now: dt.datetime
) -> AuthorizationRow:
    status = authorization_effective_status(authorization, now=now)
    return AuthorizationRow(
        id=authorization.pk,
        client_name=authorization.client.name,
        type_code=authorization.license_type.code,
        type_name=authorization.license_type.name,
        purpose=authorization.purpose,
        requested_days=authorization.requested_days,
        status=status,
        status_label=Authorization.Status(status).label,
        requested_at=authorization.requested_at,
        decided_at=authorization.decided_at,
        expires_at=authorization.expires_at,
        license_address=authorization.license.address if authorization.license else "",
        candidates=candidates,
        use_count=getattr(authorization, "use_count", 0),
    )


def wallet_authorizations(
    *, principal: Principal, uscc: str = "", address: str = ""
) -> list[AuthorizationRow]:
    """The third-party requests addressed to the holder (all of one license when
    `address` is given), pending first; each pending one lists the licenses it may be
    granted with (valid licenses of the requested type)."""
    from django.db.models import Count

    holder = wallet_holder(principal=principal, uscc=uscc)
    authorizations = (
        Authorization.objects.select_related("client", "license_type", "license")
        .filter(holder_kind=holder.kind, holder_key=holder.key)
        .annotate(use_count=Count("uses"))
        .order_by("-requested_at", "-pk")
    )
    if address:
        authorizations = authorizations.filter(license__address=address)
    now = timezone.now()
    today = timezone.localdate(now)
    cards_by_type: dict[str, list[LicenseCard]] = {}
    rows = []
    for authorization in authorizations[:100]:
        candidates: list[LicenseCard] = []
        if authorization.status == Authorization.Status.PENDING:
            code = authorization.license_type.code
            if code not in cards_by_type:
                cards_by_type[code] = [
                    card
                    for card in (
                        card_of(license, today=today)
                        for license in _holder_licenses(holder).filter(license_type__code=code)
                    )
                    if card.status == License.Status.VALID
                ]
            candidates = cards_by_type[code]
        rows.append(_authorization_row(authorization, candidates=candidates, now=now))
    rows.sort(key=lambda row: not row.is_pending)
    return rows
