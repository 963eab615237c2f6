import pytest
from django.core.management import call_command

from ..models import OpenDataset
from ..selectors.datastore import datastore_of_resource, datastore_search
from ..selectors.search import SearchQuery, dataset_search
from ..services.generate import bench_resource_id, datasets_generate, datastore_bench_load

pytestmark = pytest.mark.django_db


def test_generate_is_idempotent_and_searchable(orgs):
    first = datasets_generate(count=120)
    assert (first.created, first.existing) == (120, 0)
    again = datasets_generate(count=150)
    assert (again.created, again.existing) == (30, 120)
    assert OpenDataset.objects.filter(state="published").count() == 150
    result = dataset_search(query=SearchQuery(text="充电桩", facet_fields=("groups", "res_format")))
    assert result.count > 0
    assert all("充电桩" in d.title for d in result.datasets)
    assert {i.name for i in result.facets["groups"]} == {"transport"}


def test_bench_datastore(orgs):
    datastore_bench_load(rows=3000)
    datastore_bench_load(rows=3000)  # reused
    resource_id = bench_resource_id(rows=3000)
    _, table = datastore_of_resource(resource_id=resource_id)
    assert table.row_count == 3000
    page = datastore_search(
        resource_id=resource_id,
        table=table,
        filters={"district_code": "440106", "category": "餐饮"},
        limit=5,
    )
    assert page.total > 0 and all(r["category"] == "餐饮" for r in page.records)


def test_command(orgs, capsys):
    call_command("opendata_generate", "--datasets", "20", "--datastore-rows", "500")
    out = capsys.readouterr().out
    assert "新建 20 个" in out and "500" in out
