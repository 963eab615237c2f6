"""Helpers of the 秒批 and 告知承诺 tests (no tests here): registry people, accounts of
each kind, items with rule sets, and submitted cases.

Cases are filed as rows plus `case_transition(to="submitted")`, the state the
applications area's `application_submit` leaves a case in before it dispatches to
`instant_decide` / `commitment_grant`; that dispatch is what these tests exercise."""

from __future__ import annotations

import itertools
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

from ..models import Application
from ..services.cases import case_transition
from ..services.instant import ruleset_draft_save, ruleset_publish
from ..testing import item_make

PASSWORD = "Approval@2025"
OPERATOR = Principal(kind="operator", id="test")
citizen_make = partial(accounts.citizen_make, password=PASSWORD)
staff_make = partial(accounts.staff_make, password=PASSWORD)
_numbers = itertools.count(1)

AGE_RULE = {
    "id": "age",
    "label": "申请人年满18周岁",
    "fact": "applicant.age",
    "op": "gte",
    "value": 18,
    "message": "申请人未满18周岁，不符合条件",
}
REGION_RULE = {
    "id": "region",
    "label": "户籍在广东省",
    "fact": "applicant.household_region_code",
    "op": "prefix",
    "value": "44",
    "message": "申请人户籍不在广东省",
}
ONCE_RULE = {
    "id": "once",
    "label": "未重复享受",
    "fact": "history.approved_same_item_count",
    "op": "eq",
    "value": 0,
    "message": "申请人已享受过该待遇，不得重复申领",
}


@dataclass(frozen=True)
class People:
    id_numbers: list[str]
    usccs: list[str]

    def name(self, id_number: str) -> str:
        return person_brief(id_number=id_number).name


def people_make() -> People:
    registry_demo_generate(people=8, entities=2)
    return People(demo_person_id_numbers(count=8), demo_entity_usccs(count=2))


staff_principal = principal_of  # a staff account that passed TOTP: permissions included


def instant_item_make(
    *,
    code: str = "TEST-INSTANT",
    rules: list[dict] | None = None,
    publish: bool = True,
    **fields,
):
    fields.setdefault("approval_mode", "instant")
    fields.setdefault("item_type", "benefit")
    item = item_make(code=code, **fields)
    if rules is not None:
        draft = ruleset_draft_save(
            principal=OPERATOR, standard_code=item.standard_code, rules=rules
        )
        if publish:
            ruleset_publish(principal=OPERATOR, ruleset_id=draft.pk)
    return item


def case_make(
    *,
    item,
    principal: Principal,
    applicant_id_number: str = "",
    applicant_uscc: str = "",
    applicant_name: str = "",
    account=None,
    form: dict | None = None,
    channel: str = "online",
    is_on_behalf: bool = False,
) -> Application:
    """A submitted case of `item` (what application_submit creates before dispatch)."""
    version = item.published
    kind = "entity" if applicant_uscc else "person"
    if not applicant_name and kind == "person":
        applicant_name = person_brief(id_number=applicant_id_number).name
    application = Application.objects.create(
        number=f"{item.region_id}-20250101-{next(_numbers):06d}",
        item=item,
        item_version=version,
        approval_mode=version.approval_mode,
        applicant_kind=kind,
        applicant_id_number=applicant_id_number,
        applicant_uscc=applicant_uscc,
        applicant_name=applicant_name or "测试单位",
        filed_by_account=account,
        filed_by_actor=principal.actor,
        is_on_behalf=is_on_behalf,
        channel=channel,
        received_region_id=item.region_id,
        handling_region_id=item.region_id,
        handling_organization=item.organization,
        form_data=form or {},
    )
    return case_transition(application=application, to="submitted", principal=principal)


@pytest.fixture
def people(db) -> People:
    return people_make()


@pytest.fixture
def citizen(people):
    return citizen_make("approval_citizen", people.id_numbers[0])


@pytest.fixture
def other_citizen(people):
    return citizen_make("approval_other", people.id_numbers[1])
