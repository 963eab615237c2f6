"""Accounts for tests, made through the services a user's actions go through (registration,
real-name check, entity binding, staff creation with a TOTP device), and signing a Django
test client in. Used by the tests of every app above identity."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load

from . import services as identity
from .backends import SESSION_BACKEND

PASSWORD = "Identity@2025"  # noqa: S105 (test accounts only)
MODEL_BACKEND = SESSION_BACKEND  # force_login signs in as the login views do


def _fresh(account):
    return get_user_model().objects.get(pk=account.pk)


def citizen_make(
    username: str, id_number: str | None = None, *, password: str = PASSWORD, kind="citizen"
):
    """A registered account (L1); with an ID number, also real-name verified (L2)."""
    phone = "13900139000" if kind == "enterprise" else "13800138000"
    account = identity.account_register(
        username=username, password=password, phone=phone, kind=kind
    )
    if id_number:
        name = person_brief(id_number=id_number).name
        identity.realname_verify(principal=account.as_principal(), name=name, id_number=id_number)
    return _fresh(account)


def enterprise_make(username: str, id_number: str, *, password: str = PASSWORD):
    """An enterprise account, real-name verified as the person with id_number."""
    return citizen_make(username, id_number, password=password, kind="enterprise")


def legal_rep_make(username: str, uscc: str, *, password: str = PASSWORD):
    """An enterprise account of the entity's legal representative, bound to the entity."""
    account = enterprise_make(
        username, entity_brief(uscc=uscc).legal_rep_id_number, password=password
    )
    identity.entity_bind(principal=account.as_principal(), uscc=uscc)
    return _fresh(account)


def staff_make(
    username: str,
    *,
    organization_code: str,
    roles: tuple[str, ...] | list[str],
    password: str = PASSWORD,
    real_name: str = "测试公务员",
):
    """A civil servant holding roles, with a confirmed TOTP device as `account.device`
    (regions and city-level departments are loaded when missing)."""
    if not Organization.objects.filter(code=organization_code).exists():
        if not Region.objects.filter(code="440000").exists():
            regions_load()
        organizations_seed(county_level=False, town_level=False)
    identity.roles_seed()
    account = identity.staff_account_create(
        actor=None,
        username=username,
        password=password,
        real_name=real_name,
        organization_id=Organization.objects.get(code=organization_code).pk,
        roles=list(roles),
    )
    account.device = identity.totp_device_create(account_id=account.pk)
    return account


def principal_of(account) -> Principal:
    """The account's principal as a request that passed every check would build it."""
    return _fresh(account).as_principal()


def login(client, account, *, verified: bool = True):
    """Sign the test client in; a staff account with a device also passes the TOTP step
    (as django-otp records it in the session) unless verified=False."""
    client.force_login(account, backend=MODEL_BACKEND)
    device = getattr(account, "device", None)
    if verified and device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
