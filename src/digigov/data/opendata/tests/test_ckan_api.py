import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..models import DatasetResource, KeyUsageDay, UsageDay
from ..services.applications import application_decide, application_submit
from ..services.keys import developer_key_create
from .factories import citizen, publish_shops, publisher

pytestmark = pytest.mark.django_db
ACTION = "/api/3/action/"


def _get(client, name, **params):
    return client.get(ACTION + name, params)


def _ok(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    assert body["help"].endswith(f"help_show?name={response.wsgi_request.path.rsplit('/', 1)[-1]}")
    return body["result"]


def _error(response, status, kind):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False and body["error"]["__type"] == kind
    assert "Traceback" not in response.content.decode()
    return body["error"]


def test_site_and_status(client, orgs):
    assert _ok(_get(client, "site_read")) is True
    status = _ok(_get(client, "status_show"))
    assert status["ckan_version"].startswith("2.10") and "datastore" in status["extensions"]


def test_package_list_search_show(client, published):
    assert _ok(_get(client, "package_list")) == ["guangzhou-shops"]
    assert _ok(_get(client, "package_list", limit=1, offset=1)) == []
    result = _ok(
        _get(
            client,
            "package_search",
            q="便利店",
            **{"facet.field": json.dumps(["organization", "groups", "res_format"])},
        )
    )
    assert result["count"] == 1
    assert result["facets"]["organization"] == {"440100-scjg": 1}
    assert result["search_facets"]["groups"]["items"][0]["display_name"] == "市场监管"
    package = result["results"][0]
    for key in (
        "id",
        "name",
        "title",
        "notes",
        "organization",
        "groups",
        "tags",
        "resources",
        "metadata_created",
        "metadata_modified",
        "license_id",
        "license_title",
        "extras",
        "num_resources",
        "num_tags",
    ):
        assert key in package
    assert (
        package["state"] == "active"
        and package["private"] is False
        and package["type"] == "dataset"
    )
    assert package["num_resources"] == 3 and package["resources"][0]["datastore_active"] is True
    assert {t["name"] for t in package["tags"]} == {"便利店", "商业网点"}
    shown = _ok(_get(client, "package_show", id=package["id"]))
    assert shown["name"] == "guangzhou-shops"
    assert _ok(_get(client, "package_show", id="guangzhou-shops"))["id"] == package["id"]
    assert UsageDay.objects.get().api_calls == 2


def test_fq_clauses(client, published):
    def count(**params):
        return _ok(_get(client, "package_search", **params))["count"]

    assert count(fq="organization:440100-scjg") == 1
    assert count(fq='groups:market tags:"便利店"') == 1
    assert count(fq="res_format:CSV AND tags:便利店") == 1
    assert count(fq="organization:440100-mzt") == 0
    assert count(q="organization:440100-scjg") == 1
    assert count(q="*:*") == 1


def test_sort_and_paging(client, orgs):
    for n in range(3):
        publish_shops(code=f"GZ-SCJG-T{n}", name=f"shops-{n}")
    result = _ok(_get(client, "package_search", rows=2, start=0, sort="name desc"))
    assert [p["name"] for p in result["results"]] == ["shops-2", "shops-1"] and result["count"] == 3
    result = _ok(_get(client, "package_search", rows=2, start=2, sort="metadata_modified desc"))
    assert len(result["results"]) == 1


def test_package_search_query_count_is_flat(client, orgs):
    for n in range(4):
        publish_shops(code=f"GZ-SCJG-T{n}", name=f"shops-{n}")
    with CaptureQueriesContext(connection) as one:
        _ok(_get(client, "package_search", q="便利店", rows=1))
    with CaptureQueriesContext(connection) as four:
        _ok(_get(client, "package_search", q="便利店", rows=4))
    assert len(one) == len(four)


def test_organizations_groups_tags_resources(client, published):
    assert _ok(_get(client, "organization_list")) == ["440100-scjg"]
    [org] = _ok(_get(client, "organization_list", all_fields="true"))
    assert org["package_count"] == 1 and org["title"] == "广州市市场监督管理局"
    shown = _ok(_get(client, "organization_show", id="440100-scjg", include_datasets="true"))
    assert shown["package_count"] == 1 and shown["packages"][0]["name"] == "guangzhou-shops"
    assert "market" in _ok(_get(client, "group_list"))
    assert _ok(_get(client, "group_show", id="market"))["package_count"] == 1
    assert _ok(_get(client, "tag_list")) == ["商业网点", "便利店"] or set(
        _ok(_get(client, "tag_list"))
    ) == {"商业网点", "便利店"}
    resource = DatasetResource.objects.get(dataset=published, format="CSV")
    shown = _ok(_get(client, "resource_show", id=str(resource.pk)))
    assert shown["format"] == "CSV" and shown["url"].endswith(
        f"/opendata/resource/{resource.pk}/download"
    )


def test_datastore_search_get_and_post(client, published):
    resource = str(DatasetResource.objects.get(dataset=published, format="CSV").pk)
    result = _ok(
        _get(
            client,
            "datastore_search",
            resource_id=resource,
            limit=5,
            filters=json.dumps({"district_code": "440104"}),
        )
    )
    assert result["total"] == 10 and len(result["records"]) == 5
    assert result["fields"][0] == {"id": "_id", "type": "int"}
    assert result["_links"]["next"].endswith("offset=5") or "offset=5" in result["_links"]["next"]
    posted = client.post(
        ACTION + "datastore_search",
        data=json.dumps(
            {
                "resource_id": resource,
                "filters": {"district_code": ["440103", "440105"]},
                "limit": 3,
                "offset": 3,
                "sort": "shop_id desc",
            }
        ),
        content_type="application/json",
    )
    result = _ok(posted)
    assert result["total"] == 20 and len(result["records"]) == 3


@pytest.mark.parametrize(
    "name,params,status,kind",
    [
        ("package_show", {"id": "nope"}, 404, "Not Found Error"),
        ("package_show", {}, 409, "Validation Error"),
        ("package_search", {"rows": "1001"}, 409, "Validation Error"),
        ("package_search", {"rows": "ten"}, 409, "Validation Error"),
        ("package_search", {"start": "-1"}, 409, "Validation Error"),
        ("package_search", {"fq": "state:draft"}, 400, "Search Query Error"),
        ("package_search", {"fq": "name:x' OR 1=1 --"}, 400, "Search Query Error"),
        (
            "package_search",
            {"sort": "name; DROP TABLE opendata_opendataset"},
            400,
            "Search Query Error",
        ),
        ("package_search", {"facet.field": "[not json"}, 409, "Validation Error"),
        ("package_search", {"facet.field": '["password"]'}, 400, "Search Query Error"),
        ("package_search", {"q": "x" * 600}, 409, "Validation Error"),
        ("datastore_search", {"resource_id": "nope"}, 404, "Not Found Error"),
        (
            "datastore_search",
            {"resource_id": "00000000-0000-0000-0000-000000000000"},
            404,
            "Not Found Error",
        ),
        ("resource_show", {"id": "1; DROP TABLE x"}, 404, "Not Found Error"),
        ("organization_show", {"id": "nope"}, 404, "Not Found Error"),
        ("group_show", {"id": "nope"}, 404, "Not Found Error"),
        ("package_list", {"limit": "abc"}, 409, "Validation Error"),
        ("nope_action", {}, 400, "Bad Request"),
    ],
)
def test_bad_input(client, published, name, params, status, kind):
    _error(_get(client, name, **params), status, kind)
    assert _ok(_get(client, "package_list")) == ["guangzhou-shops"]


@pytest.mark.parametrize(
    "params",
    [
        {"filters": '{"shop_id\\"; DROP TABLE x; --": "1"}'},
        {"filters": '{"staff_count": "1 OR 1=1"}'},
        {"sort": "shop_id; DELETE FROM opendata_opendataset"},
        {"fields": '["shop_id", "(SELECT 1)"]'},
        {"limit": "100000"},
        {"q": '{"nope": "x"}'},
    ],
)
def test_datastore_injection_is_refused(client, published, params):
    resource = str(DatasetResource.objects.get(dataset=published, format="CSV").pk)
    _error(
        _get(client, "datastore_search", resource_id=resource, **params), 409, "Validation Error"
    )
    assert _ok(_get(client, "datastore_search", resource_id=resource))["total"] == 30


def test_bad_json_body(client, orgs):
    response = client.post(
        ACTION + "package_list", data="{not json", content_type="application/json"
    )
    _error(response, 400, "Bad Request")


def test_unknown_ckan_path_is_ckan_shaped(client, orgs):
    response = client.get("/api/3/nothing/here")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_conditional_datastore_needs_key_with_approved_application(client, conditional):
    resource = str(DatasetResource.objects.get(dataset=conditional, format="CSV").pk)
    # listed with metadata for everyone
    assert _ok(_get(client, "package_show", id=conditional.name))["extras"]
    _error(_get(client, "datastore_search", resource_id=resource), 403, "Authorization Error")
    person = citizen()
    issued = developer_key_create(principal=person, name="研究")
    headers = {"HTTP_AUTHORIZATION": issued.secret}
    _error(
        client.get(ACTION + "datastore_search", {"resource_id": resource}, **headers),
        403,
        "Authorization Error",
    )
    download = client.get(f"/opendata/resource/{resource}/download", **headers)
    assert download.status_code == 403
    application = application_submit(
        principal=person, dataset_name=conditional.name, purpose="用于食品安全研究和分析报告"
    )
    application_decide(principal=publisher(), application_id=application.pk, approve=True)
    result = _ok(client.get(ACTION + "datastore_search", {"resource_id": resource}, **headers))
    assert result["total"] == 30
    download = client.get(f"/opendata/resource/{resource}/download", **headers)
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert KeyUsageDay.objects.get().calls == 4
    _error(
        client.get(ACTION + "site_read", HTTP_AUTHORIZATION="gdod_wrong"),
        403,
        "Authorization Error",
    )


def test_key_quota_is_enforced(client, published):
    issued = developer_key_create(principal=citizen(), name="小应用", daily_quota=2)
    headers = {"HTTP_AUTHORIZATION": issued.secret}
    for _ in range(2):
        _ok(client.get(ACTION + "site_read", **headers))
    _error(client.get(ACTION + "site_read", **headers), 429, "Rate Limit Error")
    assert KeyUsageDay.objects.get().refused == 1


def test_unconditional_download_anonymous(client, published):
    resource = DatasetResource.objects.get(dataset=published, format="JSON")
    response = client.get(f"/opendata/resource/{resource.pk}/download")
    assert response.status_code == 200
    rows = json.loads(response.content)
    assert len(rows) == 30 and "owner_name" not in rows[0]
    assert (
        client.get("/opendata/resource/00000000-0000-0000-0000-000000000000/download").status_code
        == 404
    )
