"""Test data for identity: registry rows (directly via the registry models, the way the
registries app stores them) and accounts (through identity's own services)."""

from __future__ import annotations

import datetime as dt
import itertools

from stdnum.cn import ric, uscc

from digigov.data.registries.models import Entity, Person
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region
from digigov.support.identity import services
from digigov.support.identity.models import Account

_sequence = itertools.count(1)
PASSWORD = "Shenzhen#2025"


def id_number(*, region: str = "440106", birth: str = "19900101", seq: int | None = None) -> str:
    body = f"{region}{birth}{(seq if seq is not None else next(_sequence)) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder digit


def uscc_code(*, region: str = "440106") -> str:
    body = f"91{region}{next(_sequence):09d}"
    return body + uscc.calc_check_digit(body)


def regions() -> Region:
    province, _ = Region.objects.get_or_create(
        code="440000", defaults={"name": "广东省", "level": Region.Level.PROVINCE}
    )
    city, _ = Region.objects.get_or_create(
        code="440100", defaults={"name": "广州市", "level": Region.Level.CITY, "parent": province}
    )
    county, _ = Region.objects.get_or_create(
        code="440106", defaults={"name": "天河区", "level": Region.Level.COUNTY, "parent": city}
    )
    return county


def person(*, name: str = "张三", number: str | None = None) -> Person:
    number = number or id_number()
    return Person.objects.create(
        id_number=number,
        name=name,
        gender="M" if int(number[16]) % 2 else "F",
        birth_date=dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        ethnicity="汉族",
        household_region=regions(),
        residence_address_sealed="(test)",
    )


def entity(
    *, legal_rep: Person, name: str = "广州示例科技有限公司", status: str = "存续"
) -> Entity:
    return Entity.objects.create(
        uscc=uscc_code(),
        name=name,
        entity_type="有限责任公司",
        legal_rep_name=legal_rep.name,
        legal_rep_id_number=legal_rep.id_number,
        address_sealed="(test)",
        region=regions(),
        status=status,
        established_date=dt.date(2015, 3, 1),
    )


def organization(
    *, code: str = "440000-zsj", name: str = "广东省政务服务数据管理局"
) -> Organization:
    org, _ = Organization.objects.get_or_create(
        code=code,
        defaults={"name": name, "level": Organization.Level.PROVINCE, "region": regions()},
    )
    return org


def account(
    *,
    username: str | None = None,
    kind: str = "citizen",
    password: str = PASSWORD,
    phone: str = "13812345678",
) -> Account:
    return services.account_register(
        username=username or f"user{next(_sequence)}",
        password=password,
        phone=phone,
        kind=kind,
        source_address="127.0.0.1",
    )


def verified_account(
    *, kind: str = "citizen", name: str = "张三", username: str | None = None
) -> Account:
    """An L2 account bound to a fresh registry person."""
    row = person(name=name)
    created = account(username=username, kind=kind)
    services.realname_verify(principal=created.as_principal(), name=name, id_number=row.id_number)
    created.refresh_from_db()
    return created


def staff(*, roles: list[str] | None = None, username: str | None = None) -> Account:
    services.roles_seed()
    return services.staff_account_create(
        actor=None,
        username=username or f"staff{next(_sequence)}",
        password=PASSWORD,
        real_name="王科员",
        organization_id=organization().pk,
        roles=roles or [],
    )


def system() -> Principal:
    return Principal(kind="system", id="test")
