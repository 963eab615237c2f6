"""Helpers and fixtures of the 一件事 tests; no tests here. Test modules import what they
use with `from .test_bundles_support import *`.

The test bundle "test-birth" has three components served by provincial departments (so
every demo person's region is served): two mandatory instant items and an optional one.
Rules: the applicant exists in the registry, and (item A only) the child is not named
"不予" — the way a test makes one component refuse."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial

import pytest

from digigov.data.registries.selectors import person_brief
from digigov.data.registries.services import (
    demo_entity_usccs,
    demo_person_id_numbers,
    registry_demo_generate,
)
from digigov.kernel.principals import Principal
from digigov.support.identity import testing as accounts
from digigov.support.identity.testing import (  # noqa: F401 (re-exported to the test modules)
    MODEL_BACKEND,
    login,
    principal_of,
)

from ..license_source import LicenseRef, license_source_set
from ..models import Bundle, BundleItem
from ..services.instant import ruleset_draft_save, ruleset_publish
from ..testing import item_make, organizations_ready

PASSWORD = "Bundle@2025"
OPERATOR = Principal(kind="operator", id="test")
citizen_make = partial(accounts.citizen_make, password=PASSWORD)
legal_rep_make = partial(accounts.legal_rep_make, password=PASSWORD)
staff_make = partial(
    accounts.staff_make, organization_code="440000-wjw", roles=("审批人员",), password=PASSWORD
)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * 200

APPLICANT = {
    "applicant_name": {"type": "string", "title": "申请人姓名", "prefill": "person.name"},
    "applicant_id_number": {
        "type": "string",
        "title": "公民身份号码",
        "prefill": "person.id_number",
    },
    "phone": {
        "type": "string",
        "title": "联系电话",
        "pattern": "^1[3-9][0-9]{9}$",
        "prefill": "account.phone",
    },
}
CHILD_NAME = {"type": "string", "title": "新生儿姓名", "minLength": 2, "maxLength": 20}
FORM_A = {
    "type": "object",
    "required": [
        "applicant_name",
        "applicant_id_number",
        "phone",
        "child_name",
        "child_birth_date",
    ],
    "properties": {
        **APPLICANT,
        "child_name": CHILD_NAME,
        "child_birth_date": {"type": "string", "title": "出生日期", "format": "date"},
    },
}
FORM_B = {
    "type": "object",
    "required": ["applicant_name", "applicant_id_number", "child_name", "household_choice"],
    "properties": {
        **APPLICANT,
        "child_name": {**CHILD_NAME, "title": "子女姓名", "maxLength": 10},
        "household_choice": {"type": "string", "title": "随父或随母落户", "enum": ["随父", "随母"]},
    },
}
FORM_C = {
    "type": "object",
    "required": ["applicant_name", "child_name", "address"],
    "properties": {
        "applicant_name": APPLICANT["applicant_name"],
        "child_name": CHILD_NAME,
        "address": {"type": "string", "title": "联系地址", "minLength": 4},
    },
}
ID_CARD = {
    "code": "M01",
    "name": "居民身份证",
    "required": True,
    "license_types": ["JMSFZ"],
    "formats": ["pdf", "jpg", "png"],
    "max_mb": 5,
}
MATERIALS_A = [ID_CARD]
MATERIALS_B = [
    {**ID_CARD, "name": "申请人身份证", "max_mb": 2},  # same license type: one material
    {
        "code": "M02",
        "name": "居民户口簿",
        "required": True,
        "license_types": ["HKB"],
        "formats": ["pdf"],
        "max_mb": 5,
    },
]
MATERIALS_C = [
    {
        "code": "M01",
        "name": "居民户口簿",  # same name as B's M02: one material
        "required": False,
        "license_types": [],
        "formats": ["pdf", "jpg"],
        "max_mb": 5,
    }
]
EXISTS_RULE = {
    "id": "exists",
    "label": "申请人在人口库中有记录",
    "fact": "applicant.exists_in_registry",
    "op": "is_true",
    "message": "人口库中没有申请人的记录",
}
CHILD_RULE = {
    "id": "child",
    "label": "新生儿姓名可以登记",
    "fact": "form.child_name",
    "op": "ne",
    "value": "不予",
    "message": "新生儿姓名不符合登记规定",
}
CODES = ("TEST-YJS-A", "TEST-YJS-B", "TEST-YJS-C")


@dataclass(frozen=True)
class World:
    people: list[str]
    usccs: list[str]
    bundle: Bundle

    def name(self, id_number: str) -> str:
        return person_brief(id_number=id_number).name


def instant_item(code: str, organization_code: str, form: dict, materials: list, rules: list):
    item = item_make(
        code=code,
        name={"A": "出生医学证明（测试）", "B": "出生登记（测试）", "C": "社保卡申领（测试）"}[
            code[-1]
        ],
        subject_kind="person",
        item_type="public_service",
        approval_mode="instant",
        organization_code=organization_code,
        form_schema=form,
        materials=materials,
    )
    draft = ruleset_draft_save(principal=OPERATOR, standard_code=item.standard_code, rules=rules)
    ruleset_publish(principal=OPERATOR, ruleset_id=draft.pk)
    return item


def bundle_make(code: str = "test-birth", *, optional_c: bool = True) -> Bundle:
    bundle = Bundle.objects.create(
        code=code,
        name="新生儿出生一件事（测试）",
        subject_kind="person",
        description="测试用一件事",
        life_events=["birth"],
        is_national_key=True,
    )
    for position, standard_code in enumerate(CODES):
        BundleItem.objects.create(
            bundle=bundle,
            standard_code=standard_code,
            position=position,
            is_optional=optional_c and standard_code.endswith("C"),
        )
    return bundle


def world_make() -> World:
    registry_demo_generate(people=8, entities=2)
    organizations_ready()
    instant_item(CODES[0], "440000-wjw", FORM_A, MATERIALS_A, [EXISTS_RULE, CHILD_RULE])
    instant_item(CODES[1], "440000-gat", FORM_B, MATERIALS_B, [EXISTS_RULE])
    instant_item(CODES[2], "440000-rsj", FORM_C, MATERIALS_C, [EXISTS_RULE])
    return World(
        people=demo_person_id_numbers(count=8),
        usccs=demo_entity_usccs(count=2),
        bundle=bundle_make(),
    )


def key() -> str:
    return uuid.uuid4().hex


def child_form(**overrides) -> dict:
    return {
        "child_name": "王小明",
        "child_birth_date": "2025-03-01",
        "household_choice": "随父",
        "address": "广州市天河区天河路1号",
        **overrides,
    }


class FakeLicenses:
    """JMSFZ and HKB licenses for the given ID numbers ("license:<type>:<id>")."""

    def __init__(self, holders: list[str]):
        self.used: list[tuple[str, str]] = []  # (address, case number) per license_used
        self.refs = {
            f"license:{kind}:{holder}": LicenseRef(
                address=f"license:{kind}:{holder}",
                license_type=kind,
                name=name,
                holder_kind="person",
                holder_key=holder,
            )
            for holder in holders
            for kind, name in (("JMSFZ", "居民身份证"), ("HKB", "居民户口簿"))
        }

    def holder_licenses(self, *, holder_kind, holder_key, license_types):
        return [
            r
            for r in self.refs.values()
            if r.holder_key == holder_key and (not license_types or r.license_type in license_types)
        ]

    def license_check(self, *, address, holder_kind, holder_key):
        ref = self.refs.get(address)
        return ref if ref is not None and ref.holder_key == holder_key else None

    def license_used(self, *, address, reference, **_use):
        self.used.append((address, reference))


def licensed(id_number: str) -> list[dict]:
    """The merged materials of test-birth satisfied by the applicant's licenses."""
    return [
        {"code": "B01", "license_address": f"license:JMSFZ:{id_number}"},
        {"code": "B02", "license_address": f"license:HKB:{id_number}"},
    ]


@pytest.fixture
def world(db):
    return world_make()


@pytest.fixture
def licenses(world):
    previous = license_source_set(FakeLicenses(world.people))
    yield
    license_source_set(previous)


@pytest.fixture
def citizen(world):
    return citizen_make("bundle_citizen", world.people[0])


@pytest.fixture
def other_citizen(world):
    return citizen_make("bundle_other", world.people[1])


@pytest.fixture
def uploads(tmp_path, settings):
    settings.DIGIGOV_UPLOAD_ROOT = tmp_path / "uploads"
    return settings.DIGIGOV_UPLOAD_ROOT
