"""Helpers and fixtures of the tests of bundle withdraw, the window and kiosk bundle pages
and 告知承诺 components in bundles; no tests here. Test modules import what they use
with `from digigov.apps.services.tests.test_bundle_channels_support import *`.

On top of test_bundles_support's world ("test-birth", instant components only):
- "test-wd" (persons): two workflow components (open until a department decides);
- "test-mixed" (persons): a workflow component and test-birth's instant item A (decided
  at submission);
- "test-ent" (entities): two workflow entity components;
- "test-commit" (persons): two 告知承诺 components with different commitment texts (one
  optional) and a workflow component."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ..models import Bundle, BundleItem
from ..selectors.decisions import commitment_text_for
from ..testing import item_make
from .test_bundles_support import (  # noqa: F401 (re-exported to the test modules)
    APPLICANT,
    CODES,
    PASSWORD,
    World,
    child_form,
    citizen_make,
    key,
    legal_rep_make,
    licensed,
    login,
    principal_of,
    staff_make,
    world_make,
)

PERSON_FORM = {
    "type": "object",
    "required": ["applicant_name", "applicant_id_number", "phone"],
    "properties": APPLICANT,
}
ENTITY_FORM = {
    "type": "object",
    "required": ["entity_name", "uscc", "phone"],
    "properties": {
        "entity_name": {"type": "string", "title": "单位名称", "prefill": "entity.name"},
        "uscc": {"type": "string", "title": "统一社会信用代码", "prefill": "entity.uscc"},
        "phone": {"type": "string", "title": "联系电话", "pattern": "^1[3-9][0-9]{9}$"},
    },
}
WORKFLOW = ("TEST-YJS-W1", "TEST-YJS-W2")
ENTITY_WORKFLOW = ("TEST-YJS-E1", "TEST-YJS-E2")
COMMITMENT = ("TEST-YJS-K1", "TEST-YJS-K2")
CONDITIONS = {
    COMMITMENT[0]: ["申请人具有完全民事行为能力"],
    COMMITMENT[1]: ["申请人在本省参加社会保险"],
}
NAMES = {
    WORKFLOW[0]: "户口迁移（测试）",
    WORKFLOW[1]: "医保参保登记（测试）",
    ENTITY_WORKFLOW[0]: "食品经营许可（测试）",
    ENTITY_WORKFLOW[1]: "公共场所卫生许可（测试）",
    COMMITMENT[0]: "生育登记（测试）",
    COMMITMENT[1]: "生育津贴申领（测试）",
}
ORGANIZATIONS = {
    WORKFLOW[0]: "440000-gat",
    WORKFLOW[1]: "440000-rsj",
    ENTITY_WORKFLOW[0]: "440000-wjw",
    ENTITY_WORKFLOW[1]: "440000-gat",
    COMMITMENT[0]: "440000-wjw",
    COMMITMENT[1]: "440000-rsj",
}


@dataclass(frozen=True)
class Channels:
    world: World

    @property
    def people(self) -> list[str]:
        return self.world.people

    @property
    def usccs(self) -> list[str]:
        return self.world.usccs

    def name(self, id_number: str) -> str:
        return self.world.name(id_number)


def _bundle(code: str, name: str, subject_kind: str, components, optional=()) -> Bundle:
    bundle = Bundle.objects.create(
        code=code, name=name, subject_kind=subject_kind, description="测试用一件事"
    )
    for position, standard_code in enumerate(components):
        BundleItem.objects.create(
            bundle=bundle,
            standard_code=standard_code,
            position=position,
            is_optional=standard_code in optional,
        )
    return bundle


def channels_make() -> Channels:
    world = world_make()
    for code in WORKFLOW:
        item_make(
            code=code,
            name=NAMES[code],
            subject_kind="person",
            item_type="public_service",
            approval_mode="workflow",
            organization_code=ORGANIZATIONS[code],
            form_schema=PERSON_FORM,
        )
    for code in ENTITY_WORKFLOW:
        item_make(
            code=code,
            name=NAMES[code],
            subject_kind="entity",
            approval_mode="workflow",
            organization_code=ORGANIZATIONS[code],
            form_schema=ENTITY_FORM,
        )
    for code in COMMITMENT:
        item_make(
            code=code,
            name=NAMES[code],
            subject_kind="person",
            item_type="public_service",
            approval_mode="commitment",
            organization_code=ORGANIZATIONS[code],
            form_schema=PERSON_FORM,
            conditions=CONDITIONS[code],
        )
    _bundle("test-wd", "户籍医保一件事（测试）", "person", WORKFLOW)
    _bundle("test-mixed", "混合一件事（测试）", "person", (WORKFLOW[0], CODES[0]))
    _bundle("test-ent", "开办门店一件事（测试）", "entity", ENTITY_WORKFLOW)
    _bundle(
        "test-commit",
        "生育一件事（测试）",
        "person",
        (*COMMITMENT, WORKFLOW[0]),
        optional=(COMMITMENT[1],),
    )
    return Channels(world=world)


def commitment_of(standard_code: str, signature: str, **changes) -> dict:
    from ..models import ServiceItem

    version = ServiceItem.objects.select_related("published").get(code=standard_code).published
    return {
        "accepted": True,
        "text": commitment_text_for(item_version=version),
        "signature": signature,
        **changes,
    }


@pytest.fixture
def channels(db):
    return channels_make()


@pytest.fixture
def applicant(channels):
    return citizen_make("yjs_applicant", channels.people[0])


@pytest.fixture
def stranger(channels):
    return citizen_make("yjs_stranger", channels.people[1])


@pytest.fixture
def clerk(channels):
    """A window clerk (窗口受理人员) of 广州市政务服务数据管理局."""
    return staff_make("yjs_clerk", organization_code="440100-zsj", roles=("窗口受理人员",))


@pytest.fixture
def uploads(tmp_path, settings):
    settings.DIGIGOV_UPLOAD_ROOT = tmp_path / "uploads"
    return settings.DIGIGOV_UPLOAD_ROOT
