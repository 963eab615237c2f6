"""kernel.memo: a repeated read inside a scope runs once; outside, every time."""

from __future__ import annotations

import pytest

from digigov.kernel.memo import memo_prime, memo_scope, memoized, memoizing
from digigov.kernel.regions import selectors
from digigov.kernel.regions.services import regions_load


def _counter():
    calls = []

    def read():
        calls.append(1)
        return len(calls)

    return calls, read


def test_outside_a_scope_every_call_reads():
    _calls, read = _counter()
    assert memoized("k", read) == 1
    assert memoized("k", read) == 2


def test_inside_a_scope_each_key_reads_once_and_nested_scopes_share_it():
    calls, read = _counter()
    with memo_scope():
        assert memoized("k", read) == 1
        with memo_scope():
            assert memoized("k", read) == 1
        assert memoized("other", read) == 2
        assert memoized("k", read) == 1
    assert len(calls) == 2
    assert memoized("k", read) == 3  # the scope is gone


def test_none_is_remembered_and_primed_values_are_answers():
    calls, read = _counter()
    with memo_scope():
        memo_prime("k", None)
        assert memoized("k", read) is None
        memo_prime("k", 5)  # the first answer stands
        assert memoized("k", read) is None
    assert calls == []
    memo_prime("k", 7)  # outside a scope: nothing to remember
    assert memoized("k", read) == 1


@pytest.mark.django_db
def test_regions_read_once_per_scope(django_assert_num_queries):
    regions_load()
    with memo_scope(), django_assert_num_queries(1):
        chain = selectors.region_ancestors("440303")
        # the chain's regions answer region_get too
        assert selectors.region_get("440300") is chain[1]
        assert selectors.region_ancestors("440303") == chain
    with django_assert_num_queries(1):
        selectors.region_get("440300")


def test_a_memoizing_command_reads_once_across_the_calls_it_makes():
    _calls, read = _counter()

    @memoizing
    def command():
        return [memoized("k", read) for _ in range(3)]

    assert command() == [1, 1, 1]
    assert command() == [2, 2, 2]  # a new scope per call
