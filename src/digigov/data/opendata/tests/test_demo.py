import pytest

from digigov.data.catalog.services.demo import catalog_demo_seed
from digigov.data.registries.services import registry_demo_generate

from ..models import DataRequest, DatastoreTable, OpenDataset, Showcase, UsageDay
from ..services.demo import opendata_demo_seed

pytestmark = pytest.mark.django_db


def test_demo(orgs):
    registry_demo_generate(people=120, entities=130, seed=2021)
    catalog_demo_seed(seed=2021, people=120, entities=130)
    summary = opendata_demo_seed(seed=2021)
    assert "开放数据集 4 个（有条件开放 1 个）" in summary
    assert opendata_demo_seed(seed=2021) == "已存在，跳过"
    food = OpenDataset.objects.get(name="guangzhou-food-business-licenses")
    assert food.open_condition == "conditional" and "legal_rep_name" in food.dropped_fields
    table = DatastoreTable.objects.get(dataset=food)
    assert "legal_rep_name" not in [c["id"] for c in table.columns] and table.row_count > 0
    assert UsageDay.objects.filter(dataset=food).count() == 30
    assert DataRequest.objects.get().state == "answered"
    assert Showcase.objects.get().state == "published"
