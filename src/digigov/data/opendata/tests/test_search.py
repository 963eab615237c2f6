import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..selectors.search import SearchInvalid, SearchQuery, dataset_search
from ..services.publishing import dataset_withdraw
from .factories import publish_shops, publisher

pytestmark = pytest.mark.django_db


def test_chinese_query_and_facets(published):
    result = dataset_search(
        query=SearchQuery(
            text="便利店",
            facet_fields=(
                "organization",
                "groups",
                "tags",
                "res_format",
                "region",
                "update_frequency",
                "license_id",
            ),
        )
    )
    assert result.count == 1
    assert result.datasets[0].name == "guangzhou-shops"
    facets = {k: {i.name: i.count for i in v} for k, v in result.facets.items()}
    assert facets["organization"] == {"440100-scjg": 1}
    assert facets["groups"] == {"market": 1}
    assert facets["tags"] == {"便利店": 1, "商业网点": 1}
    assert facets["res_format"] == {"CSV": 1, "JSON": 1, "XLSX": 1}
    assert facets["region"] == {"440100": 1}
    labels = {i.name: i.display_name for i in result.facets["organization"]}
    assert labels["440100-scjg"] == "广州市市场监督管理局"
    assert dataset_search(query=SearchQuery(text="充电桩")).count == 0


def test_filters_and_withdrawn_datasets_leave(published):
    assert (
        dataset_search(query=SearchQuery(filters={"tags": ["便利店"], "groups": ["market"]})).count
        == 1
    )
    assert dataset_search(query=SearchQuery(filters={"organization": ["440100-mzt"]})).count == 0
    assert dataset_search(query=SearchQuery(filters={"region": ["440000"]})).count == 1
    dataset_withdraw(principal=publisher(), dataset_id=published.pk)
    assert dataset_search(query=SearchQuery(text="便利店")).count == 0


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(sort="nope desc"),
        SearchQuery(sort="name; DROP TABLE opendata_opendataset"),
        SearchQuery(facet_fields=("secret",)),
        SearchQuery(filters={"state": ["draft"]}),
    ],
)
def test_bad_queries(published, query):
    with pytest.raises(SearchInvalid):
        dataset_search(query=query)


def test_rows_limit(published):
    from digigov.kernel.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        dataset_search(query=SearchQuery(rows=1001))


def test_query_count_does_not_grow_with_results(orgs):
    for n in range(3):
        publish_shops(code=f"GZ-SCJG-T{n}", name=f"shops-{n}")
    with CaptureQueriesContext(connection) as one:
        dataset_search(query=SearchQuery(text="便利店", rows=1, facet_fields=("groups", "tags")))
    with CaptureQueriesContext(connection) as three:
        result = dataset_search(
            query=SearchQuery(text="便利店", rows=3, facet_fields=("groups", "tags"))
        )
    assert result.count == 3
    assert len(three) == len(one) <= 8
