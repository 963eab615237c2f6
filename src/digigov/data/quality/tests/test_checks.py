"""The ID number check's fast path gives the same verdict and reason as kernel.ids."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric

from digigov.kernel.ids import InvalidIdentifier, resident_id_validate

from ..services.checks import _ResidentIds

VALID = "11010519491231002X"


def _with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


NUMBERS = [
    VALID,
    VALID[:17] + "1",  # wrong check digit
    VALID.lower(),  # lower-case x: stdnum accepts it after compacting
    " " + VALID,
    _with_check("11010519491331001"),  # month 13
    _with_check("110105" + (dt.date.today() + dt.timedelta(days=400)).strftime("%Y%m%d") + "001"),
    _with_check("44999919800101001"),  # unknown region
    _with_check("44010319800101001"),  # a district that did not exist in 1980
    "1101051949123100",  # short
    "11010519491231002Y",
    "",
]


@pytest.mark.parametrize("number", NUMBERS)
def test_fast_path_agrees_with_the_kernel(number):
    try:
        resident_id_validate(number)
        expected = None
    except InvalidIdentifier as error:
        expected = error.message
    checker = _ResidentIds()
    assert checker.reason(number) == expected
    assert checker.reason(number) == expected  # again, from the remembered parts
