"""Test data for the portal tests and the browser tests, made through the services a user's
actions would go through (registration, real-name check, entity binding, staff creation)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.data.registries.services import (
    demo_entity_usccs,
    demo_person_id_numbers,
    registry_demo_generate,
)
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load
from digigov.support.identity import services as identity

PASSWORD = "Portal@2025"  # noqa: S105 (test accounts only)
ORGANIZATION_CODE = "440000-zsj"  # 广东省政务服务数据管理局


@dataclass(frozen=True)
class Registry:
    id_numbers: list[str]  # the first demo people (citizens, relatives)
    usccs: list[str]  # the first demo entities

    def name_of(self, id_number: str) -> str:
        brief = person_brief(id_number=id_number)
        assert brief is not None, id_number
        return brief.name


def registry_make(*, people: int = 8, entities: int = 2) -> Registry:
    """A few registry rows (regions are loaded on the way)."""
    registry_demo_generate(people=people, entities=entities)
    return Registry(
        id_numbers=demo_person_id_numbers(count=people),
        usccs=demo_entity_usccs(count=entities),
    )


def citizen_make(
    *, username: str, id_number: str | None = None, password: str = PASSWORD, kind="citizen"
):
    """A registered account (L1); with an ID number, also real-name verified (L2)."""
    account = identity.account_register(
        username=username, password=password, phone="13800138000", kind=kind
    )
    if id_number:
        brief = person_brief(id_number=id_number)
        identity.realname_verify(
            principal=account.as_principal(), name=brief.name, id_number=id_number
        )
    return get_user_model().objects.get(pk=account.pk)


def enterprise_agent_make(*, username: str, uscc: str, password: str = PASSWORD):
    """An enterprise account bound to the entity as its legal representative."""
    entity = entity_brief(uscc=uscc)
    account = citizen_make(
        username=username,
        id_number=entity.legal_rep_id_number,
        password=password,
        kind="enterprise",
    )
    identity.entity_bind(principal=account.as_principal(), uscc=uscc)
    return account


def staff_make(*, username: str, password: str = PASSWORD, roles: tuple[str, ...] = ("审批人员",)):
    """A civil servant at the provincial data bureau, holding roles (no second factor yet)."""
    if not Organization.objects.filter(code=ORGANIZATION_CODE).exists():
        if not Region.objects.filter(code="440000").exists():
            regions_load()
        organizations_seed(county_level=False, town_level=False)
    identity.roles_seed()
    organization = Organization.objects.get(code=ORGANIZATION_CODE)
    return identity.staff_account_create(
        actor=None,
        username=username,
        password=password,
        real_name="测试窗口人员",
        organization_id=organization.pk,
        roles=list(roles),
    )


def totp_device_make(account):
    return identity.totp_device_create(account_id=account.pk)


def totp_code(device, *, offset_steps: int = 0) -> str:
    """The device's current code (offset_steps > 0: a later one, to avoid a used code)."""
    from django_otp.oath import TOTP

    # The server may have moved the device's drift when an earlier code was verified
    # across a 30-second step boundary: compute with what it stores now.
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"
