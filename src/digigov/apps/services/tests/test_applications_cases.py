"""Withdraw, correct, someone else's case, cross-region visibility and the case reads."""

# ruff: noqa: F811 (pytest fixtures are imported from test_applications_support)

from __future__ import annotations

import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import Conflict, PermissionDenied, ValidationFailed

from ..models import Application, ApplicationMaterial, CaseEvent
from ..selectors.applications import case_detail, cases_mine, cases_received
from ..services.applications import application_correct, application_submit, application_withdraw
from ..services.cases import case_transition
from .test_applications_support import (  # noqa: F401 (fixtures)
    ID_CARD,
    PDF,
    citizen_make,
    delegation_make,
    dispatched,
    entity_item,
    key,
    legal_rep_make,
    person_item,
    principal_of,
    staff_make,
    uploads,
    world,
)

pytestmark = pytest.mark.django_db
FORM = {"phone": "13912345678"}


def _file(citizen, item, **extra):
    return application_submit(
        principal=principal_of(citizen),
        item_code=item.code,
        form_data=FORM,
        idempotency_key=key(),
        **extra,
    )


def test_applicant_withdraws_once(world, dispatched):
    citizen = citizen_make("apply01", world.people[0])
    case = _file(citizen, person_item())
    with pytest.raises(ValidationFailed):
        application_withdraw(principal=principal_of(citizen), number=case.number, reason="")
    application_withdraw(principal=principal_of(citizen), number=case.number, reason="不需要了")
    case.refresh_from_db()
    assert case.status == "withdrawn" and case.closed_at is not None
    with pytest.raises(Conflict):
        application_withdraw(principal=principal_of(citizen), number=case.number, reason="再撤")


def test_relative_filer_may_withdraw(world, dispatched):
    grantor = citizen_make("grantor", world.people[1])
    agent = citizen_make("agent", world.people[0])
    delegation_make(grantor, agent)
    case = _file(agent, person_item(), applicant_id_number=world.people[1])
    application_withdraw(principal=principal_of(agent), number=case.number, reason="填错了")
    assert Application.objects.get(pk=case.pk).status == "withdrawn"


def test_someone_elses_case_is_refused_audited_unchanged(world, dispatched):
    citizen = citizen_make("apply01", world.people[0])
    other = citizen_make("apply02", world.people[1])
    rep = legal_rep_make("rep01", world.usccs[0])
    clerk = staff_make("clerk", roles=("审批人员",))  # another organization
    case = _file(citizen, person_item())
    before = case.updated_at
    for intruder in (other, rep, clerk):
        for act in (
            lambda p: application_withdraw(principal=p, number=case.number, reason="x"),
            lambda p: application_correct(principal=p, number=case.number, form_data={}),
            lambda p: case_detail(principal=p, number=case.number),
        ):
            count = AuditEntry.objects.filter(
                action="services.application.access", object_id=case.number, outcome="denied"
            ).count()
            with pytest.raises(PermissionDenied):
                act(principal_of(intruder))
            assert (
                AuditEntry.objects.filter(
                    action="services.application.access", object_id=case.number, outcome="denied"
                ).count()
                == count + 1
            )
    case.refresh_from_db()
    assert case.status == "submitted" and case.updated_at == before


def test_correction_round_trip(world, dispatched, uploads):
    import io

    from ..services.materials import material_stage

    citizen = citizen_make("apply01", world.people[0])
    item = person_item(materials=[ID_CARD])
    staged = material_stage(
        principal=principal_of(citizen),
        item=item,
        material_code="M01",
        original_name="a.pdf",
        content=io.BytesIO(PDF),
    )
    case = _file(citizen, item, materials=[{"code": "M01", "upload_token": staged.token}])
    with pytest.raises(Conflict):
        application_correct(principal=principal_of(citizen), number=case.number, form_data={})
    handler = staff_make("handler", organization_code="440100-scjg", roles=("审批人员",))
    case_transition(application=case, to="accepted", principal=principal_of(handler))
    case_transition(application=case, to="correction", principal=principal_of(handler))
    with pytest.raises(ValidationFailed) as error:
        application_correct(
            principal=principal_of(citizen), number=case.number, form_data={"phone": "1"}
        )
    assert "phone" in error.value.fields
    new = material_stage(
        principal=principal_of(citizen),
        item=item,
        material_code="M01",
        original_name="b.pdf",
        content=io.BytesIO(PDF + b"new"),
    )
    application_correct(
        principal=principal_of(citizen),
        number=case.number,
        form_data={"phone": "13711112222"},
        materials=[{"code": "M01", "upload_token": new.token}],
    )
    case.refresh_from_db()
    assert case.status == "accepted"  # back where it was before the correction
    assert case.form_data["phone"] == "13711112222"
    assert ApplicationMaterial.objects.get(application=case).original_name == "b.pdf"
    assert case.paused_since is None


def test_cross_region_both_sides_see_the_case(world, dispatched):
    item = person_item(organization_code="440300-scjg")
    clerk = staff_make("clerk", organization_code="440100-zsj")
    case = application_submit(
        principal=principal_of(clerk),
        item_code=item.code,
        form_data=FORM,
        channel="window",
        applicant_id_number=world.people[2],
        idempotency_key=key(),
    )
    handler = staff_make("handler", organization_code="440300-scjg", roles=("审批人员",))
    seen_by_handler = case_detail(principal=principal_of(handler), number=case.number)
    seen_by_receiver = case_detail(principal=principal_of(clerk), number=case.number)
    assert seen_by_handler.role == "handler" and seen_by_receiver.role == "receiver"
    assert seen_by_handler.is_cross_region
    assert any("跨域通办" in e.label for e in seen_by_handler.timeline)
    window = cases_received(principal=principal_of(clerk))
    assert [r.number for r in window.items] == [case.number]
    assert "*" in window.items[0].applicant_id_masked
    # the applicant sees it too
    applicant = citizen_make("apply03", world.people[2])
    assert [r.number for r in cases_mine(principal=principal_of(applicant)).items] == [case.number]


def test_my_cases_lists(world, dispatched, django_assert_max_num_queries):
    citizen = citizen_make("apply01", world.people[0])
    grantor = citizen_make("grantor", world.people[1])
    delegation_make(grantor, citizen)
    item = person_item()
    own = [_file(citizen, item) for _ in range(3)]
    relative = _file(citizen, item, applicant_id_number=world.people[1])
    with django_assert_max_num_queries(4):
        page = cases_mine(principal=principal_of(citizen), page_size=2)
    assert page.total == 4 and page.has_next and len(page.items) == 2
    numbers = {r.number for r in cases_mine(principal=principal_of(citizen)).items}
    assert numbers == {c.number for c in own} | {relative.number}
    # the grantor sees the case filed for them, the filer sees it, nobody else
    assert [r.number for r in cases_mine(principal=principal_of(grantor)).items] == [
        relative.number
    ]
    rep = legal_rep_make("rep01", world.usccs[0])
    entity_case = application_submit(
        principal=principal_of(rep),
        item_code=entity_item().code,
        form_data=FORM,
        applicant_uscc=world.usccs[0],
        idempotency_key=key(),
    )
    assert [r.number for r in cases_mine(principal=principal_of(rep)).items] == [entity_case.number]
    detail = case_detail(principal=principal_of(citizen), number=relative.number)
    assert detail.role == "filer" and detail.is_on_behalf
    assert all(e.actor_label == "" for e in detail.timeline)


def test_window_list_needs_permission(world):
    clerk = staff_make("clerk", roles=("审批人员",))
    with pytest.raises(PermissionDenied):
        cases_received(principal=principal_of(clerk))


def test_withdraw_workflow_case_cancels_process(world):
    from importlib.util import find_spec

    if find_spec("digigov.apps.services.services.workflow") is None:
        pytest.skip("workflow module not present")
    citizen = citizen_make("apply01", world.people[0])
    case = _file(citizen, person_item(approval_mode="workflow"))
    case.refresh_from_db()
    assert case.status in ("submitted", "accepted")
    application_withdraw(principal=principal_of(citizen), number=case.number, reason="不需要了")
    case.refresh_from_db()
    assert case.status == "withdrawn"


def test_a_taken_case_number_is_drawn_again_and_never_reused(world, dispatched, monkeypatch):
    from ..services import applications

    citizen = citizen_make("apply01", world.people[0])
    first = _file(citizen, person_item())
    drawn = iter([first.number, first.number, "440100-20990101-000001"])
    monkeypatch.setattr(applications, "_number", lambda region_code: next(drawn))

    second = _file(citizen, person_item())

    assert second.number == "440100-20990101-000001"
    assert Application.objects.get(number=first.number).pk == first.pk  # untouched


def test_when_no_free_case_number_is_found_nothing_is_filed(world, dispatched, monkeypatch):
    from ..services import applications

    citizen = citizen_make("apply01", world.people[0])
    first = _file(citizen, person_item())
    submitted = AuditEntry.objects.filter(action="services.application.submitted")
    before = (Application.objects.count(), CaseEvent.objects.count(), submitted.count())
    monkeypatch.setattr(applications, "_number", lambda region_code: first.number)

    with pytest.raises(Conflict) as refused:
        _file(citizen, person_item())

    assert refused.value.code == "services/number_taken"
    after = (Application.objects.count(), CaseEvent.objects.count(), submitted.count())
    assert after == before
