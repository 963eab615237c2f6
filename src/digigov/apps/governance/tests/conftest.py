import pytest

from digigov.apps.services.testing import organizations_ready
from digigov.support.identity.testing import citizen_make, login, principal_of, staff_make

from ..testing import CITY_VIEWER, DUTY_OFFICER, governance_staff


@pytest.fixture(autouse=True)
def _other_areas_offline(request, monkeypatch):
    """Open data, city events and sensors are built alongside this app: most tests run as if
    they had not shipped their statistics (暂无数据); tests marked `areas_online` use them."""
    if request.node.get_closest_marker("areas_online"):
        return
    from ..selectors import sources

    for name in ("opendata_stat", "cityevents_stat", "sensors_stat"):
        monkeypatch.setattr(sources, name, lambda _name: None)


@pytest.fixture
def regions(db):
    organizations_ready()


@pytest.fixture
def officer(regions):
    return governance_staff("duty01")


@pytest.fixture
def gz_viewer(regions):
    return governance_staff("gzview", organization_code="440100-zsj", roles=(CITY_VIEWER,))


@pytest.fixture
def accounts(regions):
    """One account per kind of caller of the permission matrix."""
    return {
        "citizen": citizen_make("citizen01"),
        "staff_without": staff_make("clerk01", organization_code="440000-zsj", roles=["审批人员"]),
        "staff_with": governance_staff("duty02"),
    }


@pytest.fixture
def as_caller(client, accounts):
    def _as(kind: str):
        if kind != "anonymous":
            login(client, accounts[kind])
        return client

    return _as


__all__ = ["DUTY_OFFICER", "principal_of"]


def pytest_configure(config):
    config.addinivalue_line("markers", "areas_online: use the other areas' statistics modules")
