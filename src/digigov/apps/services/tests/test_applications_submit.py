"""application_submit: who may file for whom, the form, prefill, materials, idempotency,
routing (跨域通办) and the hand-over to the approval mode."""

# ruff: noqa: F811 (pytest fixtures are imported from test_applications_support)

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from digigov.data.registries.selectors import person_brief
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.principals import Principal
from digigov.support.identity.models import Delegation

from ..models import Application, ApplicationMaterial, CaseEvent, IdempotencyKey
from ..selectors.prefill import form_prefill
from ..services.applications import application_submit, form_errors
from ..services.materials import material_stage
from .test_applications_support import (  # noqa: F401 (fixtures)
    EXE,
    ID_CARD,
    PDF,
    PHOTO,
    PNG,
    RICH_FORM,
    citizen_make,
    delegation_make,
    dispatched,
    enterprise_make,
    entity_item,
    identity,
    key,
    legal_rep_make,
    licenses,
    person_item,
    principal_of,
    staff_make,
    uploads,
    world,
)

pytestmark = pytest.mark.django_db
FORM = {"phone": "13912345678"}


def _denials(action="services.application.submit"):
    return AuditEntry.objects.filter(action=action, outcome="denied").count()


def test_citizen_applies_for_self_with_prefill(world, dispatched):
    item = person_item(approval_mode="workflow")
    citizen = citizen_make("apply01", world.people[0])
    case = application_submit(
        principal=principal_of(citizen),
        item_code=item.code,
        form_data={**FORM, "applicant_name": "冒名顶替", "applicant_id_number": world.people[1]},
        idempotency_key=key(),
    )
    case.refresh_from_db()
    assert case.status == "submitted"
    assert case.applicant_kind == "person"
    assert case.applicant_id_number == world.people[0]
    assert case.applicant_name == world.name(world.people[0])
    # registry values replace what was typed (免填写 is authoritative)
    assert case.form_data["applicant_name"] == world.name(world.people[0])
    assert case.form_data["applicant_id_number"] == world.people[0]
    assert case.prefilled_fields == ["applicant_id_number", "applicant_name"]
    assert case.filed_by_account_id == citizen.pk and not case.is_on_behalf
    assert case.handling_organization == item.organization
    assert case.number.startswith(f"{item.region_id}-{timezone.localdate():%Y%m%d}-")
    assert len(case.number.split("-")[-1]) == 6
    assert dispatched == [(case.number, "workflow")]
    assert CaseEvent.objects.filter(application=case, kind="submitted").exists()


def test_level_one_citizen_may_not_apply(world, dispatched):
    item = person_item()
    l1 = citizen_make("apply_l1", None)
    with pytest.raises(PermissionDenied) as error:
        application_submit(
            principal=principal_of(l1), item_code=item.code, form_data=FORM, idempotency_key=key()
        )
    assert error.value.code == "services/real_name_required"
    assert "实名" in error.value.message
    assert not Application.objects.exists()


def test_relative_with_apply_delegation(world, dispatched):
    item = person_item()
    grantor = citizen_make("grantor", world.people[1])
    agent = citizen_make("agent", world.people[0])
    delegation_make(grantor, agent)
    case = application_submit(
        principal=principal_of(agent),
        item_code=item.code,
        form_data=FORM,
        applicant_id_number=world.people[1],
        idempotency_key=key(),
    )
    assert case.is_on_behalf and case.applicant_id_number == world.people[1]
    assert case.form_data["applicant_name"] == world.name(world.people[1])
    assert case.filed_by_account_id == agent.pk


@pytest.mark.parametrize("problem", ["none", "query_only", "expired", "revoked"])
def test_relative_without_valid_delegation_is_refused(world, dispatched, problem):
    item = person_item()
    grantor = citizen_make("grantor", world.people[1])
    agent = citizen_make("agent", world.people[0])
    if problem != "none":
        delegation = delegation_make(
            grantor, agent, scopes=("query",) if problem == "query_only" else ("apply",)
        )
        if problem == "expired":
            Delegation.objects.filter(pk=delegation.pk).update(
                expires_at=timezone.now() - timezone.timedelta(days=1)
            )
        if problem == "revoked":
            identity.delegation_revoke(principal=principal_of(grantor), delegation_id=delegation.pk)
    before = _denials()
    with pytest.raises(PermissionDenied):
        application_submit(
            principal=principal_of(agent),
            item_code=item.code,
            form_data=FORM,
            applicant_id_number=world.people[1],
            idempotency_key=key(),
        )
    assert not Application.objects.exists()
    assert _denials() == before + 1


def test_enterprise_agent_needs_apply_scope(world, dispatched):
    uscc = world.usccs[0]
    item = entity_item()
    rep = legal_rep_make("rep01", uscc)
    case = application_submit(
        principal=principal_of(rep),
        item_code=item.code,
        form_data=FORM,
        applicant_uscc=uscc,
        idempotency_key=key(),
    )
    assert case.applicant_kind == "entity" and case.applicant_uscc == uscc
    assert case.form_data["uscc"] == uscc
    # an agent authorised to query only may not apply
    agent = enterprise_make("agent01", world.people[5])
    identity.entity_agent_authorise(
        principal=principal_of(rep),
        uscc=uscc,
        agent_id_number=world.people[5],
        agent_name=world.name(world.people[5]),
        scopes=["query"],
        expires_at=timezone.now() + timezone.timedelta(days=10),
    )
    with pytest.raises(PermissionDenied):
        application_submit(
            principal=principal_of(agent),
            item_code=item.code,
            form_data=FORM,
            applicant_uscc=uscc,
            idempotency_key=key(),
        )
    # ... nor for an entity it is not bound to
    with pytest.raises(PermissionDenied):
        application_submit(
            principal=principal_of(rep),
            item_code=item.code,
            form_data=FORM,
            applicant_uscc=world.usccs[1],
            idempotency_key=key(),
        )
    assert Application.objects.count() == 1


@pytest.mark.parametrize("roles,allowed", [(("窗口受理人员",), True), (("审批人员",), False)])
def test_window_receive_needs_permission(world, dispatched, roles, allowed):
    item = person_item(organization_code="440300-scjg")  # handled in 深圳
    clerk = staff_make("clerk", organization_code="440100-zsj", roles=roles)
    call = dict(
        principal=principal_of(clerk),
        item_code=item.code,
        form_data=FORM,
        channel="window",
        applicant_id_number=world.people[2],
        idempotency_key=key(),
    )
    if not allowed:
        with pytest.raises(PermissionDenied):
            application_submit(**call)
        assert not Application.objects.exists()
        return
    case = application_submit(**call)
    assert case.channel == "window"
    assert case.received_organization.code == "440100-zsj"
    assert case.received_region_id == "440100" and case.handling_region_id == "440300"
    labels = list(CaseEvent.objects.filter(application=case).values_list("label", flat=True))
    assert any("跨域通办" in label and "收件" in label for label in labels)


def test_window_applicant_must_exist(world, dispatched):
    item = person_item()
    clerk = staff_make("clerk")
    with pytest.raises(ValidationFailed) as error:
        application_submit(
            principal=principal_of(clerk),
            item_code=item.code,
            form_data=FORM,
            channel="window",
            applicant_id_number="11010519491231002X",
            idempotency_key=key(),
        )
    assert "applicant_id_number" in error.value.fields


def test_partner_province_window_recorded(world, dispatched):
    item = person_item()
    clerk = staff_make("clerk")
    case = application_submit(
        principal=principal_of(clerk),
        item_code=item.code,
        form_data=FORM,
        channel="window",
        applicant_id_number=world.people[2],
        received_partner="广西壮族自治区南宁市政务服务中心",
        idempotency_key=key(),
    )
    assert case.received_partner == "广西壮族自治区南宁市政务服务中心"
    assert CaseEvent.objects.filter(application=case, kind="cross_region").exists()


def test_staff_online_and_machine_are_refused(world, dispatched):
    item = person_item()
    clerk = staff_make("clerk")
    for principal in (principal_of(clerk), Principal(kind="machine", id="9")):
        with pytest.raises(PermissionDenied):
            application_submit(
                principal=principal, item_code=item.code, form_data=FORM, idempotency_key=key()
            )


def test_wrong_subject_kind(world, dispatched):
    citizen = citizen_make("apply01", world.people[0])
    rep = legal_rep_make("rep01", world.usccs[0])
    with pytest.raises(ValidationFailed) as error:
        application_submit(
            principal=principal_of(citizen),
            item_code=entity_item().code,
            form_data=FORM,
            idempotency_key=key(),
        )
    assert error.value.code == "services/wrong_subject_kind"
    with pytest.raises(ValidationFailed):
        application_submit(
            principal=principal_of(rep),
            item_code=person_item().code,
            form_data=FORM,
            applicant_uscc=world.usccs[0],
            idempotency_key=key(),
        )
    assert not Application.objects.exists()


def test_unknown_item(world, dispatched):
    citizen = citizen_make("apply01", world.people[0])
    with pytest.raises(NotFound):
        application_submit(
            principal=principal_of(citizen), item_code="NOPE", form_data=FORM, idempotency_key=key()
        )


def test_schema_errors_per_field_in_chinese():
    errors = form_errors(
        schema=RICH_FORM,
        data={"phone": "12", "child_birth_date": "2024-13-45", "count": 0, "reason": "其他"},
    )
    assert errors["applicant_name"] == ["请填写申请人姓名"]
    assert errors["applicant_id_number"] == ["请填写公民身份号码"]
    assert errors["phone"] == ["联系电话格式不正确"]
    assert errors["child_birth_date"][0].startswith("子女出生日期格式不正确")
    assert errors["count"] == ["子女数不能小于 1"]
    assert errors["reason"] == ["申请事由须为以下之一：首次申领、补领"]
    assert form_errors(schema=RICH_FORM, data={"count": "3"})["count"] == ["子女数应为整数"]


def test_submission_reports_every_field(world, dispatched):
    item = person_item(form_schema=RICH_FORM)
    citizen = citizen_make("apply01", world.people[0])
    with pytest.raises(ValidationFailed) as error:
        application_submit(
            principal=principal_of(citizen),
            item_code=item.code,
            form_data={"phone": "", "count": 12},
            idempotency_key=key(),
        )
    fields = error.value.fields
    assert set(fields) == {"child_birth_date", "count"}  # phone comes from the account
    assert not Application.objects.exists() and not IdempotencyKey.objects.exists()


def test_prefill_values(world):
    item = person_item(form_schema=RICH_FORM)
    citizen = citizen_make("apply01", world.people[0])
    values = form_prefill(principal=principal_of(citizen), item_version=item.published)
    person = person_brief(id_number=world.people[0])
    assert values["applicant_name"] == person.name
    assert values["applicant_id_number"] == world.people[0]
    assert values["gender"] in ("男", "女")
    assert values["birth_date"] == person.birth_date.isoformat()
    assert values["region_name"]
    assert values["phone"] == "13800138000"
    # for someone who did not authorise them: refused and audited
    with pytest.raises(PermissionDenied):
        form_prefill(
            principal=principal_of(citizen),
            item_version=item.published,
            applicant_id_number=world.people[3],
        )
    assert AuditEntry.objects.filter(action="services.prefill.read", outcome="denied").exists()


def test_prefill_for_window_is_audited(world):
    item = entity_item()
    clerk = staff_make("clerk")
    values = form_prefill(
        principal=principal_of(clerk), item_version=item.published, applicant_uscc=world.usccs[0]
    )
    assert values["uscc"] == world.usccs[0]
    assert AuditEntry.objects.filter(
        action="services.prefill.read", object_id=world.usccs[0], outcome="success"
    ).exists()


def test_phone_from_account_may_be_changed(world, dispatched):
    item = person_item(form_schema=RICH_FORM)
    citizen = citizen_make("apply01", world.people[0])
    case = application_submit(
        principal=principal_of(citizen),
        item_code=item.code,
        form_data={"phone": "13700000000", "child_birth_date": "2024-01-02", "count": 1},
        idempotency_key=key(),
    )
    assert case.form_data["phone"] == "13700000000"
    assert "phone" not in case.prefilled_fields


# --- materials ------------------------------------------------------------------------------


def _stage(citizen, item, code, name, content):
    return material_stage(
        principal=principal_of(citizen),
        item=item,
        material_code=code,
        original_name=name,
        content=io.BytesIO(content),
    )


def test_license_satisfies_material(world, dispatched, licenses):
    item = person_item(materials=[ID_CARD])
    citizen = citizen_make("apply01", world.people[0])
    licenses([world.people[0], world.people[1]])
    case = application_submit(
        principal=principal_of(citizen),
        item_code=item.code,
        form_data=FORM,
        materials=[{"code": "M01", "license_address": f"license:JMSFZ:{world.people[0]}"}],
        idempotency_key=key(),
    )
    material = ApplicationMaterial.objects.get(application=case)
    assert material.source == "license" and material.material_name == "居民身份证"
    # someone else's license is refused
    with pytest.raises(ValidationFailed) as error:
        application_submit(
            principal=principal_of(citizen),
            item_code=item.code,
            form_data=FORM,
            materials=[{"code": "M01", "license_address": f"license:JMSFZ:{world.people[1]}"}],
            idempotency_key=key(),
        )
    assert "materials.M01" in error.value.fields


def test_missing_required_material(world, dispatched):
    item = person_item(materials=[ID_CARD, PHOTO])
    citizen = citizen_make("apply01", world.people[0])
    with pytest.raises(ValidationFailed) as error:
        application_submit(
            principal=principal_of(citizen),
            item_code=item.code,
            form_data=FORM,
            idempotency_key=key(),
        )
    assert list(error.value.fields) == ["materials.M01"]  # M02 is optional
    assert "居民身份证" in error.value.fields["materials.M01"][0]


def test_upload_satisfies_material(world, dispatched, uploads):
    item = person_item(materials=[ID_CARD])
    citizen = citizen_make("apply01", world.people[0])
    staged = _stage(citizen, item, "M01", "身份证.pdf", PDF)
    assert staged.content_type == "application/pdf"
    stored = uploads / staged.sha256[:2] / staged.sha256
    assert stored.read_bytes() == PDF
    assert not stored.stat().st_mode & 0o111  # never executable
    case = application_submit(
        principal=principal_of(citizen),
        item_code=item.code,
        form_data=FORM,
        materials=[{"code": "M01", "upload_token": staged.token}],
        idempotency_key=key(),
    )
    material = ApplicationMaterial.objects.get(application=case)
    assert material.source == "upload" and material.sha256 == staged.sha256
    assert material.original_name == "身份证.pdf" and material.size == len(PDF)


def test_upload_token_is_bound_to_uploader(world, dispatched, uploads):
    item = person_item(materials=[ID_CARD])
    citizen = citizen_make("apply01", world.people[0])
    other = citizen_make("apply02", world.people[1])
    staged = _stage(citizen, item, "M01", "a.pdf", PDF)
    for token in (staged.token, staged.token[:-2] + "xx"):
        with pytest.raises(ValidationFailed) as error:
            application_submit(
                principal=principal_of(other),
                item_code=item.code,
                form_data=FORM,
                materials=[{"code": "M01", "upload_token": token}],
                idempotency_key=key(),
            )
        assert "materials.M01" in error.value.fields


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("big.pdf", PDF + b"0" * (1024 * 1024), "services/material_too_large"),
        ("resume.pdf", EXE, "services/material_disguised"),
        ("photo.png", PDF, "services/material_disguised"),
        ("tool.exe", EXE, "services/material_format"),
        ("doc.docx", PDF, "services/material_format"),
        ("empty.pdf", b"", "services/material_empty"),
    ],
)
def test_bad_uploads_are_refused(world, uploads, name, content, code):
    item = person_item(materials=[ID_CARD])
    citizen = citizen_make("apply01", world.people[0])
    with pytest.raises(ValidationFailed) as error:
        _stage(citizen, item, "M01", name, content)
    assert error.value.code == code
    assert "materials.M01" in error.value.fields
    leftovers = [p for p in uploads.rglob("*") if p.is_file()] if uploads.exists() else []
    assert leftovers == []


def test_photo_material_accepts_png(world, uploads):
    item = person_item(materials=[ID_CARD, PHOTO])
    citizen = citizen_make("apply01", world.people[0])
    assert _stage(citizen, item, "M02", "me.png", PNG).content_type == "image/png"


# --- idempotency and approval dispatch --------------------------------------------------------


def test_same_key_files_one_case(world, dispatched):
    item = person_item()
    citizen = citizen_make("apply01", world.people[0])
    same = key()
    first = application_submit(
        principal=principal_of(citizen), item_code=item.code, form_data=FORM, idempotency_key=same
    )
    again = application_submit(
        principal=principal_of(citizen), item_code=item.code, form_data=FORM, idempotency_key=same
    )
    assert first.pk == again.pk
    assert Application.objects.count() == 1 and len(dispatched) == 1
    # the same key from another actor is another case
    other = citizen_make("apply02", world.people[1])
    third = application_submit(
        principal=principal_of(other), item_code=item.code, form_data=FORM, idempotency_key=same
    )
    assert third.pk != first.pk


def test_commitment_needs_signed_commitment(world, dispatched):
    item = person_item(approval_mode="commitment")
    citizen = citizen_make("apply01", world.people[0])
    with pytest.raises(ValidationFailed) as error:
        application_submit(
            principal=principal_of(citizen),
            item_code=item.code,
            form_data=FORM,
            idempotency_key=key(),
        )
    assert {"commitment.accepted", "commitment.signature"} <= set(error.value.fields)


def test_commitment_item_is_granted(world):
    from importlib.util import find_spec

    if find_spec("digigov.apps.services.services.commitment") is None:
        pytest.skip("commitment module not present")
    from ..selectors.decisions import commitment_text_for

    item = person_item(approval_mode="commitment", conditions=["申请人户籍在广东省"])
    citizen = citizen_make("apply01", world.people[0])
    case = application_submit(
        principal=principal_of(citizen),
        item_code=item.code,
        form_data=FORM,
        commitment={
            "accepted": True,
            "text": commitment_text_for(item_version=item.published),
            "signature": world.name(world.people[0]),
        },
        idempotency_key=key(),
    )
    case.refresh_from_db()
    assert case.status == "approved"


def test_workflow_waits_when_engine_absent_or_runs(world):
    item = person_item(approval_mode="workflow")
    citizen = citizen_make("apply01", world.people[0])
    case = application_submit(
        principal=principal_of(citizen), item_code=item.code, form_data=FORM, idempotency_key=key()
    )
    case.refresh_from_db()
    assert case.status in ("submitted", "accepted")


def test_online_received_region(world, dispatched):
    citizen = citizen_make("apply01", world.people[0])
    home = person_brief(id_number=world.people[0]).household_region_code
    province_item = person_item(organization_code="440000-scjg")
    case = application_submit(
        principal=principal_of(citizen),
        item_code=province_item.code,
        form_data=FORM,
        idempotency_key=key(),
    )
    # a Guangdong resident applying to a provincial item: received where it is handled
    assert case.received_region_id == "440000" == case.handling_region_id
    assert not CaseEvent.objects.filter(application=case, kind="cross_region").exists()
    elsewhere = "440300" if not home.startswith("4403") else "440100"
    other_item = person_item(organization_code=f"{elsewhere}-scjg")
    case = application_submit(
        principal=principal_of(citizen),
        item_code=other_item.code,
        form_data=FORM,
        idempotency_key=key(),
    )
    assert case.received_region_id == home and case.handling_region_id == elsewhere
    assert CaseEvent.objects.filter(application=case, kind="cross_region").exists()
