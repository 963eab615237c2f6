"""/api/v1/organizations: public, paginated, filtered by region, level and name."""

import pytest

from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import DEPARTMENTS, organizations_seed
from digigov.kernel.regions.services import regions_load

pytestmark = pytest.mark.django_db

URL = "/api/v1/organizations/"


@pytest.fixture(autouse=True)
def seeded():
    regions_load()
    organizations_seed(town_level=False)


def test_paginates(client):
    total = Organization.objects.filter(is_active=True).count()

    first = client.get(URL).json()
    last = client.get(URL, {"limit": 100, "offset": total - 5}).json()

    assert first["count"] == last["count"] == total
    assert len(first["items"]) == 20  # default page
    assert len(last["items"]) == 5
    codes = [o["code"] for o in first["items"]]
    assert codes == sorted(codes)


def test_page_size_above_the_maximum_is_refused_in_the_shape(client):
    response = client.get(URL, {"limit": 1000})

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"limit": ["应不大于 100"]}
    assert len(client.get(URL, {"limit": 100}).json()["items"]) == 100


def test_item_shape(client):
    (item,) = client.get(URL, {"q": "440303-gat"}).json()["items"]
    police = Organization.objects.get(code="440303-gat")

    assert item == {
        "id": police.pk,
        "code": "440303-gat",
        "name": "深圳市罗湖区公安局",
        "level": "county",
        "region_code": "440303",
        "parent_id": police.parent_id,
        "function": "gat",
    }


def test_filters(client):
    by_region = client.get(URL, {"region": "440000"}).json()
    by_level = client.get(URL, {"level": "city", "limit": 100}).json()
    by_name = client.get(URL, {"q": "公安"}).json()

    assert by_region["count"] == len(DEPARTMENTS)
    assert {o["level"] for o in by_level["items"]} == {"city"}
    assert by_level["count"] == 21 * len(DEPARTMENTS)
    assert all("公安" in o["name"] for o in by_name["items"])


def test_public_without_credentials(client):
    assert client.get(URL).status_code == 200


def test_query_count_does_not_grow_with_the_page(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(URL, {"limit": 100})
