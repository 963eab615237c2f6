"""Helpers and fixtures of the applications (办件) tests; no tests here. Test modules
import the fixtures they use with `from .test_applications_support import *`."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass
from functools import partial

import pytest
from django.utils import timezone

from digigov.data.registries.selectors import person_brief
from digigov.data.registries.services import (
    demo_entity_usccs,
    demo_person_id_numbers,
    registry_demo_generate,
)
from digigov.support.identity import services as identity
from digigov.support.identity import testing as accounts
from digigov.support.identity.testing import (  # noqa: F401 (re-exported to the test modules)
    MODEL_BACKEND,
    login,
    principal_of,
)

from ..license_source import LicenseRef, license_source_set
from ..services import applications as applications_module
from ..testing import item_make, organizations_ready

PASSWORD = "Apply@2025"
citizen_make = partial(accounts.citizen_make, password=PASSWORD)
enterprise_make = partial(accounts.enterprise_make, password=PASSWORD)
legal_rep_make = partial(accounts.legal_rep_make, password=PASSWORD)
staff_make = partial(
    accounts.staff_make,
    organization_code="440100-zsj",
    roles=("窗口受理人员",),
    password=PASSWORD,
    real_name="窗口人员",
)
_serial = itertools.count(1)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * 200
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 300

ID_CARD = {
    "code": "M01",
    "name": "居民身份证",
    "required": True,
    "license_types": ["JMSFZ"],
    "formats": ["pdf", "jpg", "png"],
    "max_mb": 1,
}
PHOTO = {
    "code": "M02",
    "name": "近期免冠照片",
    "required": False,
    "license_types": [],
    "formats": ["png", "jpg"],
    "max_mb": 1,
}
ENTITY_FORM = {
    "type": "object",
    "required": ["entity_name", "uscc", "phone"],
    "properties": {
        "entity_name": {"type": "string", "title": "单位名称", "prefill": "entity.name"},
        "uscc": {"type": "string", "title": "统一社会信用代码", "prefill": "entity.uscc"},
        "agent_name": {"type": "string", "title": "经办人姓名", "prefill": "person.name"},
        "phone": {"type": "string", "title": "联系电话", "pattern": "^1[3-9][0-9]{9}$"},
    },
}
RICH_FORM = {
    "type": "object",
    "required": ["applicant_name", "applicant_id_number", "phone", "child_birth_date", "count"],
    "properties": {
        "applicant_name": {"type": "string", "title": "申请人姓名", "prefill": "person.name"},
        "applicant_id_number": {
            "type": "string",
            "title": "公民身份号码",
            "prefill": "person.id_number",
        },
        "gender": {"type": "string", "title": "性别", "prefill": "person.gender"},
        "birth_date": {"type": "string", "title": "出生日期", "prefill": "person.birth_date"},
        "region_name": {
            "type": "string",
            "title": "户籍地",
            "prefill": "person.household_region_name",
        },
        "phone": {
            "type": "string",
            "title": "联系电话",
            "pattern": "^1[3-9][0-9]{9}$",
            "prefill": "account.phone",
        },
        "child_birth_date": {"type": "string", "title": "子女出生日期", "format": "date"},
        "count": {"type": "integer", "title": "子女数", "minimum": 1, "maximum": 9},
        "reason": {"type": "string", "title": "申请事由", "enum": ["首次申领", "补领"]},
    },
}


@dataclass(frozen=True)
class World:
    people: list[str]
    usccs: list[str]

    def name(self, id_number: str) -> str:
        return person_brief(id_number=id_number).name


def world_make() -> World:
    registry_demo_generate(people=8, entities=2)
    organizations_ready()
    return World(demo_person_id_numbers(count=8), demo_entity_usccs(count=2))


def delegation_make(grantor, agent, *, scopes=("apply", "query"), days: int = 30):
    return identity.delegation_grant(
        principal=principal_of(grantor),
        agent_id_number=agent.id_number,
        agent_name=agent.real_name,
        scopes=list(scopes),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )


def key() -> str:
    return uuid.uuid4().hex


def person_item(code: str = "", **fields):
    return item_make(
        code=code or f"TEST-P-{next(_serial):04d}",
        name=fields.pop("name", "测试个人事项"),
        subject_kind="person",
        organization_code=fields.pop("organization_code", "440100-scjg"),
        **fields,
    )


def entity_item(code: str = "", **fields):
    return item_make(
        code=code or f"TEST-E-{next(_serial):04d}",
        name="测试企业事项",
        subject_kind="entity",
        form_schema=ENTITY_FORM,
        **fields,
    )


class FakeLicenses:
    """A license source holding JMSFZ licenses for the given ID numbers."""

    def __init__(self, holders: list[str]):
        self.used: list[tuple[str, str]] = []  # (address, case number) per license_used
        self.refs = {
            f"license:JMSFZ:{h}": LicenseRef(
                address=f"license:JMSFZ:{h}",
                license_type="JMSFZ",
                name="居民身份证",
                holder_kind="person",
                holder_key=h,
            )
            for h in holders
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


@pytest.fixture
def world(db):
    return world_make()


@pytest.fixture
def dispatched(monkeypatch):
    """Records the approval dispatch instead of running the approval engines (their own
    tests cover them); the case stays "submitted"."""
    calls: list[tuple[str, str]] = []

    def record(*, application, principal, commitment, verdict):
        calls.append((application.number, application.approval_mode))

    monkeypatch.setattr(applications_module, "_verdict_at_filing", lambda application: None)
    monkeypatch.setattr(applications_module, "_dispatch", record)
    return calls


@pytest.fixture
def uploads(tmp_path, settings):
    settings.DIGIGOV_UPLOAD_ROOT = tmp_path / "uploads"
    return settings.DIGIGOV_UPLOAD_ROOT


@pytest.fixture
def licenses():
    previous = None

    def install(holders):
        nonlocal previous
        previous = license_source_set(FakeLicenses(holders))

    yield install
    if previous is not None:
        license_source_set(previous)
