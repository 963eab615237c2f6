import pytest

from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.regions.services import regions_load


@pytest.fixture
def orgs(db):
    """Regions and the provincial and city departments (no counties or towns)."""
    regions_load()
    organizations_seed(county_level=False, town_level=False)
