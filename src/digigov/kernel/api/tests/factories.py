"""Machine clients, keys, OAuth2 tokens and accounts for the API tests, made through services
where a service exists."""

from __future__ import annotations

import itertools
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import get_access_token_model, get_application_model

from digigov.kernel.api import services
from digigov.kernel.api.models import MachineClient
from digigov.kernel.principals import Principal

OPERATOR = Principal(kind="staff", id="1", label="平台管理员", source_address="127.0.0.1")
_names = itertools.count(1)


def machine_client(*, scopes: list[str], name: str | None = None) -> MachineClient:
    return services.machine_client_create(
        actor=OPERATOR, name=name or f"测试系统 {next(_names)}", scopes=scopes
    )


def api_key(client: MachineClient, *, days_valid: int | None = 365) -> str:
    return services.api_key_issue(actor=OPERATOR, client_id=client.pk, days_valid=days_valid).key


def oauth_application(client: MachineClient | None = None):
    application = get_application_model().objects.create(
        name=f"oauth-{next(_names)}",
        client_type="confidential",
        authorization_grant_type="client-credentials",
    )
    if client is not None:
        client.oauth_application = application
        client.save(update_fields=["oauth_application"])
    return application


def access_token(application, *, scope: str, user=None, seconds: int = 3600, hashed=False) -> str:
    """An AccessToken as django-oauth-toolkit stores one after a client-credentials grant."""
    raw = secrets.token_urlsafe(24)
    token = get_access_token_model()(
        application=application,
        user=user,
        scope=scope,
        expires=timezone.now() + timezone.timedelta(seconds=seconds),
    )
    if hashed:  # COMPLIANT_BCP_RFC9700_TOKEN_STORAGE: only the checksum is kept
        token._raw_token, token.token = raw, ""
    else:
        token.token = raw
    token.save()
    return raw


def account(*, kind: str = "citizen", permissions: tuple[str, ...] = ()):
    user = get_user_model().objects.create_user(
        username=f"user{next(_names)}", password=secrets.token_urlsafe(12), kind=kind
    )
    for dotted in permissions:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def log_in(client, user, *, second_factor: bool = True) -> None:
    """A session as after the password step and, for staff, the TOTP step."""
    client.force_login(user)
    if second_factor:
        device = TOTPDevice.objects.create(user=user, name="测试令牌", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
