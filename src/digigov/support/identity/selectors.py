"""Reads of the identity layer. Every function takes the acting Principal and returns only
what that principal may see: a person sees their own account, delegations and bindings;
ID numbers and names of others are masked."""

from __future__ import annotations

import base64
import datetime as dt
import time
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from digigov.kernel.audit.selectors import audit_entries
from digigov.kernel.audit.services import audit_record
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import PermissionDenied, Unauthenticated
from digigov.kernel.ids import mask_id_number, mask_name, mask_phone
from digigov.kernel.memo import memo_prime, memoized
from digigov.kernel.principals import Principal

from .constants import DELEGATION_SCOPES, DEMO_PASSWORDS, LOGIN_ACTION, REAL_NAME_LABELS
from .models import Account, Delegation, EntityBinding

PERSON_KINDS = ("citizen", "enterprise", "staff")


@dataclass(frozen=True)
class ProfileView:
    account_id: int
    username: str
    display_name: str
    kind: str
    kind_label: str
    real_name_level: int
    real_name_label: str
    id_number_masked: str
    phone_masked: str
    organization_name: str
    roles: list[str]
    is_otp_verified: bool  # the account has a confirmed TOTP second factor


@dataclass(frozen=True)
class DelegationView:
    id: int
    direction: str  # "granted" (I authorised someone) or "received" (someone authorised me)
    other_name_masked: str
    other_id_masked: str
    scopes: list[str]
    scope_labels: list[str]
    expires_at: dt.datetime
    is_active: bool


@dataclass(frozen=True)
class EntityBindingView:
    id: int
    entity_name: str
    uscc: str
    role: str
    role_label: str
    expires_at: dt.datetime | None
    is_active: bool


@dataclass(frozen=True)
class AccountBrief:
    """What a counter clerk sees of an account before verifying the person in person."""

    account_id: int
    username: str
    kind_label: str
    real_name: str
    id_number_masked: str
    real_name_level: int
    real_name_label: str
    verified_place: str
    verified_at: dt.datetime | None


def _own_account(principal: Principal) -> Account:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind not in PERSON_KINDS or not principal.id:
        raise PermissionDenied(
            "此功能仅限个人、企业或公职人员账号", code="account_kind_not_allowed"
        )
    account = (
        Account.objects.select_related("organization")
        .filter(pk=int(principal.id), is_active=True)
        .first()
    )
    if account is None:
        raise PermissionDenied("账号不存在或已停用", code="account_inactive")
    return account


def _phone_masked(account: Account) -> str:
    if not account.phone_sealed:
        return ""
    phone = crypto.decrypt(
        token=account.phone_sealed, associated_data=f"account:{account.pk}".encode()
    ).decode()
    return mask_phone(phone)


def profile_get(*, principal: Principal) -> ProfileView:
    """The principal's own profile (masked, as shown on screen)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    account = _own_account(principal)
    return ProfileView(
        account_id=account.pk,
        username=account.username,
        display_name=account.display_name,
        kind=account.kind,
        kind_label=account.get_kind_display(),
        real_name_level=account.real_name_level,
        real_name_label=REAL_NAME_LABELS[account.real_name_level],
        id_number_masked=mask_id_number(account.id_number) if account.id_number else "",
        phone_masked=_phone_masked(account),
        organization_name=account.organization.name if account.organization_id else "",
        roles=sorted(account.groups.values_list("name", flat=True)),
        is_otp_verified=TOTPDevice.objects.filter(user=account, confirmed=True).exists(),
    )


def _scope_labels(scopes: list[str]) -> list[str]:
    return [DELEGATION_SCOPES.get(s, s) for s in scopes]


def delegations_for(*, principal: Principal) -> list[DelegationView]:
    """Delegations the citizen granted and those granted to them (by verified ID number)."""
    account = _own_account(principal)
    if account.kind != Account.Kind.CITIZEN:
        raise PermissionDenied("亲友代办仅限个人账号", code="account_kind_not_allowed")
    condition = Q(grantor=account)
    if account.id_number:
        condition |= Q(agent_id_number=account.id_number)
    rows = (
        Delegation.objects.filter(condition)
        .select_related("grantor")
        .order_by("revoked_at", "-created_at")
    )
    now = timezone.now()
    views = []
    for row in rows:
        granted = row.grantor_id == account.pk
        other_name = row.agent_name if granted else row.grantor.real_name
        other_id = row.agent_id_number if granted else row.grantor_id_number
        views.append(
            DelegationView(
                id=row.pk,
                direction="granted" if granted else "received",
                other_name_masked=mask_name(other_name),
                other_id_masked=mask_id_number(other_id),
                scopes=list(row.scopes),
                scope_labels=_scope_labels(row.scopes),
                expires_at=row.expires_at,
                is_active=row.revoked_at is None and row.expires_at > now,
            )
        )
    return views


def delegation_allows(*, principal: Principal, grantor_id_number: str, scope: str) -> bool:
    """May this citizen act for the person with grantor_id_number within scope, now?"""
    if principal.kind != "citizen" or not principal.person_id_number:
        return False
    live = Delegation.objects.filter(
        grantor_id_number=grantor_id_number,
        agent_id_number=principal.person_id_number,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).values_list("scopes", flat=True)
    # Scopes are checked in Python: SQLite has no JSON containment lookup, rows are few.
    return any(scope in scopes for scopes in live)


def delegation_grantor_for(*, principal: Principal, delegation_id: int, scope: str) -> str | None:
    """The grantor's ID number of a live delegation to this citizen within scope, else None.
    Pick-lists of relatives send the delegation id, never an ID number."""
    if principal.kind != "citizen" or not principal.person_id_number:
        return None
    row = (
        Delegation.objects.filter(
            pk=delegation_id,
            agent_id_number=principal.person_id_number,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .values_list("grantor_id_number", "scopes")
        .first()
    )
    if row is None or scope not in row[1]:
        return None
    return row[0]


def entity_bindings_for(*, principal: Principal) -> list[EntityBindingView]:
    """The entities an enterprise account may act for, and, for a legal representative,
    the agents they authorised for those entities."""
    account = _own_account(principal)
    if account.kind != Account.Kind.ENTERPRISE:
        raise PermissionDenied("企业绑定仅限企业经办人账号", code="account_kind_not_allowed")
    rows = (
        EntityBinding.objects.filter(account=account)
        .select_related("entity")
        .order_by("revoked_at", "-created_at")
    )
    return [
        EntityBindingView(
            id=row.pk,
            entity_name=row.entity.name,
            uscc=row.entity_id,
            role=row.role,
            role_label=row.get_role_display(),
            expires_at=row.expires_at,
            is_active=row.is_active,
        )
        for row in rows
    ]


def entity_agents_for(*, principal: Principal, uscc: str) -> list[dict]:
    """The agents a legal representative authorised for one entity (names masked)."""
    account = _own_account(principal)
    is_rep = EntityBinding.objects.filter(
        account=account,
        entity_id=uscc,
        role=EntityBinding.Role.LEGAL_REP,
        revoked_at__isnull=True,
    ).exists()
    if not is_rep:
        raise PermissionDenied("只有法定代表人可以查看授权代理人")
    rows = (
        EntityBinding.objects.filter(entity_id=uscc, role=EntityBinding.Role.AGENT)
        .select_related("account")
        .order_by("revoked_at", "-created_at")
    )
    return [
        {
            "id": row.pk,
            "agent_name_masked": mask_name(row.account.real_name),
            "agent_id_masked": mask_id_number(row.account.id_number),
            "scopes": list(row.scopes),
            "scope_labels": _scope_labels(row.scopes),
            "expires_at": row.expires_at,
            "is_active": row.is_active,
        }
        for row in rows
    ]


def account_lookup_for_verification(*, principal: Principal, username: str) -> AccountBrief | None:
    """A counter clerk looks up a citizen or enterprise account to verify them in person.
    The read of a person's record is audited."""
    if principal.kind != "staff" or not principal.has_perm("identity.verify_in_person"):
        raise PermissionDenied("无权进行现场实名核验")
    account = (
        Account.objects.filter(username=(username or "").strip())
        .exclude(kind=Account.Kind.STAFF)
        .first()
    )
    audit_record(
        actor=principal.actor,
        action="identity.account.lookup",
        object_type="Account",
        object_id=str(account.pk) if account else "",
        outcome="success" if account else "failure",
        source_address=principal.source_address,
        detail={"username": username[:150]},
    )
    if account is None:
        return None
    return AccountBrief(
        account_id=account.pk,
        username=account.username,
        kind_label=account.get_kind_display(),
        # The clerk compares the name on the ID card in front of them: shown in full.
        real_name=account.real_name,
        id_number_masked=mask_id_number(account.id_number) if account.id_number else "",
        real_name_level=account.real_name_level,
        real_name_label=REAL_NAME_LABELS[account.real_name_level],
        verified_place=account.verified_place,
        verified_at=account.verified_at,
    )


def totp_enrolment_needed(*, account_id: int) -> bool:
    """True while the account has no confirmed TOTP device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return not TOTPDevice.objects.filter(user_id=account_id, confirmed=True).exists()


def totp_throttled(*, account_id: int) -> bool:
    """True while django-otp makes the account wait after wrong codes (back-off doubles)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return any(
        not device.verify_is_allowed()[0]
        for device in TOTPDevice.objects.filter(user_id=account_id)
    )


def totp_secret_base32(device) -> str:
    """The secret as authenticator apps expect it when typed in by hand."""
    return base64.b32encode(device.bin_key).decode()


def totp_current_code(*, username: str) -> str | None:
    """The code the account's authenticator shows now (demo console and tests only)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "pk").first()
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


# Further demo staff logins that apps' seed steps create: username -> role label (they use
# the "staff" demo password). Apps add to it in their AppConfig.ready().
DEMO_STAFF_LOGINS: dict[str, str] = {}


def demo_logins() -> list[dict]:
    """The demo accounts that exist, for `digigov demo_logins` (operator console only)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    labels = {
        "citizen": "个人（粤省事）",
        "elder": "长者（长辈模式）",
        "business": "企业经办人（粤商通）",
        "staff": "公职人员（粤政易）",
        "admin": "系统管理员（后台 /admin）",
        **DEMO_STAFF_LOGINS,
    }
    passwords = {
        **DEMO_PASSWORDS,
        **{username: DEMO_PASSWORDS["staff"] for username in DEMO_STAFF_LOGINS},
    }
    rows = []
    for account in Account.objects.filter(username__in=list(passwords)).select_related(
        "organization"
    ):
        device = TOTPDevice.objects.filter(user=account, confirmed=True).order_by("pk").first()
        rows.append(
            {
                "role": labels[account.username],
                "username": account.username,
                "password": passwords[account.username],
                "level": "—"
                if account.kind == Account.Kind.STAFF
                else REAL_NAME_LABELS[account.real_name_level],
                "organization": account.organization.name if account.organization_id else "",
                "totp_secret": totp_secret_base32(device) if device else "",
            }
        )
    order = list(passwords)
    return sorted(rows, key=lambda r: order.index(r["username"]))


@dataclass(frozen=True)
class StaffBrief:
    account_id: int
    username: str
    display_name: str


def staff_roles(*, account_id: int) -> frozenset[str]:
    """The roles (group names) an active staff account holds: task assignment checks."""
    names = Account.objects.filter(
        pk=account_id, is_active=True, kind=Account.Kind.STAFF
    ).values_list("groups__name", flat=True)
    return frozenset(name for name in names if name)


def staff_holding_role(*, organization_id: int, role: str) -> list[StaffBrief]:
    """Active staff of an organization holding a role (reassign and co-sign choices)."""
    accounts = (
        Account.objects.filter(
            organization_id=organization_id,
            kind=Account.Kind.STAFF,
            is_active=True,
            groups__name=role,
        )
        .order_by("pk")
        .distinct()
    )
    return [StaffBrief(a.pk, a.username, a.display_name) for a in accounts]


def account_active(*, account_id: int) -> Account | None:
    """The active account with this id (the login flow's own lookup; no principal yet)."""
    return Account.objects.filter(pk=account_id, is_active=True).first()


def _level_key(account_id: int) -> tuple[str, int]:
    return ("identity.real_name_level", account_id)


def real_name_level(*, account_id: int) -> int | None:
    """The active account's real-name level, None when there is no active account; read
    once per kernel.memo scope."""

    def read() -> int | None:
        account = account_active(account_id=account_id)
        return int(account.real_name_level) if account is not None else None

    return memoized(_level_key(account_id), read)


def real_name_level_known(principal: Principal) -> None:
    """Inside a memo scope: the principal's own level, read with its account for this
    request (Principal.assurance_level), answers real_name_level without a query."""
    if principal.assurance_level is not None and principal.id.isdigit():
        memo_prime(_level_key(int(principal.id)), principal.assurance_level)


def entity_allows(*, principal: Principal, uscc: str, scope: str) -> bool:
    """May this enterprise account act for the entity within scope, now? A legal
    representative may do everything; an agent only within the scopes granted to them."""
    if principal.kind != Account.Kind.ENTERPRISE or not principal.id:
        return False
    now = timezone.now()
    for role, scopes, expires_at in EntityBinding.objects.filter(
        account_id=principal.id, entity_id=uscc, revoked_at__isnull=True
    ).values_list("role", "scopes", "expires_at"):
        if expires_at is not None and expires_at <= now:
            continue
        if role == EntityBinding.Role.LEGAL_REP or scope in scopes:
            return True
    return False


# ------------------------------------------------------------- daily active accounts (一网统管)


def daily_active_accounts(*, kind: str, since: dt.date, until: dt.date) -> dict[dt.date, int]:
    """Distinct accounts of a kind ("citizen" 粤省事, "enterprise" 粤商通, "staff" 粤政易)
    with a successful login on each day (audit log `identity.login`, actor "<kind>:<id>"),
    for indicators 7-9. Days without logins are absent. Counts only: no account is named."""
    if kind not in PERSON_KINDS:
        raise ValueError(kind)
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    rows = (
        audit_entries(action=LOGIN_ACTION)
        .filter(outcome="success", actor__startswith=f"{kind}:")
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .order_by()
        .annotate(day=TruncDate("occurred_at"))
        .values("day")
        .annotate(accounts=Count("actor", distinct=True))
    )
    return {row["day"]: row["accounts"] for row in rows}
