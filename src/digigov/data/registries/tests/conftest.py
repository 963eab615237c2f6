import pytest

from digigov.kernel.regions.services import regions_load, towns_synthesize


@pytest.fixture
def regions(db):
    """The real Guangdong tree (GB/T 2260) and two synthetic towns per county."""
    regions_load()
    towns_synthesize(per_county=2)
