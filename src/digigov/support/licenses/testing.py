"""Test data of the licenses app for its own tests, other apps' tests and browser tests."""

from __future__ import annotations

from dataclasses import dataclass

from digigov.data.registries.services import (
    demo_entity_usccs,
    demo_person_id_numbers,
    registry_demo_generate,
)
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load

from .models import LicenseType

SYSTEM = Principal(kind="system", id="test")


@dataclass(frozen=True)
class World:
    people: list[str]
    usccs: list[str]


def world_make(*, people: int = 6, entities: int = 3) -> World:
    """Regions, city departments and a few registry people and entities."""
    if not Region.objects.filter(code="440000").exists():
        regions_load()
    if not Organization.objects.filter(code="440100-scjg").exists():
        organizations_seed(county_level=False, town_level=False)
    registry_demo_generate(people=people, entities=entities)
    return World(demo_person_id_numbers(count=people), demo_entity_usccs(count=entities))


def type_make(
    code: str = "TESTZ",
    *,
    name: str = "测试证",
    issuing_function: str = "scjg",
    holder_kind: str = "person",
    validity_years: int | None = 5,
    fields: list[dict] | None = None,
) -> LicenseType:
    license_type, _ = LicenseType.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "issuing_function": issuing_function,
            "holder_kind": holder_kind,
            "validity_years": validity_years,
            "fields": fields
            if fields is not None
            else [
                {
                    "key": "category",
                    "label": "类别",
                    "type": "enum",
                    "required": True,
                    "choices": ["甲", "乙"],
                },
                {"key": "issued_on", "label": "发证日期", "type": "date"},
            ],
        },
    )
    return license_type


def issuer(code: str = "440100-scjg") -> Organization:
    return Organization.objects.get(code=code)
