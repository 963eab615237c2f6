"""The rows of a resource, from a registry or the dataset store, by key, by page and in full."""

from __future__ import annotations

import pytest

from digigov.data.registries.services import (
    demo_entity_usccs,
    demo_person_id_numbers,
    registry_demo_generate,
)
from digigov.kernel.errors import ValidationFailed
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.regions.services import regions_load

from ..models import DataResource, DatasetRow, ResourceField
from ..selectors.rows import resource_row_by_key, resource_rows, resource_rows_iter


@pytest.fixture
def org(db):
    regions_load()
    organizations_seed(county_level=False, town_level=False)
    registry_demo_generate(people=5, entities=2)
    return Organization.objects.get(code="440100-scjg")


def _resource(org, storage, code="R1", key_field=""):
    return DataResource.objects.create(
        code=code, name="测试资源", organization=org, layer="topic", storage=storage,
        share_condition="conditional", grade="general", key_field=key_field,
    )  # fmt: skip


def test_person_registry_rows_open_sealed_fields(org):
    resource = _resource(org, DataResource.Storage.PERSON_REGISTRY, key_field="id_number")
    first = demo_person_id_numbers(count=5)[0]
    row = resource_row_by_key(
        resource=resource, key=first, fields=["id_number", "name", "residence_address"]
    )
    assert row["id_number"] == first and row["name"] and "*" not in row["residence_address"]
    assert resource_row_by_key(resource=resource, key="440101199001011234", fields=["name"]) is None
    page = resource_rows(resource=resource, fields=["id_number"], page=1, page_size=2)
    assert len(page.rows) == 2 and page.total >= 5
    keys = [ref for ref, _ in resource_rows_iter(resource=resource, fields=["name"], chunk=2)]
    assert keys == sorted(keys) and first in keys and len(keys) == page.total
    with pytest.raises(ValidationFailed):
        resource_rows(resource=resource, fields=["nope"])


def test_entity_registry_filters_by_field(org):
    resource = _resource(org, DataResource.Storage.ENTITY_REGISTRY, key_field="uscc")
    uscc = demo_entity_usccs(count=2)[0]
    page = resource_rows(resource=resource, fields=["uscc", "status"], filters={"uscc": uscc})
    assert page.total == 1 and page.rows[0]["uscc"] == uscc
    with pytest.raises(ValidationFailed):
        resource_rows(resource=resource, fields=["uscc"], filters={"address": "x"})


def test_dataset_rows_by_key_page_and_iteration(org):
    resource = _resource(org, DataResource.Storage.DATASET, key_field="shop")
    ResourceField.objects.create(resource=resource, name="shop", label="店名", data_type="string")
    ResourceField.objects.create(resource=resource, name="city", label="城市", data_type="string")
    for number, (shop, city) in enumerate(
        [("甲店", "广州"), ("乙店", "深圳"), ("丙店", "广州")], 1
    ):
        DatasetRow.objects.create(
            resource=resource, row_number=number, key=shop, data={"shop": shop, "city": city}
        )
    assert resource_row_by_key(resource=resource, key="乙店", fields=["city"]) == {"city": "深圳"}
    page = resource_rows(resource=resource, fields=["shop"], filters={"city": "广州"})
    assert [r["shop"] for r in page.rows] == ["甲店", "丙店"] and page.total == 2
    assert [ref for ref, _ in resource_rows_iter(resource=resource, fields=["shop"])] == [
        "#1",
        "#2",
        "#3",
    ]
    api = _resource(org, DataResource.Storage.API, code="R2")
    with pytest.raises(ValidationFailed):
        resource_rows(resource=api, fields=["x"])
