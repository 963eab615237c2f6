"""Project-wide pytest fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_crypto_cache():
    """Keys are cached per process; each test's database starts without them."""
    from digigov.kernel.crypto import services

    services.cache_clear()
    yield
    services.cache_clear()
