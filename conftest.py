"""Project-wide pytest fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_crypto_cache():
    """Keys are cached per process; each test's database starts without them."""
    from digigov.kernel.crypto import services

    services.cache_clear()
    yield
    services.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def _audit_log_flushable_in_tests():
    """Transactional tests end with a flush that the append-only audit triggers refuse."""
    from digigov.kernel.audit.testing import allow_test_flush

    allow_test_flush()
