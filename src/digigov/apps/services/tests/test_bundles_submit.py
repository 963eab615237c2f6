"""Filing a bundle: one component case per chosen item, routed to each item's department,
all or nothing; idempotent; optional items; uploads once; combined status and result."""

# ruff: noqa: F811 (pytest fixtures are imported from test_bundles_support)

import io

import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event

from ..models import Application, BundleApplication, IdempotencyKey
from ..services.applications import application_withdraw
from ..services.bundles import bundle_material_stage, bundle_status_refresh, bundle_submit
from .test_bundles_support import (  # noqa: F401 (fixtures)
    CODES,
    PDF,
    child_form,
    citizen,
    key,
    licensed,
    licenses,
    other_citizen,
    principal_of,
    staff_make,
    uploads,
    world,
)


def submit(account, world, **overrides):
    values = {
        "principal": principal_of(account),
        "bundle_code": "test-birth",
        "form_data": child_form(),
        "materials": licensed(world.people[0]),
        "idempotency_key": key(),
    }
    values.update(overrides)
    return bundle_submit(**values)


def test_files_one_case_per_item_with_instant_decisions(world, licenses, citizen):
    bundle_application = submit(citizen, world)

    cases = list(bundle_application.applications.order_by("id"))
    assert [c.item.standard_code for c in cases] == list(CODES)
    assert {c.status for c in cases} == {"approved"}
    assert [c.handling_organization.code for c in cases] == [
        "440000-wjw",
        "440000-gat",
        "440000-rsj",
    ]
    assert all(c.applicant_id_number == world.people[0] for c in cases)
    # the shared answer reached every component; prefilled fields came from the registry
    assert {c.form_data["child_name"] for c in cases} == {"王小明"}
    assert cases[0].form_data["applicant_name"] == world.name(world.people[0])
    assert cases[1].materials.get(material_code="M02").license_address.startswith("license:HKB:")
    assert bundle_application.status == "completed"
    assert bundle_application.closed_at is not None
    assert AuditEntry.objects.filter(
        action="services.bundle.submitted", object_id=bundle_application.number
    ).exists()
    topics = list(Event.objects.values_list("topic", flat=True))
    assert "services.bundle.submitted" in topics
    assert topics.count("services.bundle.completed") == 1


def test_one_invalid_component_files_nothing(world, licenses, citizen):
    before = (Application.objects.count(), BundleApplication.objects.count(), Event.objects.count())
    with pytest.raises(ValidationFailed) as caught:
        submit(citizen, world, form_data=child_form(household_choice="随舅舅"))
    assert "household_choice" in caught.value.fields  # only item B asks it
    assert caught.value.code == "services/bundle_invalid"
    after = (Application.objects.count(), BundleApplication.objects.count(), Event.objects.count())
    assert after == before
    assert not IdempotencyKey.objects.exists()


def test_a_failure_while_filing_rolls_back_the_components_already_filed(
    world, licenses, citizen, monkeypatch
):
    from ..services import applications

    real = applications.application_submit
    calls = []

    def failing_third(**kwargs):
        calls.append(kwargs["item_code"])
        if len(calls) == 3:
            raise ValidationFailed("材料无效", fields={"materials.M01": ["上传凭证无效"]})
        return real(**kwargs)

    monkeypatch.setattr(applications, "application_submit", failing_third)
    with pytest.raises(ValidationFailed) as caught:
        submit(citizen, world)
    assert len(calls) == 3
    assert "materials.B02" in caught.value.fields  # C's M01 is the merged B02
    assert caught.value.fields["materials.B02"][0].startswith("社保卡申领（测试）：")
    assert not Application.objects.exists()
    assert not BundleApplication.objects.exists()


def test_missing_shared_material_is_reported_once_under_its_merged_code(world, licenses, citizen):
    with pytest.raises(ValidationFailed) as caught:
        submit(citizen, world, materials=licensed(world.people[0])[1:])
    assert caught.value.fields["materials.B01"] == ["请提交“居民身份证”（选择电子证照或上传文件）"]


def test_same_key_files_once(world, licenses, citizen):
    first = submit(citizen, world, idempotency_key="double-click")
    second = submit(citizen, world, idempotency_key="double-click")
    assert first.pk == second.pk
    assert BundleApplication.objects.count() == 1
    assert Application.objects.count() == 3


def test_optional_item_can_be_left_out(world, licenses, citizen):
    bundle_application = submit(citizen, world, chosen_items=[], form_data=child_form(address=""))
    codes = list(bundle_application.applications.values_list("item__standard_code", flat=True))
    assert sorted(codes) == list(CODES[:2])
    assert bundle_application.status == "completed"


def test_optional_item_chosen_must_be_complete(world, licenses, citizen):
    with pytest.raises(ValidationFailed) as caught:
        submit(citizen, world, chosen_items=[CODES[2]], form_data=child_form(address=""))
    assert "address" in caught.value.fields


def test_mandatory_items_cannot_be_unchecked(world, licenses, citizen):
    bundle_application = submit(citizen, world, chosen_items=[CODES[2]])
    assert bundle_application.applications.count() == 3


def test_unknown_item_cannot_be_chosen(world, licenses, citizen):
    with pytest.raises(ValidationFailed) as caught:
        submit(citizen, world, chosen_items=["GD-XXX-999"])
    assert "chosen_items" in caught.value.fields


def test_refused_component_makes_the_bundle_partial(world, licenses, citizen):
    bundle_application = submit(citizen, world, form_data=child_form(child_name="不予"))
    statuses = dict(bundle_application.applications.values_list("item__standard_code", "status"))
    assert statuses == {CODES[0]: "rejected", CODES[1]: "approved", CODES[2]: "approved"}
    assert bundle_application.status == "partial"


def test_staff_cannot_file_a_bundle_online(world, licenses):
    staff = staff_make("bundle_staff")
    with pytest.raises(PermissionDenied):
        submit(staff, world)
    assert not BundleApplication.objects.exists()


def test_upload_once_serves_every_component(world, citizen, uploads):
    principal = principal_of(citizen)
    staged = {
        code: bundle_material_stage(
            principal=principal,
            bundle_code="test-birth",
            material_code=code,
            original_name=f"{code}.pdf",
            content=io.BytesIO(PDF),
        )
        for code in ("B01", "B02")
    }
    bundle_application = bundle_submit(
        principal=principal,
        bundle_code="test-birth",
        form_data=child_form(),
        materials=[{"code": c, "upload_token": s.token} for c, s in staged.items()],
        idempotency_key=key(),
    )
    rows = list(
        bundle_application.applications.order_by("id").values_list(
            "item__standard_code", "materials__material_code", "materials__sha256"
        )
    )
    assert len(rows) == 4  # A: M01; B: M01, M02; C: M01
    assert {sha for _, _, sha in rows} == {staged["B01"].sha256}
    assert bundle_application.status == "completed"


def test_upload_token_of_another_account_is_refused(world, citizen, other_citizen, uploads):
    staged = bundle_material_stage(
        principal=principal_of(other_citizen),
        bundle_code="test-birth",
        material_code="B01",
        original_name="id.pdf",
        content=io.BytesIO(PDF),
    )
    with pytest.raises(ValidationFailed) as caught:
        bundle_submit(
            principal=principal_of(citizen),
            bundle_code="test-birth",
            form_data=child_form(),
            materials=[{"code": "B01", "upload_token": staged.token}],
            idempotency_key=key(),
        )
    assert "上传凭证无效" in caught.value.fields["materials.B01"][0]
    assert not Application.objects.exists()


def test_combined_status_follows_component_events(
    world, licenses, citizen, django_capture_on_commit_callbacks, monkeypatch
):
    # Make B a case that waits (its approval mode module does nothing), then close it.
    from ..services import applications

    real_verdict, real_dispatch = applications._verdict_at_filing, applications._dispatch

    def verdict_at_filing(application):
        if application.item.standard_code != CODES[1]:
            return real_verdict(application)
        return None

    def dispatch(*, application, principal, commitment, verdict):
        if application.item.standard_code != CODES[1]:
            real_dispatch(
                application=application, principal=principal, commitment=commitment, verdict=verdict
            )

    monkeypatch.setattr(applications, "_verdict_at_filing", verdict_at_filing)
    monkeypatch.setattr(applications, "_dispatch", dispatch)
    with django_capture_on_commit_callbacks(execute=True):
        bundle_application = submit(citizen, world)
    assert bundle_application.status == "submitted"
    waiting = bundle_application.applications.get(item__standard_code=CODES[1])
    assert waiting.status == "submitted"

    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(
            principal=principal_of(citizen), number=waiting.number, reason="不需要了"
        )
    bundle_application.refresh_from_db()
    assert bundle_application.status == "partial"
    assert bundle_application.closed_at is not None
    completed = Event.objects.filter(topic="services.bundle.completed").get()
    assert completed.payload["status"] == "partial"
    assert "已撤回 1 项" in completed.payload["summary"]
    # at least once delivery: refreshing again changes nothing and announces nothing
    bundle_status_refresh(bundle_application_id=bundle_application.pk)
    assert Event.objects.filter(topic="services.bundle.completed").count() == 1
