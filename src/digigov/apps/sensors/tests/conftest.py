import pytest


@pytest.fixture(autouse=True, scope="session")
def _readings_flushable_in_tests():
    """Transactional tests end with a flush that the append-only readings triggers refuse."""
    from digigov.apps.sensors.testing import allow_readings_test_flush

    allow_readings_test_flush()
