"""Commands of the identity layer: the only place that writes accounts, real-name levels,
delegations, entity bindings, second factors and OIDC keys. Each command checks who is
asking, runs in one transaction and writes its audit entry (and event) inside it. A refusal
is audited in its own short transaction before the error is raised, so it is never lost
with the rolled-back work."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from digigov.data.registries import selectors as registries
from digigov.kernel.audit.selectors import audit_entries
from digigov.kernel.audit.services import audit_record
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Throttled,
    ValidationFailed,
)
from digigov.kernel.events.services import event_publish
from digigov.kernel.ids import mask_id_number, resident_id_validate, uscc_validate
from digigov.kernel.principals import Principal

from .constants import DELEGATION_MAX_DAYS, DELEGATION_SCOPES, DEMO_PASSWORDS, ROLES
from .models import Account, Delegation, EntityBinding, OidcSigningKey

USERNAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,29}$")
PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
REALNAME_FAILURES_PER_HOUR = 5
PHONE_PURPOSE = "identity-phone"
OIDC_WRAP_PURPOSE = "identity-oidc-key-wrap"
SYSTEM_ACTOR = "system"
# Our own words for Django's password validators (its zh-hans catalog lags its messages).
PASSWORD_MESSAGES = {
    "password_too_short": "密码太短，至少需要 8 位",
    "password_too_common": "密码过于常见，请换一个不易被猜到的密码",
    "password_entirely_numeric": "密码不能全是数字",
    "password_too_similar": "密码与用户名过于相似",
}
_OPERATING_STATUSES = ("存续", "在业")


# ---------------------------------------------------------------------------- helpers


def _deny(
    principal: Principal | None,
    *,
    action: str,
    object_type: str,
    object_id: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit a refusal in its own transaction (the caller raises right after)."""
    with transaction.atomic():
        audit_record(
            actor=principal.actor if principal else "anonymous",
            action=action,
            object_type=object_type,
            object_id=object_id,
            outcome="denied",
            source_address=principal.source_address if principal else "",
            detail=detail or {},
        )


def _account_of(principal: Principal, *, kinds: tuple[str, ...], action: str) -> Account:
    """The principal's own account, if the principal is a person of one of `kinds`."""
    if principal.kind not in kinds or not principal.id:
        _deny(principal, action=action, object_type="Account", detail={"kind": principal.kind})
        labels = "、".join(dict(Account.Kind.choices)[k] for k in kinds)
        raise PermissionDenied(f"此操作仅限{labels}账号", code="account_kind_not_allowed")
    account = Account.objects.filter(pk=int(principal.id), is_active=True).first()
    if account is None:
        raise PermissionDenied("账号不存在或已停用", code="account_inactive")
    return account


def _check_scopes(scopes: list[str]) -> list[str]:
    cleaned = sorted(set(scopes))
    unknown = [s for s in cleaned if s not in DELEGATION_SCOPES]
    if not cleaned:
        raise ValidationFailed("请至少选择一项授权范围", fields={"scopes": ["请至少选择一项"]})
    if unknown:
        raise ValidationFailed(
            f"未知的授权范围：{'、'.join(unknown)}",
            fields={"scopes": [f"未知：{s}" for s in unknown]},
        )
    return cleaned


def _check_expiry(expires_at: dt.datetime) -> dt.datetime:
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    now = timezone.now()
    if expires_at <= now:
        raise ValidationFailed("有效期必须晚于当前时间", fields={"expires_at": ["必须晚于现在"]})
    if expires_at > now + dt.timedelta(days=DELEGATION_MAX_DAYS):
        raise ValidationFailed(
            f"有效期最长为 {DELEGATION_MAX_DAYS} 天",
            fields={"expires_at": [f"最长 {DELEGATION_MAX_DAYS} 天"]},
        )
    return expires_at


def _id_number(value: str, *, field: str) -> str:
    """The compact ID number, or ValidationFailed naming the form field and the reason."""
    try:
        return resident_id_validate(value).number
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=exc.code, fields={field: [exc.message]}) from None


def _uscc(value: str) -> str:
    try:
        return uscc_validate(value)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=exc.code, fields={"uscc": [exc.message]}) from None


def _phone_seal(account: Account, phone: str) -> str:
    key_id = crypto.key_active(purpose=PHONE_PURPOSE, create_algorithm="sm4-gcm")
    return crypto.encrypt(
        key_id=key_id, plaintext=phone.encode(), associated_data=f"account:{account.pk}".encode()
    )


def phone_open(account: Account) -> str:
    """The account's phone in clear, for the account holder's own use ("" if none)."""
    if not account.phone_sealed:
        return ""
    return crypto.decrypt(
        token=account.phone_sealed, associated_data=f"account:{account.pk}".encode()
    ).decode()


# ---------------------------------------------------------------------------- accounts


def account_register(
    *,
    username: str,
    password: str,
    phone: str,
    kind: str = Account.Kind.CITIZEN,
    source_address: str = "",
) -> Account:
    """L1: a citizen (or an enterprise agent) registers with username, password and phone."""
    username = (username or "").strip()
    phone = (phone or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in (Account.Kind.CITIZEN, Account.Kind.ENTERPRISE):
        errors["kind"] = ["只能注册个人或企业经办人账号"]
    if not USERNAME_PATTERN.match(username):
        errors["username"] = ["用户名须以字母开头，由 4-30 位字母、数字或下划线组成"]
    elif Account.objects.filter(username__iexact=username).exists():
        errors["username"] = ["该用户名已被注册"]
    if not PHONE_PATTERN.match(phone):
        errors["phone"] = ["请输入 11 位中国大陆手机号码"]
    try:
        validate_password(password, user=Account(username=username))
    except DjangoValidationError as exc:
        errors["password"] = [
            PASSWORD_MESSAGES.get(error.code, " ".join(error.messages)) for error in exc.error_list
        ]
    if errors:
        raise ValidationFailed("；".join(m for ms in errors.values() for m in ms), fields=errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                account = Account.objects.create_user(
                    username=username, password=password, kind=kind
                )
        except IntegrityError:
            raise ValidationFailed(
                "该用户名已被注册", fields={"username": ["该用户名已被注册"]}
            ) from None
        account.phone_sealed = _phone_seal(account, phone)
        account.save(update_fields=["phone_sealed"])
        audit_record(
            actor=f"{account.kind}:{account.pk}",
            action="identity.account.register",
            object_type="Account",
            object_id=str(account.pk),
            source_address=source_address,
            detail={"kind": account.kind},
        )
        event_publish(
            topic="identity.account.registered",
            payload={"account_id": account.pk, "kind": account.kind},
        )
    return account


def staff_account_create(
    *,
    actor: Principal | None,
    username: str,
    password: str,
    real_name: str,
    organization_id: int,
    roles: list[str],
    is_superuser: bool = False,
    back_office: bool = False,
) -> Account:
    """A civil servant's account in an organization, holding roles (Django groups)."""
    if actor is not None and not actor.has_perm("identity.add_account"):
        _deny(actor, action="identity.staff.create", object_type="Account")
        raise PermissionDenied("无权创建公职人员账号")
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValidationFailed(f"未知的角色：{'、'.join(unknown)}", fields={"roles": unknown})
    with transaction.atomic():
        account = Account.objects.create_user(
            username=username,
            password=password,
            kind=Account.Kind.STAFF,
            real_name=real_name,
            organization_id=organization_id,
            is_staff=back_office or is_superuser,
            is_superuser=is_superuser,
        )
        account.groups.set(Group.objects.filter(name__in=roles))
        audit_record(
            actor=actor.actor if actor else SYSTEM_ACTOR,
            action="identity.staff.create",
            object_type="Account",
            object_id=str(account.pk),
            source_address=actor.source_address if actor else "",
            detail={"organization_id": organization_id, "roles": sorted(roles)},
        )
    return account


@transaction.atomic
def account_back_office_change(
    *, principal: Principal, account_id: int, changed: list[str], created: bool
) -> None:
    """Record an account edit made in the back office (kind, organization, roles, status):
    the admin writes the row, the audit chain records who changed what."""
    audit_record(
        actor=principal.actor,
        action="identity.account.create" if created else "identity.account.change",
        object_type="Account",
        object_id=str(account_id),
        source_address=principal.source_address,
        detail={"fields": sorted(f for f in changed if f not in {"password1", "password2"})},
    )


@transaction.atomic
def roles_seed() -> dict[str, int]:
    """Create the staff roles and give each the permissions of ROLES that exist. Idempotent."""
    counts: dict[str, int] = {}
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)
        counts[name] = len(wanted)
    return counts


# ---------------------------------------------------------------------------- real name


def _realname_recent_failures(principal: Principal) -> int:
    since = timezone.now() - dt.timedelta(hours=1)
    return (
        audit_entries(actor=principal.actor, action="identity.realname.verify")
        .filter(outcome="denied", occurred_at__gte=since)
        .count()
    )


def realname_verify(*, principal: Principal, name: str, id_number: str) -> int:
    """L1 -> L2: the name and ID number match the population registry; the account is bound
    to that person. Returns the account's (new) level. Failures are audited and limited."""
    action = "identity.realname.verify"
    account = _account_of(principal, kinds=("citizen", "enterprise"), action=action)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写姓名", fields={"name": ["请填写姓名"]})
    number = _id_number(id_number, field="id_number")
    if account.real_name_level >= Account.RealNameLevel.VERIFIED:
        if account.person_id == number:
            return account.real_name_level
        raise Conflict("账号已完成实名核验，不能更换身份", code="realname_already_verified")
    if _realname_recent_failures(principal) >= REALNAME_FAILURES_PER_HOUR:
        _deny(
            principal,
            action=action,
            object_type="Account",
            object_id=str(account.pk),
            detail={"reason": "throttled"},
        )
        raise Throttled("实名核验失败次数过多，请一小时后再试", code="realname_throttled")
    masked = mask_id_number(number)
    if not registries.person_matches(id_number=number, name=name):
        _deny(
            principal,
            action=action,
            object_type="Account",
            object_id=str(account.pk),
            detail={"reason": "mismatch", "id_number": masked},
        )
        raise ValidationFailed(
            "姓名与身份证号不一致，或人口库中没有该记录",
            code="realname_mismatch",
            fields={"id_number": ["核验未通过"]},
        )
    if Account.objects.filter(kind=account.kind, person_id=number).exists():
        _deny(
            principal,
            action=action,
            object_type="Account",
            object_id=str(account.pk),
            detail={"reason": "taken", "id_number": masked},
        )
        raise Conflict("该身份证号已绑定其他同类账号", code="realname_taken")
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        locked.person_id = number
        locked.real_name = name
        locked.real_name_level = Account.RealNameLevel.VERIFIED
        try:
            with transaction.atomic():
                locked.save(update_fields=["person", "real_name", "real_name_level"])
        except IntegrityError:
            raise Conflict("该身份证号已绑定其他同类账号", code="realname_taken") from None
        audit_record(
            actor=principal.actor,
            action=action,
            object_type="Account",
            object_id=str(account.pk),
            source_address=principal.source_address,
            detail={"level": 2, "id_number": masked},
        )
        event_publish(
            topic="identity.realname.verified",
            payload={"account_id": account.pk, "level": 2},
        )
    return int(Account.RealNameLevel.VERIFIED)


def realname_verify_in_person(*, principal: Principal, account_id: int, place: str) -> int:
    """L2 -> L3: a civil servant checked the person's ID card face to face (who, where, when)."""
    action = "identity.realname.in_person"
    if principal.kind != "staff" or not principal.has_perm("identity.verify_in_person"):
        _deny(principal, action=action, object_type="Account", object_id=str(account_id))
        raise PermissionDenied("无权进行现场实名核验")
    place = (place or "").strip()
    if not place:
        raise ValidationFailed("请填写核验地点", fields={"place": ["请填写核验地点"]})
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(pk=account_id).first()
        if account is None or account.kind == Account.Kind.STAFF:
            raise NotFound("账号不存在")
        if account.real_name_level < Account.RealNameLevel.VERIFIED:
            raise ValidationFailed(
                "该账号尚未完成 L2 实名核验，请先在线核验姓名与身份证号",
                code="realname_l2_required",
            )
        account.real_name_level = Account.RealNameLevel.IN_PERSON
        account.verified_by_id = int(principal.id)
        account.verified_at = timezone.now()
        account.verified_place = place[:120]
        account.save(
            update_fields=["real_name_level", "verified_by", "verified_at", "verified_place"]
        )
        audit_record(
            actor=principal.actor,
            action=action,
            object_type="Account",
            object_id=str(account.pk),
            source_address=principal.source_address,
            detail={"level": 3, "place": account.verified_place},
        )
        event_publish(
            topic="identity.realname.verified",
            payload={"account_id": account.pk, "level": 3},
        )
    return int(Account.RealNameLevel.IN_PERSON)


# ---------------------------------------------------------------------------- delegations


def delegation_grant(
    *,
    principal: Principal,
    agent_id_number: str,
    agent_name: str,
    scopes: list[str],
    expires_at: dt.datetime,
) -> Delegation:
    """亲友代办: a real-name citizen authorises a relative (named by ID number and name, both
    matched against the population registry) to act for them within scopes until expiry."""
    action = "identity.delegation.grant"
    account = _account_of(principal, kinds=("citizen",), action=action)
    if account.real_name_level < Account.RealNameLevel.VERIFIED:
        _deny(principal, action=action, object_type="Delegation", detail={"reason": "level"})
        raise PermissionDenied("请先完成实名核验（L2）再授权亲友代办", code="realname_required")
    scopes = _check_scopes(scopes)
    expires_at = _check_expiry(expires_at)
    agent_name = (agent_name or "").strip()
    agent = _id_number(agent_id_number, field="agent_id_number")
    if agent == account.person_id:
        raise ValidationFailed("不能授权本人为代办人", fields={"agent_id_number": ["不能是本人"]})
    if not agent_name or not registries.person_matches(id_number=agent, name=agent_name):
        _deny(
            principal,
            action=action,
            object_type="Delegation",
            detail={"reason": "agent_mismatch", "agent": mask_id_number(agent)},
        )
        raise ValidationFailed(
            "代办人姓名与身份证号不一致，或人口库中没有该记录",
            code="agent_mismatch",
            fields={"agent_id_number": ["核验未通过"]},
        )
    with transaction.atomic():
        duplicate = Delegation.objects.filter(
            grantor=account,
            agent_id_number=agent,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists()
        if duplicate:
            raise Conflict("已向该代办人授权且仍有效，请先撤销原授权", code="delegation_exists")
        delegation = Delegation.objects.create(
            grantor=account,
            grantor_id_number=account.person_id,
            agent_id_number=agent,
            agent_name=agent_name,
            scopes=scopes,
            expires_at=expires_at,
        )
        audit_record(
            actor=principal.actor,
            action=action,
            object_type="Delegation",
            object_id=str(delegation.pk),
            source_address=principal.source_address,
            detail={
                "agent": mask_id_number(agent),
                "scopes": scopes,
                "expires_at": expires_at.isoformat(),
            },
        )
        event_publish(
            topic="identity.delegation.granted",
            payload={
                "delegation_id": delegation.pk,
                "grantor_account_id": account.pk,
                "scopes": scopes,
                "expires_at": expires_at.isoformat(),
            },
        )
    return delegation


def delegation_revoke(*, principal: Principal, delegation_id: int) -> None:
    """The grantor withdraws a delegation; it stops working at once."""
    action = "identity.delegation.revoke"
    account = _account_of(principal, kinds=("citizen",), action=action)
    with transaction.atomic():
        delegation = (
            Delegation.objects.select_for_update().filter(pk=delegation_id, grantor=account).first()
        )
        if delegation is not None and delegation.revoked_at is None:
            _delegation_revoked(principal, account, delegation)
    if delegation is None:
        # Someone else's delegation looks the same as a missing one.
        _deny(principal, action=action, object_type="Delegation", object_id=str(delegation_id))
        raise NotFound("授权记录不存在")


def _delegation_revoked(principal: Principal, account: Account, delegation: Delegation) -> None:
    action = "identity.delegation.revoke"
    delegation.revoked_at = timezone.now()
    delegation.revoked_by = account
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=principal.actor,
        action=action,
        object_type="Delegation",
        object_id=str(delegation.pk),
        source_address=principal.source_address,
    )
    event_publish(
        topic="identity.delegation.revoked",
        payload={"delegation_id": delegation.pk, "grantor_account_id": account.pk},
    )


# ---------------------------------------------------------------------------- enterprises


def _entity_operating(uscc: str, *, principal: Principal, action: str):
    code = _uscc(uscc)
    brief = registries.entity_brief(uscc=code)
    if brief is None:
        raise NotFound("法人基础库中没有该统一社会信用代码", code="entity_not_found")
    if brief.status not in _OPERATING_STATUSES:
        _deny(
            principal,
            action=action,
            object_type="Entity",
            object_id=code,
            detail={"reason": "status", "status": brief.status},
        )
        raise ValidationFailed(
            f"该主体登记状态为“{brief.status}”，不能绑定", code="entity_inactive"
        )
    return brief


def entity_bind(*, principal: Principal, uscc: str) -> EntityBinding:
    """An enterprise account binds an entity as its legal representative: the account's
    verified ID number must equal the registry's legal_rep_id_number for that entity."""
    action = "identity.entity.bind"
    account = _account_of(principal, kinds=("enterprise",), action=action)
    if account.real_name_level < Account.RealNameLevel.VERIFIED:
        _deny(principal, action=action, object_type="Entity", detail={"reason": "level"})
        raise PermissionDenied("请先完成实名核验（L2）再绑定企业", code="realname_required")
    brief = _entity_operating(uscc, principal=principal, action=action)
    if brief.legal_rep_id_number != account.person_id:
        _deny(
            principal,
            action=action,
            object_type="Entity",
            object_id=brief.uscc,
            detail={"reason": "not_legal_rep"},
        )
        raise PermissionDenied(
            "您不是该主体登记的法定代表人，请由法定代表人授权后办理", code="not_legal_rep"
        )
    with transaction.atomic():
        existing = EntityBinding.objects.filter(
            account=account, entity_id=brief.uscc, revoked_at__isnull=True
        ).first()
        if existing is not None and existing.role == EntityBinding.Role.LEGAL_REP:
            return existing
        if existing is not None:  # an agent who became the legal representative
            existing.revoked_at = timezone.now()
            existing.save(update_fields=["revoked_at"])
        binding = EntityBinding.objects.create(
            account=account,
            entity_id=brief.uscc,
            role=EntityBinding.Role.LEGAL_REP,
            scopes=sorted(DELEGATION_SCOPES),
        )
        audit_record(
            actor=principal.actor,
            action=action,
            object_type="Entity",
            object_id=brief.uscc,
            source_address=principal.source_address,
            detail={"binding_id": binding.pk, "role": binding.role},
        )
        event_publish(
            topic="identity.entity.bound",
            payload={
                "binding_id": binding.pk,
                "account_id": account.pk,
                "uscc": brief.uscc,
                "role": binding.role,
            },
        )
    return binding


def _legal_rep_binding(account: Account, uscc: str) -> EntityBinding | None:
    return EntityBinding.objects.filter(
        account=account,
        entity_id=uscc,
        role=EntityBinding.Role.LEGAL_REP,
        revoked_at__isnull=True,
    ).first()


def entity_agent_authorise(
    *,
    principal: Principal,
    uscc: str,
    agent_id_number: str,
    agent_name: str,
    scopes: list[str],
    expires_at: dt.datetime,
) -> EntityBinding:
    """授权代理: the legal representative authorises another real-name enterprise account
    (named by ID number and name) to act for the entity within scopes until expiry."""
    action = "identity.entity.agent_authorise"
    account = _account_of(principal, kinds=("enterprise",), action=action)
    scopes = _check_scopes(scopes)
    expires_at = _check_expiry(expires_at)
    code = _uscc(uscc)
    rep = _legal_rep_binding(account, code)
    if rep is None:
        _deny(
            principal,
            action=action,
            object_type="Entity",
            object_id=code,
            detail={"reason": "not_legal_rep"},
        )
        raise PermissionDenied("只有已绑定的法定代表人可以授权代理人", code="not_legal_rep")
    agent_number = _id_number(agent_id_number, field="agent_id_number")
    agent = Account.objects.filter(
        kind=Account.Kind.ENTERPRISE,
        person_id=agent_number,
        real_name_level__gte=Account.RealNameLevel.VERIFIED,
        is_active=True,
    ).first()
    if agent is None or agent.real_name != (agent_name or "").strip():
        _deny(
            principal,
            action=action,
            object_type="Entity",
            object_id=code,
            detail={"reason": "agent_unknown", "agent": mask_id_number(agent_number)},
        )
        raise ValidationFailed(
            "代理人须先注册企业经办人账号并完成实名核验，且姓名与身份证号一致",
            code="agent_not_found",
            fields={"agent_id_number": ["未找到已实名的企业经办人账号"]},
        )
    if agent.pk == account.pk:
        raise ValidationFailed("不能授权本人为代理人", fields={"agent_id_number": ["不能是本人"]})
    with transaction.atomic():
        if EntityBinding.objects.filter(
            account=agent, entity_id=code, revoked_at__isnull=True
        ).exists():
            raise Conflict("该人员已是本企业的有效代理人，请先撤销原授权", code="agent_exists")
        binding = EntityBinding.objects.create(
            account=agent,
            entity_id=code,
            role=EntityBinding.Role.AGENT,
            scopes=scopes,
            granted_by=account,
            expires_at=expires_at,
        )
        audit_record(
            actor=principal.actor,
            action=action,
            object_type="Entity",
            object_id=code,
            source_address=principal.source_address,
            detail={
                "binding_id": binding.pk,
                "agent_account_id": agent.pk,
                "scopes": scopes,
                "expires_at": expires_at.isoformat(),
            },
        )
        event_publish(
            topic="identity.entity.agent_authorised",
            payload={
                "binding_id": binding.pk,
                "account_id": agent.pk,
                "uscc": code,
                "scopes": scopes,
                "expires_at": expires_at.isoformat(),
            },
        )
    return binding


def entity_agent_revoke(*, principal: Principal, binding_id: int) -> None:
    """The legal representative withdraws an agent's authorisation."""
    action = "identity.entity.agent_revoke"
    account = _account_of(principal, kinds=("enterprise",), action=action)
    with transaction.atomic():
        binding = (
            EntityBinding.objects.select_for_update()
            .filter(pk=binding_id, role=EntityBinding.Role.AGENT)
            .first()
        )
        if binding is not None and _legal_rep_binding(account, binding.entity_id) is None:
            binding = None
        if binding is not None and binding.revoked_at is None:
            _agent_revoked(principal, binding)
    if binding is None:
        _deny(principal, action=action, object_type="EntityBinding", object_id=str(binding_id))
        raise NotFound("授权记录不存在")


def _agent_revoked(principal: Principal, binding: EntityBinding) -> None:
    action = "identity.entity.agent_revoke"
    binding.revoked_at = timezone.now()
    binding.save(update_fields=["revoked_at"])
    audit_record(
        actor=principal.actor,
        action=action,
        object_type="Entity",
        object_id=binding.entity_id,
        source_address=principal.source_address,
        detail={"binding_id": binding.pk},
    )
    event_publish(
        topic="identity.entity.agent_revoked",
        payload={"binding_id": binding.pk, "uscc": binding.entity_id},
    )


# ---------------------------------------------------------------------------- second factor


@transaction.atomic
def login_password_accepted(*, account_id: int, source_address: str = "") -> None:
    """A civil servant's password was right; the session starts only after the TOTP step."""
    audit_record(
        actor=f"staff:{account_id}",
        action="identity.login.password",
        object_type="Account",
        object_id=str(account_id),
        source_address=source_address,
        detail={"second_factor": "pending"},
    )


def totp_device_for_enrolment(*, account_id: int):
    """The account's TOTP device to enrol: the unconfirmed one, created on first call."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        device = TOTPDevice.objects.filter(user_id=account_id, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user_id=account_id, name="身份验证器", confirmed=False
            )
            audit_record(
                actor=f"staff:{account_id}",
                action="identity.otp.enrol_start",
                object_type="TOTPDevice",
                object_id=str(device.pk),
            )
    return device


def totp_verify(*, account_id: int, token: str, source_address: str = ""):
    """Check a TOTP code against the account's devices (confirmed ones first, then the one
    being enrolled, which a correct code confirms). Returns the device or None; audited.
    django-otp throttles repeated failures per device and refuses a reused code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    token = (token or "").strip()
    devices = list(TOTPDevice.objects.filter(user_id=account_id).order_by("-confirmed", "pk"))
    matched = None
    if token.isdigit():
        for device in devices:
            if device.verify_token(token):
                matched = device
                break
    with transaction.atomic():
        if matched is not None and not matched.confirmed:
            matched.confirmed = True
            matched.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user_id=account_id, confirmed=False).delete()
        audit_record(
            actor=f"staff:{account_id}",
            action="identity.otp.verify",
            object_type="TOTPDevice",
            object_id=str(matched.pk) if matched else "",
            outcome="success" if matched else "denied",
            source_address=source_address,
        )
    return matched


def totp_device_create(*, account_id: int, key_hex: str | None = None, confirmed: bool = True):
    """A TOTP device for an account (the demo seed and tests; staff enrol themselves)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        device = TOTPDevice.objects.create(
            user_id=account_id,
            name="身份验证器",
            key=key_hex or secrets.token_hex(20),
            confirmed=confirmed,
        )
        audit_record(
            actor=SYSTEM_ACTOR,
            action="identity.otp.device_create",
            object_type="TOTPDevice",
            object_id=str(device.pk),
            detail={"account_id": account_id},
        )
    return device


# ---------------------------------------------------------------------------- OIDC keys


def _oidc_key_new(*, actor: str) -> OidcSigningKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwcrypto import jwk

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    key = jwk.JWK.from_pem(pem.encode())
    kid = key.thumbprint()  # the kid django-oauth-toolkit writes in ID token headers
    wrap_key = crypto.key_active(purpose=OIDC_WRAP_PURPOSE, create_algorithm="sm4-gcm")
    row = OidcSigningKey.objects.create(
        kid=kid,
        private_key_sealed=crypto.encrypt(
            key_id=wrap_key, plaintext=pem.encode(), associated_data=kid.encode()
        ),
        public_jwk={
            **json.loads(key.export_public()),
            "alg": "RS256",
            "use": "sig",
            "kid": kid,
        },
        is_active=True,
    )
    audit_record(
        actor=actor,
        action="identity.oidc.key_create",
        object_type="OidcSigningKey",
        object_id=kid,
    )
    return row


def oidc_key_private_pem(key: OidcSigningKey) -> str:
    return crypto.decrypt(token=key.private_key_sealed, associated_data=key.kid.encode()).decode()


def oidc_key_ensure() -> OidcSigningKey:
    """The active signing key, created on first use. Safe under concurrent first use."""
    existing = OidcSigningKey.objects.filter(is_active=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _oidc_key_new(actor=SYSTEM_ACTOR)
    except IntegrityError:  # another process made it first
        return OidcSigningKey.objects.get(is_active=True)


def oidc_key_rotate(*, actor: str = SYSTEM_ACTOR) -> OidcSigningKey:
    """A new active signing key; the previous one stays published in the JWKS (for
    DIGIGOV_OIDC_RETIRED_KEY_SECONDS) so ID tokens it signed keep verifying."""
    with transaction.atomic():
        previous = list(OidcSigningKey.objects.select_for_update().filter(is_active=True))
        OidcSigningKey.objects.filter(is_active=True).update(
            is_active=False, retired_at=timezone.now()
        )
        key = _oidc_key_new(actor=actor)
        audit_record(
            actor=actor,
            action="identity.oidc.key_rotate",
            object_type="OidcSigningKey",
            object_id=key.kid,
            detail={"retired": [k.kid for k in previous]},
        )

        from .oidc import keyring

        # Now (this process, this transaction) and again once committed (other threads).
        keyring.clear()
        transaction.on_commit(keyring.clear)
    return key


@transaction.atomic
def oidc_consent_record(*, principal: Principal, client_id: str, scope: str, allowed: bool) -> None:
    """A person allowed or refused an OIDC client access to their identity."""
    audit_record(
        actor=principal.actor,
        action="identity.oidc.consent",
        object_type="Application",
        object_id=client_id,
        outcome="success" if allowed else "denied",
        source_address=principal.source_address,
        detail={"scope": scope},
    )


def oidc_client_ensure(
    *,
    client_id: str,
    name: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
    trusted: bool,
    actor: str = SYSTEM_ACTOR,
):
    """A public OIDC client (authorization code + PKCE, RS256 ID tokens). Trusted
    first-party clients skip the consent page. Idempotent on client_id."""
    from oauth2_provider.models import get_application_model

    Application = get_application_model()
    wanted = {
        "name": name,
        "client_type": Application.CLIENT_PUBLIC,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": " ".join(redirect_uris),
        "post_logout_redirect_uris": " ".join(post_logout_redirect_uris),
        "algorithm": Application.RS256_ALGORITHM,
        "skip_authorization": trusted,
    }
    with transaction.atomic():
        app = Application.objects.filter(client_id=client_id).first()
        if app is not None and all(getattr(app, k) == v for k, v in wanted.items()):
            return app
        if app is None:
            app = Application(client_id=client_id, client_secret="", **wanted)
        else:
            for field, value in wanted.items():
                setattr(app, field, value)
        app.save()
        audit_record(
            actor=actor,
            action="identity.oidc.client_save",
            object_type="Application",
            object_id=client_id,
            detail={"trusted": trusted, "redirect_uris": redirect_uris},
        )
    return app


# ---------------------------------------------------------------------------- demo data

DEMO_CLIENT_ID = "digigov-demo"
DEMO_ORGANIZATION_CODE = "440000-zsj"  # 广东省政务服务数据管理局


def demo_accounts_seed(*, seed: int = 2021) -> dict[str, str]:
    """Demo logins for every role, bound to the first demo registry rows. Idempotent: an
    existing demo account is left as it is (password, device and all)."""
    from digigov.data.registries.services import demo_entity_usccs, demo_person_id_numbers
    from digigov.kernel.organizations.models import Organization

    roles_seed()
    people = demo_person_id_numbers(seed=seed, count=5)
    entity = registries.entity_brief(uscc=demo_entity_usccs(seed=seed, count=1)[0])
    organization = Organization.objects.get(code=DEMO_ORGANIZATION_CODE)
    made: dict[str, str] = {}

    def person_account(username: str, kind: str, id_number: str, level: int) -> Account:
        account = Account.objects.filter(username=username).first()
        if account is not None:
            return account
        brief = registries.person_brief(id_number=id_number)
        with transaction.atomic():
            account = Account.objects.create_user(
                username=username,
                password=DEMO_PASSWORDS[username],
                kind=kind,
                real_name=brief.name if brief else "",
                person_id=id_number,
                real_name_level=level,
            )
            account.phone_sealed = _phone_seal(account, f"1380000{account.pk:04d}")
            account.save(update_fields=["phone_sealed"])
            audit_record(
                actor=SYSTEM_ACTOR,
                action="identity.demo.account",
                object_type="Account",
                object_id=str(account.pk),
                detail={"username": username, "level": level},
            )
        made[username] = "created"
        return account

    citizen = person_account("citizen", Account.Kind.CITIZEN, people[0], 2)
    elder = person_account("elder", Account.Kind.CITIZEN, people[1], 2)
    business = person_account("business", Account.Kind.ENTERPRISE, entity.legal_rep_id_number, 2)
    if not EntityBinding.objects.filter(account=business, revoked_at__isnull=True).exists():
        entity_bind(principal=business.as_principal(), uscc=entity.uscc)
        made["business_binding"] = entity.uscc
    # The elderly demo citizen lets the citizen handle matters for them (亲友代办).
    if not Delegation.objects.filter(grantor=elder, revoked_at__isnull=True).exists():
        delegation_grant(
            principal=elder.as_principal(),
            agent_id_number=citizen.person_id,
            agent_name=citizen.real_name,
            scopes=["apply", "query"],
            expires_at=timezone.now() + dt.timedelta(days=365),
        )
        made["delegation"] = "elder -> citizen"
    for username, roles, superuser in (
        ("staff", ["窗口受理人员", "审批人员", "数据管理员"], False),
        ("admin", list(ROLES), True),
    ):
        account = Account.objects.filter(username=username).first()
        if account is None:
            account = staff_account_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORDS[username],
                real_name="演示管理员" if superuser else "演示窗口人员",
                organization_id=organization.pk,
                roles=roles,
                is_superuser=superuser,
                back_office=True,
            )
            made[username] = "created"
        from django_otp.plugins.otp_totp.models import TOTPDevice

        if not TOTPDevice.objects.filter(user=account, confirmed=True).exists():
            totp_device_create(account_id=account.pk)
    oidc_key_ensure()
    oidc_client_ensure(
        client_id=DEMO_CLIENT_ID,
        name="digigov 演示客户端",
        redirect_uris=["http://127.0.0.1:8000/oidc/callback"],
        post_logout_redirect_uris=["http://127.0.0.1:8000/"],
        trusted=True,
    )
    return made


def identity_demo_seed(*, seed: int, **_options) -> str:
    made = demo_accounts_seed(seed=seed)
    return "、".join(f"{k}（{v}）" for k, v in made.items()) or "已存在，未改动"


def demo_staff_account(
    *, username: str, org_code: str, roles: list[str], name: str, add_roles: bool = True
) -> tuple[Account | None, bool]:
    """(account, made) for one demo staff account with a confirmed TOTP device; an existing
    account gets `roles` added when `add_roles`. (None, False) when the organization is absent."""
    from digigov.kernel.organizations.models import Organization

    from .selectors import totp_enrolment_needed

    made = False
    account = Account.objects.filter(username=username).first()
    if account is None:
        organization = Organization.objects.filter(code=org_code).first()
        if organization is None:
            return None, False
        account = staff_account_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORDS["staff"],
            real_name=name,
            organization_id=organization.pk,
            roles=roles,
        )
        made = True
    elif add_roles:
        account.groups.add(*Group.objects.filter(name__in=roles))
    if totp_enrolment_needed(account_id=account.pk):
        totp_device_create(account_id=account.pk)
    return account, made


def demo_staff_ensure(
    *, staff: dict[str, tuple[str, list[str], str, str]], add_roles: bool = True
) -> list[str]:
    """The demo staff accounts {username: (org_code, roles, name, label)}, idempotent;
    returns the usernames made now."""
    made = []
    for username, (org_code, roles, name, _label) in staff.items():
        _, created = demo_staff_account(
            username=username, org_code=org_code, roles=roles, name=name, add_roles=add_roles
        )
        if created:
            made.append(username)
    return made
