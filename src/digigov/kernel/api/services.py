"""Machine clients and their credentials."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import ValidationFailed
from digigov.kernel.prepared import Prepared
from digigov.kernel.principals import Principal

from .models import ApiKey, MachineClient
from .scopes import KNOWN_SCOPES


@dataclass(frozen=True)
class IssuedKey:
    client_id: int
    key: str  # shown once; only its digest is stored


def _key_digest(secret: str) -> str:
    return crypto.digest(secret.encode()).hex()


def _check_scopes(scopes: list[str]) -> None:
    unknown = sorted(set(scopes) - set(KNOWN_SCOPES))
    if unknown:
        raise ValidationFailed(
            f"未知的授权范围：{'、'.join(unknown)}",
            fields={"scopes": [f"未知：{s}" for s in unknown]},
        )


@transaction.atomic
def machine_client_create(
    *, actor: Principal, name: str, scopes: list[str], organization_id: int | None = None
) -> MachineClient:
    _check_scopes(scopes)
    if MachineClient.objects.filter(name=name).exists():
        raise ValidationFailed("客户端名称已存在", fields={"name": ["名称已存在"]})
    client = MachineClient.objects.create(
        name=name, scopes=sorted(set(scopes)), organization_id=organization_id
    )
    audit_record(
        actor=actor.actor,
        action="api.client.create",
        object_type="MachineClient",
        object_id=str(client.pk),
        source_address=actor.source_address,
        detail={"scopes": client.scopes},
    )
    return client


@transaction.atomic
def api_key_issue(*, actor: Principal, client_id: int, days_valid: int | None = 365) -> IssuedKey:
    prefix = secrets.token_hex(4)
    secret = f"dg_{prefix}_{secrets.token_urlsafe(24)}"
    expires = timezone.now() + timezone.timedelta(days=days_valid) if days_valid else None
    key = ApiKey.objects.create(
        client_id=client_id, prefix=prefix, digest=_key_digest(secret), expires_at=expires
    )
    audit_record(
        actor=actor.actor,
        action="api.key.issue",
        object_type="ApiKey",
        object_id=str(key.pk),
        source_address=actor.source_address,
        detail={"client": client_id, "prefix": prefix},
    )
    return IssuedKey(client_id=client_id, key=secret)


@transaction.atomic
def api_key_revoke(*, actor: Principal, key_id: int) -> None:
    ApiKey.objects.filter(pk=key_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(
        actor=actor.actor,
        action="api.key.revoke",
        object_type="ApiKey",
        object_id=str(key_id),
        source_address=actor.source_address,
    )


# Every machine call runs this: compiled once (kernel.prepared), since compiling the ORM's
# join cost about as much CPU as the rest of a simple keyed read.
_KEY = Prepared(
    lambda prefix: ApiKey.objects.filter(
        prefix=prefix, revoked_at__isnull=True, client__is_active=True
    ).values_list(
        "digest",
        "expires_at",
        "client_id",
        "client__name",
        "client__organization_id",
        "client__scopes",
    )[:1],
    prefix="",
)


def api_key_authenticate(secret: str) -> MachineClient | None:
    """The active client for a presented key, or None. Constant-time digest comparison.
    The client is loaded with the fields a principal needs (id, name, organization, scopes)."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != "dg":
        return None
    row = _KEY.first(prefix=parts[1])
    if row is None:
        return None
    digest, expires_at, client_id, name, organization_id, scopes = row
    if not secrets.compare_digest(digest, _key_digest(secret)):
        return None
    if expires_at and expires_at <= timezone.now():
        return None
    return MachineClient(
        id=client_id, name=name, organization_id=organization_id, scopes=scopes, is_active=True
    )


def machine_principal(
    client: MachineClient, *, source_address: str = "", scopes: frozenset[str] | None = None
) -> Principal:
    granted = frozenset(client.scopes)
    return Principal(
        kind="machine",
        id=str(client.pk),
        label=client.name,
        organization_id=client.organization_id,
        scopes=granted if scopes is None else granted & scopes,
        source_address=source_address,
    )


@dataclass(frozen=True)
class OAuthCredentials:
    client_id: str
    client_secret: str  # shown once; django-oauth-toolkit stores only its hash


@transaction.atomic
def machine_client_oauth_enable(*, actor: Principal, machine_client_id: int) -> OAuthCredentials:
    """Give a machine client OAuth2 client-credentials access (a confidential application).

    Tokens it obtains carry at most the client's own scopes (kernel.api.auth intersects)."""
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import get_application_model

    client = MachineClient.objects.select_for_update().get(pk=machine_client_id)
    if client.oauth_application_id:
        raise ValidationFailed("该客户端已开通 OAuth2 客户端凭据", code="oauth_already_enabled")
    application_model = get_application_model()
    secret = generate_client_secret()
    application = application_model(
        name=f"machine:{client.name}",
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        skip_authorization=True,
    )
    application.save()
    client.oauth_application = application
    client.save(update_fields=["oauth_application"])
    audit_record(
        actor=actor.actor,
        action="api.client.oauth_enable",
        object_type="MachineClient",
        object_id=str(client.pk),
        source_address=actor.source_address,
        detail={"oauth_client_id": application.client_id},
    )
    return OAuthCredentials(client_id=application.client_id, client_secret=secret)
