import pytest

from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.regions.services import regions_load


@pytest.fixture
def orgs(db):
    """Regions and the provincial and city departments (no counties or towns)."""
    regions_load()
    organizations_seed(county_level=False, town_level=False)


@pytest.fixture
def published(orgs):
    """An unconditional dataset of shops (the owner's name and phone are dropped)."""
    from .factories import publish_shops

    return publish_shops()


@pytest.fixture
def conditional(orgs):
    from .factories import publish_shops

    return publish_shops(
        code="GZ-SCJG-TEST-C", name="shops-conditional", open_condition="conditional"
    )
