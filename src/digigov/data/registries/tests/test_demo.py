"""Demo data: deterministic, valid identifiers, plausible records, safe to re-run."""

import datetime as dt

import pytest
from stdnum.cn import ric, uscc

from digigov.data.registries import pii, services
from digigov.data.registries.models import Entity, Person
from digigov.kernel.regions.models import Region


@pytest.mark.usefixtures("regions")
def test_generates_valid_deterministic_records():
    counts = services.registry_demo_generate(people=300, entities=40, seed=5)
    assert counts == {"people": 300, "entities": 40}
    people = list(Person.objects.order_by("id"))
    assert all(ric.is_valid(p.id_number) for p in people)
    assert all(ric.get_birth_date(p.id_number) == p.birth_date for p in people)
    assert all((int(p.id_number[16]) % 2 == 1) == (p.gender == "M") for p in people)
    levels = dict(Region.objects.values_list("code", "level"))
    assert {levels[p.household_region_id] for p in people} <= {"county", "town"}
    first = people[0]
    address = pii.unseal(token=first.residence_address_sealed, record_key=first.id_number)
    region = Region.objects.get(code=first.household_region_id)
    assert address.startswith("广东省") and region.name in address
    phone = pii.unseal(token=first.phone_sealed, record_key=first.id_number)
    assert len(phone) == 11 and phone.startswith("1")
    assert 2 <= len(first.name) <= 4
    entities = list(Entity.objects.order_by("id"))
    assert all(uscc.is_valid(e.uscc) for e in entities)
    reps = {p.id_number for p in people}
    assert all(e.legal_rep_id_number in reps for e in entities)
    adults_by = dt.date(2004, 12, 31)
    assert all(ric.get_birth_date(e.legal_rep_id_number) <= adults_by for e in entities)


@pytest.mark.usefixtures("regions")
def test_same_seed_same_records_and_first_ids_are_known_in_advance():
    expected_people = services.demo_person_id_numbers(seed=9, count=5)
    expected_entities = services.demo_entity_usccs(seed=9, count=3)
    services.registry_demo_generate(people=50, entities=5, seed=9)
    assert list(Person.objects.order_by("id").values_list("id_number", flat=True)[:5]) == (
        expected_people
    )
    assert list(Entity.objects.order_by("id").values_list("uscc", flat=True)[:3]) == (
        expected_entities
    )
    first_entity = Entity.objects.get(uscc=expected_entities[0])
    assert first_entity.status == "存续"


@pytest.mark.usefixtures("regions")
def test_rerun_skips_existing_rows_and_scales_up():
    services.registry_demo_generate(people=30, entities=3, seed=4)
    assert services.registry_demo_generate(people=30, entities=3, seed=4) == {
        "people": 0,
        "entities": 0,
    }
    assert services.registry_demo_generate(people=40, entities=5, seed=4) == {
        "people": 10,
        "entities": 2,
    }
    assert Person.objects.count() == 40


def test_loads_regions_when_missing(db):
    assert not Region.objects.exists()
    assert services.demo_person_id_numbers(count=2)
    assert Region.objects.filter(level="county").count() == 122
