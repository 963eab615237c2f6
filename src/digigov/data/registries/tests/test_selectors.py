"""Lookups, lists and exports: masked unless entitled, every read and denial audited in the
read's own transaction, and no read without its audit entry."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digigov.data.registries import pii, selectors
from digigov.data.registries.models import Person
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.crypto.base import CryptoError
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.ids import InvalidIdentifier
from digigov.kernel.principals import ANONYMOUS

from .factories import (
    VALID_ID,
    audit_head,
    audit_since,
    citizen,
    entity_rows,
    import_entities,
    import_people,
    machine,
    people_rows,
    staff,
)

pytestmark = pytest.mark.usefixtures("regions")


@pytest.fixture
def people():
    records = people_rows(6)
    import_people(records)
    return records


@pytest.fixture
def entities():
    records = entity_rows(4)
    import_entities(records)
    return records


FULL_READERS = [
    staff("view_person", "view_person_pii"),
    machine("registry:read", "registry:pii"),
]
MASKED_READERS = [staff("view_person"), machine("registry:read")]


@pytest.mark.parametrize("principal", FULL_READERS, ids=["staff-pii", "machine-pii"])
def test_entitled_reader_sees_the_full_record(people, principal):
    record = people[0]
    view = selectors.person_get(principal=principal, id_number=record["id_number"], purpose="核验")
    assert not view.is_masked
    assert (view.id_number, view.name, view.phone) == (
        record["id_number"],
        record["name"],
        record["phone"],
    )
    assert view.residence_address == record["residence_address"]
    assert view.birth_date.isoformat() == record["birth_date"]


@pytest.mark.parametrize("principal", MASKED_READERS, ids=["staff", "machine"])
def test_other_readers_see_a_masked_record(people, principal):
    record = people[0]
    view = selectors.person_get(principal=principal, id_number=record["id_number"])
    assert view.is_masked
    assert view.id_number == record["id_number"][:4] + "*" * 10 + record["id_number"][-4:]
    assert view.name == record["name"][0] + "*" * (len(record["name"]) - 1)
    assert view.phone == record["phone"][:3] + "****" + record["phone"][-4:]
    assert view.residence_address == record["residence_address"][:6] + "****"
    assert view.birth_date is None
    assert record["residence_address"] not in repr(view)


def test_a_citizen_reads_their_own_record_in_full_and_nobody_elses(people):
    own, other = people[0]["id_number"], people[1]["id_number"]
    view = selectors.person_get(principal=citizen(own), id_number=own)
    assert not view.is_masked and view.phone == people[0]["phone"]
    before = audit_head()
    with pytest.raises(PermissionDenied):
        selectors.person_get(principal=citizen(own), id_number=other)
    assert audit_since(before) == [("registry.person.read", "denied", other)]


def test_every_read_is_audited_with_purpose_and_masking(people):
    before = audit_head()
    selectors.person_get(
        principal=staff("view_person"), id_number=people[0]["id_number"], purpose="社保办理"
    )
    [entry] = AuditEntry.objects.filter(seq__gt=before)
    assert (entry.action, entry.outcome, entry.object_id) == (
        "registry.person.read",
        "success",
        people[0]["id_number"],
    )
    assert entry.actor == "staff:7"
    assert entry.source_address == "10.0.0.7"
    assert entry.detail == {"purpose": "社保办理", "masked": True, "found": True}


def test_no_read_without_its_audit_entry(people, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(selectors, "audit_record", broken)
    with pytest.raises(RuntimeError):
        selectors.person_get(principal=staff("view_person"), id_number=people[0]["id_number"])
    with pytest.raises(RuntimeError):
        selectors.person_search(principal=staff("view_person"))


@pytest.mark.django_db(transaction=True)
def test_audit_entry_and_read_share_a_transaction(people, monkeypatch):
    seen = []
    real = selectors.audit_record

    def spy(**kwargs):
        seen.append(connection.in_atomic_block)
        return real(**kwargs)

    monkeypatch.setattr(selectors, "audit_record", spy)
    # no test transaction here: the atomic block open at audit time is the read's own
    selectors.person_get(principal=staff("view_person"), id_number=people[0]["id_number"])
    assert seen == [True]


@pytest.mark.parametrize(
    "principal",
    [staff(), machine(), machine("registry:pii"), citizen(VALID_ID)],
    ids=["staff-without-permission", "machine-without-scope", "machine-pii-only", "citizen"],
)
def test_denied_reads_are_audited_and_reveal_nothing(people, principal):
    before = audit_head()
    with pytest.raises(PermissionDenied):
        selectors.person_get(principal=principal, id_number=people[0]["id_number"])
    assert audit_since(before) == [("registry.person.read", "denied", people[0]["id_number"])]


def test_anonymous_is_unauthenticated(people):
    with pytest.raises(Unauthenticated):
        selectors.person_get(principal=ANONYMOUS, id_number=people[0]["id_number"])


def test_unknown_and_invalid_numbers(people):
    before = audit_head()
    with pytest.raises(NotFound):
        selectors.person_get(principal=staff("view_person"), id_number=VALID_ID)
    with pytest.raises(InvalidIdentifier):
        selectors.person_get(principal=staff("view_person"), id_number="123")
    assert [e[:2] for e in audit_since(before)] == [
        ("registry.person.read", "failure"),
        ("registry.person.read", "failure"),
    ]


def test_purpose_is_required():
    with pytest.raises(ValidationFailed):
        selectors.person_get(principal=staff("view_person"), id_number=VALID_ID, purpose=" ")


def test_ciphertext_is_bound_to_its_row(people):
    first, second = (Person.objects.get(id_number=r["id_number"]) for r in people[:2])
    Person.objects.filter(pk=second.pk).update(phone_sealed=first.phone_sealed)
    with pytest.raises(CryptoError):
        selectors.person_get(principal=staff("view_person"), id_number=second.id_number)
    assert pii.unseal(token=first.phone_sealed, record_key=first.id_number) == people[0]["phone"]


# --- lists ------------------------------------------------------------------------------


def test_search_is_always_masked_and_filters_by_region_prefix(people):
    principal = staff("view_person", "view_person_pii")
    home = people[0]["household_region"]
    city = home[:4] + "00"
    page = selectors.person_search(principal=principal, region_code=city, page_size=100)
    expected = {r["id_number"][-4:] for r in people if r["household_region"].startswith(home[:4])}
    assert {v.id_number[-4:] for v in page.items} == expected
    assert all(v.is_masked for v in page.items)
    province = selectors.person_search(principal=principal, region_code="440000", page_size=100)
    assert len(province.items) == len(people)


def test_search_by_name_prefix_and_pagination(people):
    principal = staff("view_person")
    surname = people[0]["name"][0]
    found = selectors.person_search(principal=principal, name_prefix=surname)
    assert found.items and all(v.name.startswith(surname) for v in found.items)
    first = selectors.person_search(principal=principal, page=1, page_size=4)
    second = selectors.person_search(principal=principal, page=2, page_size=4)
    assert (len(first.items), first.has_next, len(second.items), second.has_next) == (
        4,
        True,
        2,
        False,
    )


def test_search_rejects_unknown_regions_and_deep_pages():
    with pytest.raises(ValidationFailed):
        selectors.person_search(principal=staff("view_person"), region_code="449999")
    with pytest.raises(ValidationFailed):
        selectors.person_search(principal=staff("view_person"), page=1000, page_size=100)


def test_search_uses_a_fixed_number_of_queries(people):
    principal = staff("view_person")
    with CaptureQueriesContext(connection) as small:
        selectors.person_search(principal=principal, page_size=2)
    with CaptureQueriesContext(connection) as large:
        selectors.person_search(principal=principal, page_size=6)
    assert len(small) == len(large) <= 8


def test_citizens_cannot_list(people):
    before = audit_head()
    with pytest.raises(PermissionDenied):
        selectors.person_search(principal=citizen(people[0]["id_number"]))
    assert audit_since(before) == [("registry.person.search", "denied", "")]


# --- exports ----------------------------------------------------------------------------


def _export(principal) -> list[dict]:
    out = io.StringIO()
    selectors.person_export(principal=principal, out=out, purpose="归档")
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_export_in_full_for_entitled_and_masked_for_others(people):
    full = _export(staff("view_person", "view_person_pii"))
    masked = _export(machine("registry:read"))
    assert [r["id_number"] for r in full] == [r["id_number"] for r in people]
    assert full[0]["phone"] == people[0]["phone"]
    assert masked[0]["id_number"].count("*") == 10
    assert masked[0]["residence_address"].endswith("****")


def test_full_export_imports_back_unchanged(people, regions):
    exported = _export(staff("view_person", "view_person_pii"))
    Person.objects.all().delete()
    report = import_people(exported)
    assert (report.imported, report.rejected) == (len(people), 0)


def test_export_is_audited_once_with_row_count(people):
    before = audit_head()
    _export(staff("view_person"))
    [entry] = AuditEntry.objects.filter(seq__gt=before)
    assert entry.action == "registry.person.export"
    assert entry.detail == {"purpose": "归档", "masked": True, "rows": len(people)}


# --- entities ---------------------------------------------------------------------------


def test_entity_lookup_masks_the_representative_and_address(entities):
    record = entities[0]
    masked = selectors.entity_get(principal=machine("registry:read"), uscc=record["uscc"])
    full = selectors.entity_get(
        principal=staff("view_entity", "view_entity_pii"), uscc=record["uscc"]
    )
    assert masked.is_masked and masked.uscc == record["uscc"]
    assert masked.legal_rep_id_number.count("*") == 10
    assert masked.address.endswith("****")
    assert full.legal_rep_id_number == record["legal_rep_id_number"]
    assert full.address == record["address"]


def test_entity_search_by_status(entities):
    status = entities[0]["status"]
    page = selectors.entity_search(principal=staff("view_entity"), status=status, page_size=100)
    assert {v.uscc for v in page.items} == {r["uscc"] for r in entities if r["status"] == status}
    with pytest.raises(ValidationFailed):
        selectors.entity_search(principal=staff("view_entity"), status="休眠")


def test_person_permission_does_not_open_entities(entities):
    with pytest.raises(PermissionDenied):
        selectors.entity_get(principal=staff("view_person"), uscc=entities[0]["uscc"])


# --- for the identity layer ---------------------------------------------------------------


def test_person_matches_and_brief(people):
    record = people[0]
    assert selectors.person_matches(id_number=record["id_number"], name=record["name"])
    assert selectors.person_matches(
        id_number=record["id_number"].lower(), name=f" {record['name']} "
    )
    assert not selectors.person_matches(id_number=record["id_number"], name="某某某")
    assert not selectors.person_matches(id_number=VALID_ID, name=record["name"])
    brief = selectors.person_brief(id_number=record["id_number"])
    assert brief.name == record["name"]
    assert brief.household_region_code == record["household_region"]
    assert selectors.person_brief(id_number=VALID_ID) is None


def test_entity_brief(entities):
    record = entities[0]
    brief = selectors.entity_brief(uscc=record["uscc"])
    assert (brief.name, brief.status, brief.legal_rep_id_number, brief.region_code) == (
        record["name"],
        record["status"],
        record["legal_rep_id_number"],
        record["region"],
    )
    assert selectors.entity_brief(uscc="91440101MA5CXXXX00") is None
