"""事项管理: versions are immutable once published, four-eyes publishing, the local-field
rule of 同事同标 and its propagation, deactivation, audit and events."""

from __future__ import annotations

import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import Conflict, PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import ANONYMOUS, Principal

from ..models import ServiceItem, ServiceItemVersion
from ..selectors.items import item_for_region, item_published_get, item_versions
from ..services import items as svc
from ..testing import item_make, organizations_ready

V = ServiceItemVersion.Status
EDIT = "services.edit_item_draft"
REVIEW = "services.review_item"

pytestmark = pytest.mark.django_db


def staff(name: str, *perms: str, org: str = "440000-zsj") -> Principal:
    organizations_ready()
    return Principal(
        kind="staff",
        id=name,
        organization_id=Organization.objects.get(code=org).pk,
        permissions=frozenset(perms),
    )


@pytest.fixture
def drafter():
    return staff("drafter", EDIT)


@pytest.fixture
def reviewer():
    return staff("reviewer", REVIEW)


FIELDS = {
    "name": "出生医学证明签发",
    "item_type": "public_service",
    "subject_kind": "person",
    "statutory_days": 20,
    "promised_days": 5,
    "approval_mode": "instant",
    "life_events": ["birth"],
    "materials": [{"code": "M01", "name": "居民身份证", "license_types": ["JMSFZ"]}],
}


def published_item(drafter, reviewer, code="GD-T-001-440100", org="440100-wjw", **extra):
    standard_code = extra.pop("standard_code", "")
    is_local = ServiceItem.objects.filter(standard_code=standard_code, is_standard=True).exists()
    svc.item_create(
        principal=drafter,
        code=code,
        standard_code=standard_code,
        organization_code=org,
        fields=extra if is_local else {**FIELDS, **extra},
    )
    svc.item_submit_review(principal=drafter, code=code)
    svc.item_publish(principal=reviewer, code=code)
    return ServiceItem.objects.get(code=code)


def test_create_makes_draft_v1_not_public(drafter):
    item = svc.item_create(
        principal=drafter, code="GD-T-001-440100", organization_code="440100-wjw", fields=FIELDS
    )
    assert item.is_standard and item.standard_code == "GD-T-001-440100"
    version = item.versions.get()
    assert (version.number, version.status, version.created_by) == (1, V.DRAFT, "staff:drafter")
    assert "出生" in version.search_text.split()
    assert item.published is None
    with pytest.raises(Exception):  # noqa: B017 - NotFound
        item_published_get(code=item.code)
    assert AuditEntry.objects.filter(action="services.item.created", object_id=item.code).exists()
    assert Event.objects.filter(topic="services.item.created").exists()


def test_publish_and_edit_keep_published_version_immutable(drafter, reviewer):
    item = published_item(drafter, reviewer)
    v1 = item.published
    draft = svc.item_draft_edit(
        principal=drafter, code=item.code, changes={"promised_days": 3}, change_note="提速"
    )
    assert draft.number == 2 and draft.status == V.DRAFT
    v1.refresh_from_db()
    assert v1.promised_days == 5 and v1.status == V.PUBLISHED
    # a second edit updates the same draft
    again = svc.item_draft_edit(principal=drafter, code=item.code, changes={"place": "一楼A区"})
    assert again.pk == draft.pk and again.promised_days == 3 and again.place == "一楼A区"
    assert item_published_get(code=item.code).published.promised_days == 5
    svc.item_submit_review(principal=drafter, code=item.code)
    with pytest.raises(Conflict):
        svc.item_draft_edit(principal=drafter, code=item.code, changes={"place": "二楼"})
    svc.item_publish(principal=reviewer, code=item.code)
    item.refresh_from_db()
    v1.refresh_from_db()
    assert item.published.number == 2 and item.published.promised_days == 3
    assert v1.status == V.SUPERSEDED
    assert [v.number for v in item_versions(principal=reviewer, code=item.code)] == [2, 1]
    assert Event.objects.filter(topic="services.item.published").count() == 2


def test_four_eyes_drafter_cannot_publish(drafter):
    both = staff("both", EDIT, REVIEW)
    svc.item_create(
        principal=both, code="GD-T-002-440100", organization_code="440100-wjw", fields=FIELDS
    )
    svc.item_submit_review(principal=both, code="GD-T-002-440100")
    with pytest.raises(PermissionDenied) as caught:
        svc.item_publish(principal=both, code="GD-T-002-440100")
    assert caught.value.code == "services/item_four_eyes"
    assert ServiceItem.objects.get(code="GD-T-002-440100").published is None
    assert AuditEntry.objects.filter(
        action="services.item.publish", outcome="denied", object_id="GD-T-002-440100"
    ).exists()
    svc.item_publish(principal=staff("other", REVIEW), code="GD-T-002-440100")
    assert ServiceItem.objects.get(code="GD-T-002-440100").published.number == 1


@pytest.mark.parametrize(
    "principal",
    [
        ANONYMOUS,
        Principal(kind="citizen", id="9", person_id_number="440101199001011234"),
        Principal(kind="staff", id="nope"),
        "drafter_only",
    ],
    ids=["anonymous", "citizen", "staff_without_permission", "drafter_without_review"],
)
def test_publish_and_reject_denied_change_nothing(principal, drafter, reviewer):
    principal = drafter if principal == "drafter_only" else principal
    svc.item_create(
        principal=drafter, code="GD-T-003-440100", organization_code="440100-wjw", fields=FIELDS
    )
    svc.item_submit_review(principal=drafter, code="GD-T-003-440100")
    for command in (
        lambda: svc.item_publish(principal=principal, code="GD-T-003-440100"),
        lambda: svc.item_reject(principal=principal, code="GD-T-003-440100", comment="不行"),
        lambda: svc.item_deactivate(principal=principal, code="GD-T-003-440100"),
    ):
        with pytest.raises((PermissionDenied, Unauthenticated)):
            command()
    item = ServiceItem.objects.get(code="GD-T-003-440100")
    assert item.published is None and item.is_active
    assert item.versions.get().status == V.IN_REVIEW


def test_staff_of_another_city_cannot_edit(drafter, reviewer):
    item = published_item(drafter, reviewer)
    outsider = staff("sz", EDIT, org="440300-wjw")
    with pytest.raises(PermissionDenied):
        svc.item_draft_edit(principal=outsider, code=item.code, changes={"place": "深圳"})
    assert item.versions.count() == 1
    # the department itself may
    own = staff("gz", EDIT, org="440100-wjw")
    assert svc.item_draft_edit(principal=own, code=item.code, changes={"place": "广州"}).number == 2


def test_reject_then_edit_and_resubmit(drafter, reviewer):
    item = published_item(drafter, reviewer)
    svc.item_draft_edit(principal=drafter, code=item.code, changes={"statutory_days": 15})
    svc.item_submit_review(principal=drafter, code=item.code)
    with pytest.raises(ValidationFailed):
        svc.item_reject(principal=reviewer, code=item.code, comment=" ")
    rejected = svc.item_reject(principal=reviewer, code=item.code, comment="法定时限依据不足")
    assert rejected.status == V.REJECTED and rejected.review_comment == "法定时限依据不足"
    edited = svc.item_draft_edit(principal=drafter, code=item.code, changes={"statutory_days": 18})
    assert edited.pk == rejected.pk and edited.status == V.DRAFT and edited.review_comment == ""
    svc.item_submit_review(principal=drafter, code=item.code)
    svc.item_publish(principal=reviewer, code=item.code)
    assert item_published_get(code=item.code).published.statutory_days == 18


def test_validation_names_the_field(drafter):
    with pytest.raises(ValidationFailed) as caught:
        svc.item_create(
            principal=drafter,
            code="GD-T-004-440100",
            organization_code="440100-wjw",
            fields={**FIELDS, "promised_days": 30},
        )
    assert "promised_days" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        svc.item_create(
            principal=drafter,
            code="GD-T-004-440100",
            organization_code="440100-wjw",
            fields={**FIELDS, "life_events": ["moon_landing"]},
        )
    assert "life_events" in caught.value.fields
    assert not ServiceItem.objects.filter(code="GD-T-004-440100").exists()


def test_local_item_may_change_only_local_fields(drafter, reviewer):
    published_item(drafter, reviewer, code="GD-T-005-440100", standard_code="GD-T-005")
    local = svc.item_create(
        principal=drafter,
        code="GD-T-005-440300",
        standard_code="GD-T-005",
        organization_code="440300-wjw",
        fields={"place": "深圳市民中心", "promised_days": 2},
    )
    assert not local.is_standard
    assert local.versions.get().name == FIELDS["name"]
    svc.item_submit_review(principal=drafter, code=local.code)
    svc.item_publish(principal=reviewer, code=local.code)
    with pytest.raises(ValidationFailed) as caught:
        svc.item_draft_edit(principal=drafter, code=local.code, changes={"name": "改名"})
    assert caught.value.code == "services/item_field_not_local"
    assert "name" in caught.value.fields and "事项名称" in caught.value.message
    assert local.versions.count() == 1


def test_standard_publish_propagates_to_local_items(drafter, reviewer):
    standard = published_item(drafter, reviewer, code="GD-T-006-440100", standard_code="GD-T-006")
    for city in ("440300", "440400"):
        svc.item_create(
            principal=drafter,
            code=f"GD-T-006-{city}",
            standard_code="GD-T-006",
            organization_code=f"{city}-wjw",
            fields={"place": f"{city} 政务中心", "promised_days": 4},
        )
        svc.item_submit_review(principal=drafter, code=f"GD-T-006-{city}")
        svc.item_publish(principal=reviewer, code=f"GD-T-006-{city}")
    svc.item_draft_edit(
        principal=drafter,
        code=standard.code,
        changes={"name": "出生医学证明首次签发", "conditions": ["在本省出生"]},
    )
    svc.item_submit_review(principal=drafter, code=standard.code)
    svc.item_publish(principal=reviewer, code=standard.code)
    for city in ("440300", "440400"):
        local = item_published_get(code=f"GD-T-006-{city}")
        assert local.published.number == 2
        assert local.published.name == "出生医学证明首次签发"
        assert local.published.conditions == ["在本省出生"]
        assert local.published.place == f"{city} 政务中心" and local.published.promised_days == 4
        assert local.versions.get(number=1).status == V.SUPERSEDED
    assert AuditEntry.objects.filter(action="services.item.propagated").count() == 2
    assert Event.objects.filter(topic="services.item.propagated").count() == 2


def test_deactivate_hides_item(drafter, reviewer):
    item = published_item(drafter, reviewer)
    svc.item_deactivate(principal=reviewer, code=item.code, reason="事项取消")
    with pytest.raises(Exception):  # noqa: B017 - NotFound
        item_published_get(code=item.code)
    assert AuditEntry.objects.filter(action="services.item.deactivated").exists()


def test_item_for_region_nearest_then_provincial(drafter, reviewer):
    published_item(drafter, reviewer, code="GD-T-007-440000", org="440000-wjw")
    published_item(
        drafter, reviewer, code="GD-T-007-440100", org="440100-wjw", standard_code="GD-T-007-440000"
    )
    assert item_for_region(standard_code="GD-T-007-440000", region_code="440100").code == (
        "GD-T-007-440100"
    )
    # a district of Guangzhou: the city's item; Shenzhen: the provincial one
    assert item_for_region(standard_code="GD-T-007-440000", region_code="440106").code == (
        "GD-T-007-440100"
    )
    assert item_for_region(standard_code="GD-T-007-440000", region_code="440300").code == (
        "GD-T-007-440000"
    )
    assert item_for_region(standard_code="NOPE", region_code="440300") is None


def test_item_make_goes_through_services():
    item = item_make(code="TEST-MAKE", approval_mode="instant", statutory_days=5)
    assert item.published.approval_mode == "instant" and item.published.promised_days == 5
    assert item.published.created_by != item.published.reviewed_by
    local = item_make(
        code="TEST-MAKE-SZ",
        standard_code="TEST-MAKE",
        organization_code="440300-scjg",
        approval_mode="instant",
        place="深圳",
    )
    assert not local.is_standard and local.published.place == "深圳"


def test_catalog_load_is_idempotent_and_operator_only():
    organizations_ready()
    entries = svc.catalog_entries()
    assert len(entries) >= 100
    sample = [e for e in entries if e["standard_code"] in ("GD-WJW-GG-120", "GD-SW-QT-142")]
    operator = Principal(kind="operator", id="seed")
    with pytest.raises(PermissionDenied):
        svc.items_catalog_load(principal=Principal(kind="staff", id="x"), entries=sample)
    report = svc.items_catalog_load(principal=operator, entries=sample)
    assert report.created == 22  # 21 cities + the provincial item
    again = svc.items_catalog_load(principal=operator, entries=sample)
    assert again.created == 0 and again.existing == 22
    standard = ServiceItem.objects.get(standard_code="GD-WJW-GG-120", is_standard=True)
    assert standard.code == "GD-WJW-GG-120-440100"
    assert (
        ServiceItem.objects.filter(standard_code="GD-WJW-GG-120", is_standard=False).count() == 20
    )
    guide = item_published_get(code="GD-WJW-GG-120-440300")
    assert guide.published.implementing_body == "深圳市卫生健康局"


def test_demo_data_is_well_formed():
    entries = svc.catalog_entries()
    mine = [e for e in entries if "-YJS-" not in e["standard_code"]]
    assert len(mine) >= 100
    modes = [e["approval_mode"] for e in mine]
    assert 0.2 <= modes.count("instant") / len(mine) <= 0.3
    assert 0.1 <= modes.count("commitment") / len(mine) <= 0.2
    for entry in entries:
        svc._entry_values(entry)  # raises on a bad entry
    restaurant = [e for e in mine if e["workflow_process"] == "restaurant_opening"]
    assert any(e["name"] == "食品经营许可" and e["subject_kind"] == "entity" for e in restaurant)
