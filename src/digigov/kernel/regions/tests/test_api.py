"""/api/v1/regions: public (no login) list of children and detail; unknown codes 404."""

import pytest

from digigov.kernel.regions.services import regions_load

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loaded():
    regions_load()


def test_top_level_is_the_province(client):
    response = client.get("/api/v1/regions/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "440000",
            "name": "广东省",
            "level": "province",
            "parent_code": None,
            "is_synthetic": False,
        }
    ]


def test_children_of_a_city(client):
    response = client.get("/api/v1/regions/", {"parent": "440300"})

    assert response.status_code == 200
    children = response.json()
    assert [c["code"] for c in children][:3] == ["440303", "440304", "440305"]
    assert {c["parent_code"] for c in children} == {"440300"}
    assert {"code": "440303", "name": "罗湖区"}.items() <= children[0].items()


def test_detail(client):
    response = client.get("/api/v1/regions/445381")

    assert response.status_code == 200
    assert response.json()["name"] == "罗定市"
    assert response.json()["parent_code"] == "445300"


def test_unknown_code_is_404_in_the_shape(client):
    response = client.get("/api/v1/regions/449999")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "region_not_found", "message": "区划代码不存在", "fields": {}}
    }


def test_children_of_an_unknown_code_is_empty(client):
    assert client.get("/api/v1/regions/", {"parent": "449999"}).json() == []


def test_public_without_credentials_even_with_a_bad_key(client):
    """Region codes are public reference data: no login, and a bad key is not needed."""
    assert client.get("/api/v1/regions/", HTTP_X_API_KEY="wrong").status_code == 200
