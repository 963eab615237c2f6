"""The catalog's demo seed: the two base registries catalogued, departments' datasets with
rows covering every share condition, open condition and grade, one awaiting review, one
registered API; idempotent."""

from __future__ import annotations

import pytest

from digigov.data.registries.services import registry_demo_generate

from ..models import DataResource, DatasetRow
from ..selectors.rows import resource_row_by_key
from ..services.demo import catalog_demo_seed

pytestmark = pytest.mark.django_db


def test_demo_catalog(orgs):
    registry_demo_generate(people=120, entities=130, seed=2021)
    summary = catalog_demo_seed(seed=2021, people=120, entities=130)
    assert "数据资源 11 个" in summary
    assert catalog_demo_seed(seed=2021, people=120, entities=130) == "已存在，跳过"
    resources = DataResource.objects.all()
    person = resources.get(code="GD-GAT-RKJC")
    assert (person.organization.code, person.storage, person.key_field, person.status) == (
        "440000-gat",
        "registry.person",
        "id_number",
        "published",
    )
    masks = dict(person.fields.values_list("name", "masking"))
    assert masks["id_number"] == "id_number" and masks["name"] == "name"
    assert masks["residence_address"] == "address" and masks["phone"] == "phone"
    entity = resources.get(code="GD-SCJG-FRJC")
    assert entity.share_condition == "unconditional" and entity.grade == "general"
    rep = entity.fields.get(name="legal_rep_id_number")
    assert rep.sensitivity == "personal" and rep.masking == "id_number"
    published = resources.filter(status="published")
    assert set(published.values_list("share_condition", flat=True)) == {
        "unconditional",
        "conditional",
        "none",
    }
    assert set(published.values_list("open_condition", flat=True)) == {
        "unconditional",
        "conditional",
        "none",
    }
    assert set(published.values_list("grade", flat=True)) == {"general", "important", "core"}
    assert set(published.values_list("layer", flat=True)) == {"base", "topic", "thematic"}
    assert list(resources.filter(status="submitted").values_list("code", flat=True)) == [
        "GZ-MZ-HYDJTJ"
    ]
    assert resources.get(storage="api").api_url.startswith("https://")
    assert resources.values("organization").distinct().count() >= 6
    for resource in resources.filter(storage="dataset"):
        assert 20 <= resource.row_count <= 400, resource.code
        assert DatasetRow.objects.filter(resource=resource).count() == resource.row_count
    # the social insurance rows name people of the demo registry
    insurance = resources.get(code="GD-RSJ-SBJF")
    row = DatasetRow.objects.filter(resource=insurance).first().data
    found = resource_row_by_key(resource=person, key=row["id_number"], fields=["name"])
    assert found == {"name": row["name"]}
