"""Per-caller call counters: counted per bucket, per caller."""

from digigov.kernel.api.throttle import call_count, caller_key
from digigov.kernel.principals import Principal


def test_counts_per_bucket():
    assert [call_count(bucket="t:a") for _ in range(3)] == [1, 2, 3]
    assert call_count(bucket="t:b") == 1


def test_caller_is_the_principal_or_the_address():
    assert caller_key(Principal(kind="machine", id="7")) == "machine:7"
    assert caller_key(Principal(kind="anonymous", source_address="10.0.0.1")) == "10.0.0.1"
    assert caller_key(Principal(kind="anonymous")) == "unknown"
