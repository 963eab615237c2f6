import pytest
from django.core.cache import cache

from ..services.exchange import exchange_caches_clear
from .factories import world_make


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Per-process caches (log key id, registry entries, rate counters) outlive a test's
    database."""
    exchange_caches_clear()
    cache.clear()
    yield
    exchange_caches_clear()


@pytest.fixture
def world(db):
    return world_make()
