"""一网通办 ↔ 电子证照 with the real licenses app: material reuse (免提交) over the holder's
usable licenses with their use recorded on the case, the license issued on approval (once,
into the wallet, on the case timeline), the gap when the case cannot fill the face data,
revocation when a commitment proves false, and indicator 17."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from digigov.kernel.events.models import Event
from digigov.kernel.principals import Principal
from digigov.support.identity import testing as accounts
from digigov.support.identity.testing import principal_of
from digigov.support.licenses.models import License, LicenseUse
from digigov.support.licenses.selectors.wallet import license_uses, wallet_list
from digigov.support.licenses.services.issuance import license_issue
from digigov.support.licenses.services.status import license_revoke, license_suspend
from digigov.support.licenses.testing import SYSTEM, issuer, type_make, world_make

from ..license_source import license_source
from ..licenses_adapter import WalletLicenses
from ..models import CaseEvent
from ..selectors.licenses import license_use_rate
from ..services.applications import application_submit
from ..services.bundles import bundle_submit
from ..services.instant import ruleset_draft_save, ruleset_publish
from ..services.licenses import (
    ISSUE_HANDLER,
    REVOKE_HANDLER,
    case_licenses_revoke,
    on_application_approved,
    on_commitment_violated,
)
from ..testing import item_make
from . import test_bundles_support as bundles

OPERATOR = Principal(kind="operator", id="test")
EXISTS_RULE = {
    "id": "exists",
    "label": "申请人在人口库中有记录",
    "fact": "applicant.exists_in_registry",
    "op": "is_true",
    "message": "人口库中没有申请人的记录",
}
FORM = {
    "type": "object",
    "required": ["applicant_name", "phone", "category"],
    "properties": {
        "applicant_name": {"type": "string", "title": "申请人姓名", "prefill": "person.name"},
        "phone": {"type": "string", "title": "联系电话", "pattern": "^1[3-9][0-9]{9}$"},
        "category": {"type": "string", "title": "类别", "enum": ["甲", "乙"]},
        "note": {"type": "string", "title": "备注"},
    },
}
ID_MATERIAL = {
    "code": "M01",
    "name": "测试证",
    "required": True,
    "license_types": ["TESTZ"],
    "formats": ["pdf"],
    "max_mb": 1,
}
RESULT_FIELDS = [
    {"key": "name", "label": "姓名", "type": "string", "required": True, "source": "holder.name"},
    {"key": "id_number", "label": "身份号码", "type": "string", "required": True,
     "source": "holder.key"},
    {"key": "gender", "label": "性别", "type": "enum", "required": True, "choices": ["男", "女"],
     "source": "person.gender"},
    {"key": "category", "label": "类别", "type": "enum", "required": True, "choices": ["甲", "乙"],
     "source": "form.category"},
    {"key": "note", "label": "备注", "type": "string", "required": False, "source": "form.note"},
    {"key": "case_number", "label": "办件编号", "type": "string", "required": True,
     "source": "case.number"},
    {"key": "issued_on", "label": "发证日期", "type": "date", "required": True,
     "source": "case.decided_on"},
]  # fmt: skip


@pytest.fixture
def world(db):
    world = world_make(people=6, entities=2)
    type_make()  # TESTZ, issued by the scjg line
    type_make("TESTR", name="测试结果证", issuing_function="scjg", fields=RESULT_FIELDS)
    return world


@pytest.fixture
def citizen(world):
    return accounts.citizen_make("lic_citizen", world.people[0])


def _item(code: str, *, organization_code: str = "440100-scjg", **fields):
    item = item_make(
        code=code,
        name=fields.pop("name", "测试许可"),
        subject_kind="person",
        approval_mode="instant",
        organization_code=organization_code,
        form_schema=FORM,
        **fields,
    )
    draft = ruleset_draft_save(
        principal=OPERATOR, standard_code=item.standard_code, rules=[EXISTS_RULE]
    )
    ruleset_publish(principal=OPERATOR, ruleset_id=draft.pk)
    return item


def _issue(holder_key: str, code: str = "TESTZ", **overrides):
    data = {"category": "甲"}
    values = dict(principal=SYSTEM, type_code=code, issuer_id=issuer().pk, holder_kind="person",
                  holder_key=holder_key, data=data)  # fmt: skip
    values.update(overrides)
    return license_issue(**values)


def _apply(account, item, *, materials=(), **form):
    return application_submit(
        principal=principal_of(account),
        item_code=item.code,
        form_data={"phone": "13800138000", "category": "乙", **form},
        materials=list(materials),
        idempotency_key=uuid.uuid4().hex,
    )


# --- the adapter -----------------------------------------------------------------------------


def test_the_licenses_app_is_installed_as_source_and_subscriber(world):
    from digigov.kernel.events.registry import handlers_for

    assert isinstance(license_source(), WalletLicenses)
    assert ISSUE_HANDLER in handlers_for("services.application.approved")
    assert REVOKE_HANDLER in handlers_for("services.commitment.violated")


def test_only_the_holders_usable_licenses_are_offered_and_accepted(world):
    me, other = world.people[0], world.people[1]
    valid = _issue(me)
    suspended = _issue(me)
    revoked = _issue(me)
    today = dt.date.today()
    expired = _issue(
        me, valid_from=today - dt.timedelta(days=30), valid_until=today - dt.timedelta(days=1)
    )
    theirs = _issue(other)
    license_suspend(principal=SYSTEM, address=suspended.address, until=today, reason="暂停")
    license_revoke(principal=SYSTEM, address=revoked.address, reason="吊销")
    source = WalletLicenses()

    offered = source.holder_licenses(holder_kind="person", holder_key=me, license_types=["TESTZ"])
    assert [r.address for r in offered] == [valid.address]
    assert offered[0].number == valid.number and offered[0].name == "测试证"
    assert source.holder_licenses(holder_kind="person", holder_key=me, license_types=["X"]) == []
    check = source.license_check
    assert check(address=valid.address, holder_kind="person", holder_key=me) is not None
    for refused in (suspended, revoked, expired):
        assert check(address=refused.address, holder_kind="person", holder_key=me) is None
    assert check(address=theirs.address, holder_kind="person", holder_key=me) is None
    assert check(address=valid.address, holder_kind="entity", holder_key=me) is None


# --- 免提交 ------------------------------------------------------------------------------------


def test_filing_with_a_license_records_its_use_on_the_case(world, citizen):
    item = _item("TEST-LIC-USE", name="测试许可（用证）", materials=[ID_MATERIAL])
    license = _issue(world.people[0])
    application = _apply(
        citizen, item, materials=[{"code": "M01", "license_address": license.address}]
    )

    use = LicenseUse.objects.get(license=license)
    assert (use.kind, use.reference, use.purpose) == (
        "material",
        application.number,
        "办件：测试许可（用证）",
    )
    assert use.user_label == application.handling_organization.name
    rows = license_uses(principal=principal_of(citizen), address=license.address)
    assert rows[0].reference == application.number


def test_someone_elses_or_a_revoked_license_files_nothing(world, citizen):
    from digigov.kernel.errors import ValidationFailed

    from ..models import Application

    item = _item("TEST-LIC-BAD", materials=[ID_MATERIAL])
    theirs = _issue(world.people[1])
    revoked = _issue(world.people[0])
    license_revoke(principal=SYSTEM, address=revoked.address, reason="吊销")
    for license in (theirs, revoked):
        with pytest.raises(ValidationFailed) as caught:
            _apply(citizen, item, materials=[{"code": "M01", "license_address": license.address}])
        assert "materials.M01" in caught.value.fields
    assert not Application.objects.exists()
    assert not LicenseUse.objects.exists()


def test_bundle_components_record_their_license_uses(db):
    world = bundles.world_make()
    citizen = bundles.citizen_make("lic_bundle", world.people[0])
    type_make("JMSFZ", name="居民身份证", issuing_function="gat")
    type_make("HKB", name="居民户口簿", issuing_function="gat")
    gat = issuer("440100-gat").pk
    id_card = _issue(world.people[0], "JMSFZ", issuer_id=gat)
    household = _issue(world.people[0], "HKB", issuer_id=gat)
    bundle_application = bundle_submit(
        principal=principal_of(citizen),
        bundle_code="test-birth",
        form_data=bundles.child_form(),
        materials=[
            {"code": "B01", "license_address": id_card.address},
            {"code": "B02", "license_address": household.address},
        ],
        idempotency_key=uuid.uuid4().hex,
    )
    numbers = set(bundle_application.applications.values_list("number", flat=True))
    uses = LicenseUse.objects.filter(kind="material")
    assert {u.reference for u in uses} == numbers
    # one merged material, one use per component case that needs it
    assert uses.filter(license=id_card).count() == 2  # components A and B
    assert uses.filter(license=household).count() == 2  # components B and C


# --- issuing on approval ------------------------------------------------------------------------


def test_approval_issues_the_license_once_into_the_wallet(
    world, citizen, django_capture_on_commit_callbacks
):
    item = _item("TEST-LIC-ISSUE", result_license_type="TESTR")
    with django_capture_on_commit_callbacks(execute=True):
        application = _apply(citizen, item, note="加急")
    application.refresh_from_db()
    assert application.status == "approved"

    license = License.objects.get(source="case", source_reference=application.number)
    assert license.issuer.code == "440100-scjg"
    assert license.holder_key == world.people[0]
    assert license.data["category"] == "乙" and license.data["note"] == "加急"
    assert license.data["case_number"] == application.number
    assert license.data["gender"] in ("男", "女")
    assert application.result_reference == license.address
    entry = CaseEvent.objects.get(application=application, kind="license_issued")
    assert entry.is_public and license.address in entry.label
    assert [c.address for c in wallet_list(principal=principal_of(citizen))] == [license.address]

    # delivery is at least once: a repeat issues nothing new
    payload = Event.objects.get(topic="services.application.approved").payload
    on_application_approved(payload)
    assert License.objects.count() == 1
    assert CaseEvent.objects.filter(application=application, kind="license_issued").count() == 1


def test_issuer_is_the_department_of_the_types_line_in_the_region(
    world, citizen, django_capture_on_commit_callbacks
):
    item = _item("TEST-LIC-OTHER", organization_code="440100-zsj", result_license_type="TESTR")
    with django_capture_on_commit_callbacks(execute=True):
        application = _apply(citizen, item)
    license = License.objects.get(source_reference=application.number)
    assert license.issuer.code == "440100-scjg"


def test_a_required_field_the_case_cannot_fill_is_left_to_staff(
    world, citizen, django_capture_on_commit_callbacks
):
    fields = [*RESULT_FIELDS, {"key": "grade", "label": "等级", "type": "string", "required": True}]
    type_make("TESTG", name="缺字段证", issuing_function="scjg", fields=fields)
    item = _item("TEST-LIC-GAP", result_license_type="TESTG")
    with django_capture_on_commit_callbacks(execute=True):
        application = _apply(citizen, item)
    assert not License.objects.exists()
    gap = CaseEvent.objects.get(application=application, kind="license_pending")
    assert gap.label.startswith("证照待人工制证") and "等级" in gap.label
    assert gap.detail["missing"] == ["等级"]
    on_application_approved(Event.objects.get(topic="services.application.approved").payload)
    assert CaseEvent.objects.filter(application=application, kind="license_pending").count() == 1


def test_a_fields_source_alternatives_are_tried_in_order(
    world, citizen, django_capture_on_commit_callbacks
):
    """Items name the same fact differently: the first alternative with a value wins."""
    fields = [
        *RESULT_FIELDS,
        {"key": "premises", "label": "场所", "type": "string", "required": True,
         "source": ["form.premises", "form.note", "holder.name"]},
        {"key": "region", "label": "所在城市", "type": "string", "required": True,
         "source": ["form.city", "case.region_name"]},
    ]  # fmt: skip
    type_make("TESTA", name="多来源证", issuing_function="scjg", fields=fields)
    item = _item("TEST-LIC-ALT", result_license_type="TESTA")
    with django_capture_on_commit_callbacks(execute=True):
        with_note = _apply(citizen, item, note="天河路1号")
        without = _apply(citizen, item)
    first = License.objects.get(source_reference=with_note.number)
    second = License.objects.get(source_reference=without.number)
    assert (first.data["premises"], first.data["region"]) == ("天河路1号", "广州市")
    assert second.data["premises"] == second.holder_name


def test_a_result_naming_someone_else_is_left_to_the_department(
    world, citizen, django_capture_on_commit_callbacks
):
    """A newborn's certificate is not the applicant's: never issued to the parent."""
    item = _item("TEST-LIC-CHILD", result_license_type="TESTR", result_for_applicant=False)
    with django_capture_on_commit_callbacks(execute=True):
        application = _apply(citizen, item)
    application.refresh_from_db()
    assert application.status == "approved"
    assert not License.objects.exists()
    gap = CaseEvent.objects.get(application=application, kind="license_pending")
    assert "持证人不是申请人" in gap.label
    on_application_approved(Event.objects.get(topic="services.application.approved").payload)
    assert CaseEvent.objects.filter(application=application, kind="license_pending").count() == 1


def test_an_unknown_type_or_missing_issuer_is_a_gap_too(
    world, citizen, django_capture_on_commit_callbacks
):
    type_make("TESTN", name="无部门证", issuing_function="nobody", fields=RESULT_FIELDS)
    unknown = _item("TEST-LIC-UNK", result_license_type="NOSUCH")
    nobody = _item("TEST-LIC-NOB", result_license_type="TESTN")
    with django_capture_on_commit_callbacks(execute=True):
        first = _apply(citizen, unknown)
        second = _apply(citizen, nobody)
    assert not License.objects.exists()
    assert CaseEvent.objects.filter(application=first, kind="license_pending").exists()
    assert CaseEvent.objects.filter(application=second, kind="license_pending").exists()


def test_a_violated_commitment_revokes_the_cases_licenses(
    world, citizen, django_capture_on_commit_callbacks
):
    item = _item("TEST-LIC-REV", result_license_type="TESTR")
    with django_capture_on_commit_callbacks(execute=True):
        application = _apply(citizen, item)
    license = License.objects.get(source_reference=application.number)
    on_commitment_violated({"number": application.number, "finding": "经营场所不实"})
    license.refresh_from_db()
    assert license.status == "revoked" and "经营场所不实" in license.status_reason
    assert CaseEvent.objects.filter(application=application, kind="license_revoked").exists()
    assert case_licenses_revoke(number=application.number) == 0  # idempotent


# --- indicator 17 -------------------------------------------------------------------------------


def test_license_use_rate_counts_permit_items_whose_cases_used_a_license(world, citizen):
    used = _item("TEST-RATE-1", materials=[ID_MATERIAL])
    _item("TEST-RATE-2", materials=[ID_MATERIAL])  # accepts a license, never used one
    _item("TEST-RATE-3", item_type="public_service", materials=[ID_MATERIAL])  # not a permit
    license = _issue(world.people[0])
    _apply(citizen, used, materials=[{"code": "M01", "license_address": license.address}])
    _apply(citizen, used, materials=[{"code": "M01", "license_address": license.address}])

    rate = license_use_rate()
    assert (rate.numerator, rate.denominator, rate.percentage) == (1, 2, 50.0)
    assert license_use_rate(region_code="440100").denominator == 2
    elsewhere = license_use_rate(region_code="440300")
    assert (elsewhere.numerator, elsewhere.denominator, elsewhere.percentage) == (0, 0, 0.0)
