import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..models import OpenDataset
from ..selectors.ckan import package_dict
from ..selectors.search import SearchInvalid, SearchQuery, dataset_search, with_details
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


def test_page_holds_what_package_dicts_show(orgs):
    for n in range(3):
        publish_shops(code=f"GZ-SCJG-T{n}", name=f"shops-{n}")
    result = dataset_search(query=SearchQuery(text="便利店", rows=3))
    loaded = with_details(OpenDataset.objects.filter(pk__in=[d.pk for d in result.datasets]))
    expected = {d.pk: package_dict(d, base_url="http://testserver") for d in loaded}
    with CaptureQueriesContext(connection) as reads:
        shown = [package_dict(d, base_url="http://testserver") for d in result.datasets]
        for dataset in result.datasets:
            assert dataset.datastore.dataset is dataset
            assert all(r.dataset is dataset for r in dataset.resources.all())
            assert all(t.dataset is dataset for t in dataset.tag_rows.all())
    assert len(reads) == 0
    assert shown == [expected[d.pk] for d in result.datasets]
    assert [len(p["resources"]) for p in shown] == [3, 3, 3]
    assert [t["name"] for t in shown[0]["tags"]] == ["便利店", "商业网点"]
    # the prefetched rows still filter as the dataset's own
    first = result.datasets[0]
    assert list(first.tag_rows.filter(name="便利店").values_list("dataset_id", flat=True)) == [
        first.pk
    ]


def test_pages_follow_the_order_of_one_long_page(orgs):
    for n in range(4):
        publish_shops(code=f"GZ-SCJG-T{n}", name=f"shops-{n}")
    for sort in ("", "name desc", "views_total desc, name asc", "score asc", "name asc, name desc"):
        whole = dataset_search(query=SearchQuery(text="便利店", sort=sort, rows=4)).datasets
        pages = [
            dataset
            for start in range(4)
            for dataset in dataset_search(
                query=SearchQuery(text="便利店", sort=sort, rows=1, start=start)
            ).datasets
        ]
        assert [d.name for d in pages] == [d.name for d in whole] and len(whole) == 4
    names = dataset_search(query=SearchQuery(text="便利店", sort="name desc", rows=4)).datasets
    assert [d.name for d in names] == ["shops-3", "shops-2", "shops-1", "shops-0"]
    beyond = dataset_search(
        query=SearchQuery(text="便利店", rows=2, start=4, facet_fields=("tags",))
    )
    assert beyond.count == 4 and beyond.datasets == []


def test_query_that_can_match_nothing_counts_zero(published):
    for query in (
        SearchQuery(text="！！", facet_fields=("organization", "tags")),
        SearchQuery(filters={"region": ["广州"]}, facet_fields=("groups",)),
        SearchQuery(filters={"id": ["not-an-id"]}),
    ):
        result = dataset_search(query=query)
        assert result.count == 0 and result.datasets == []
        assert all(items == [] for items in result.facets.values())
