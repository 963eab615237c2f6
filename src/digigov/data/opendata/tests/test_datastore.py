import pytest

from digigov.kernel.errors import NotFound, ValidationFailed

from ..models import DatasetResource
from ..selectors.datastore import datastore_of_resource, datastore_search

pytestmark = pytest.mark.django_db


def _search(dataset, **kwargs):
    resource = DatasetResource.objects.filter(dataset=dataset).first()
    _, table = datastore_of_resource(resource_id=str(resource.pk))
    return datastore_search(resource_id=str(resource.pk), table=table, **kwargs)


def test_filters_sort_fields_and_paging(published):
    page = _search(published, filters={"district_code": "440104"}, limit=4, sort="staff_count desc")
    assert page.total == 10
    assert len(page.records) == 4
    assert all(r["district_code"] == "440104" for r in page.records)
    counts = [r["staff_count"] for r in page.records]
    assert counts == sorted(counts, reverse=True)
    listed = _search(published, filters={"district_code": ["440103", "440105"]}, limit=100)
    assert listed.total == 20
    typed = _search(
        published, filters={"staff_count": 3, "is_chain": "true"}, fields="shop_id,staff_count"
    )
    assert [f["id"] for f in typed.fields] == ["shop_id", "staff_count"]
    assert typed.total == len(typed.records) > 0
    everything = _search(published, limit=7, offset=28)
    assert everything.total == 30 and len(everything.records) == 2


def test_full_text(published):
    found = _search(published, q="越秀便利店")
    assert found.total == 10
    assert all("越秀" in r["shop_name"] for r in found.records)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"filters": {"nope": "1"}},
        {"filters": {"staff_count": "abc"}},
        {"filters": {"shop_id; DROP TABLE x": "1"}},
        {"filters": "shop_id=1"},
        {"sort": "shop_id; DROP TABLE x"},
        {"sort": "nope desc"},
        {"fields": ["shop_id", 'x" FROM y --']},
        {"limit": "many"},
        {"limit": 100000},
        {"offset": -1},
        {"q": ["a"]},
        {"filters": {"opened_on": "2020-13-45"}},
    ],
)
def test_bad_input_is_a_validation_error(published, kwargs):
    with pytest.raises(ValidationFailed):
        _search(published, **kwargs)
    assert _search(published).total == 30  # the table is intact


def test_unknown_resource():
    with pytest.raises(NotFound):
        datastore_of_resource(resource_id="00000000-0000-0000-0000-000000000000")
