"""Project-wide pytest fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_crypto_cache():
    """Keys are cached per process; each test's database starts without them."""
    from digigov.kernel.crypto import services

    services.cache_clear()
    yield
    services.cache_clear()


def _process_caches_clear() -> None:
    from django.core.cache import cache

    from digigov.data.sharing.services.exchange import exchange_caches_clear
    from digigov.support.licenses.selectors.verification import published_key_cache_clear
    from digigov.support.licenses.services.credentials import status_list_cache_clear
    from digigov.support.licenses.services.issuance import signer_cache_clear

    cache.clear()  # rate-limit counters: each test starts with a fresh allowance
    exchange_caches_clear()
    published_key_cache_clear()
    signer_cache_clear()
    status_list_cache_clear()


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Rows cached per process (resources, issuers' keys, status lists) belong to one test's
    database: a later test must not see ids that its own database never had."""
    _process_caches_clear()
    yield
    _process_caches_clear()


@pytest.fixture(autouse=True, scope="session")
def _audit_log_flushable_in_tests():
    """Transactional tests end with a flush that the append-only audit triggers refuse."""
    from digigov.apps.sensors.testing import allow_readings_test_flush
    from digigov.data.sharing.testing import allow_log_test_flush
    from digigov.kernel.audit.testing import allow_test_flush

    allow_log_test_flush()
    allow_test_flush()
    allow_readings_test_flush()
