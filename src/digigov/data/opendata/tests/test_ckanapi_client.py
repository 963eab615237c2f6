"""The unmodified ckanapi client against a live server."""

import pytest

ckanapi = pytest.importorskip("ckanapi")

from ..models import DatasetResource  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def remote(live_server):
    client = ckanapi.RemoteCKAN(live_server.url, user_agent="digigov-tests")
    yield client
    client.close()


def test_ckanapi_lists_searches_shows_and_pages(remote, published, conditional):
    assert sorted(remote.action.package_list()) == ["guangzhou-shops", "shops-conditional"]
    assert remote.action.status_show()["ckan_version"].startswith("2.10")
    result = remote.action.package_search(
        q="便利店",
        fq="organization:440100-scjg",
        rows=1,
        sort="name asc",
        **{"facet.field": ["groups", "tags", "res_format"]},
    )
    assert result["count"] == 2 and len(result["results"]) == 1
    assert result["facets"]["res_format"] == {"CSV": 2, "JSON": 2, "XLSX": 2}
    package = remote.action.package_show(id="guangzhou-shops")
    assert package["organization"]["name"] == "440100-scjg"
    resource_id = next(r["id"] for r in package["resources"] if r["format"] == "CSV")
    seen, offset = [], 0
    while True:
        page = remote.action.datastore_search(
            resource_id=resource_id, limit=7, offset=offset, sort="_id asc"
        )
        assert page["total"] == 30
        if not page["records"]:
            break
        seen += [r["shop_id"] for r in page["records"]]
        offset += 7
    assert len(seen) == 30 == len(set(seen))
    filtered = remote.action.datastore_search(
        resource_id=resource_id, filters={"district_code": "440104"}
    )
    assert filtered["total"] == 10
    assert DatasetResource.objects.filter(pk=resource_id).exists()


def test_ckanapi_errors(remote, published):
    with pytest.raises(ckanapi.NotFound):
        remote.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.ValidationError):
        remote.action.package_search(rows=5000)
    with pytest.raises(ckanapi.SearchQueryError):
        remote.action.package_search(fq="secret:1")
    with pytest.raises(ckanapi.NotFound):
        remote.action.datastore_search(resource_id="00000000-0000-0000-0000-000000000000")


def test_ckanapi_get_only(live_server, published):
    client = ckanapi.RemoteCKAN(live_server.url, get_only=True)
    try:
        result = client.action.package_search(
            q="广州 便利店", **{"facet.field": '["organization"]'}
        )
        assert result["count"] == 1
    finally:
        client.close()
