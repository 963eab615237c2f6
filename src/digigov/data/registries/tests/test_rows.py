"""The row checks agree with kernel.ids (and so with python-stdnum) on every ID number."""

import datetime as dt
import random

import pytest
from stdnum.cn import ric

from digigov.data.registries import rows
from digigov.kernel.ids import InvalidIdentifier, resident_id_validate

GUANGDONG_AND_OTHERS = [
    "440103",  # 荔湾区, since 1983
    "440118",  # 增城区, since 2014
    "441900",  # 东莞市
    "440100",  # 广州市 (city-level code)
    "449999",  # unknown county in a known province
    "999999",  # unknown province
    "110105",  # 北京市朝阳区
    "110101",
]


def _number(prefix: str, birth: str, order: str) -> str:
    body = f"{prefix}{birth}{order}"
    return body + ric.calc_check_digit(body + "0")


def _stdnum_valid(number: str) -> bool:
    try:
        return ric.is_valid(number)
    except KeyError:  # stdnum knows the province but not the county: invalid
        return False


@pytest.mark.parametrize("prefix", GUANGDONG_AND_OTHERS)
def test_place_check_matches_stdnum_for_every_year(prefix):
    for year in range(1900, 2026):
        number = _number(prefix, f"{year}0615", "123")
        assert rows.place_valid(prefix, year) == _stdnum_valid(number), year


def test_fast_path_agrees_with_kernel_on_random_numbers():
    rng = random.Random(11)
    today = dt.date.today()
    for _ in range(3000):
        prefix = rng.choice(GUANGDONG_AND_OTHERS)
        birth = f"{rng.randrange(1900, 2030)}{rng.randrange(1, 14):02d}{rng.randrange(1, 33):02d}"
        number = _number(prefix, birth, f"{rng.randrange(1000):03d}")
        if rng.random() < 0.2:  # some with a wrong check digit
            number = number[:17] + rng.choice("0123456789X")
        try:
            expected = resident_id_validate(number)
        except InvalidIdentifier as exc:
            with pytest.raises(InvalidIdentifier) as caught:
                rows.resident_id(number, today)
            assert caught.value.message == exc.message
        else:
            assert rows.resident_id(number, today) == (
                expected.number,
                expected.birth_date,
                expected.gender,
            )


def test_unknown_county_of_a_known_province_is_a_region_error():
    with pytest.raises(InvalidIdentifier) as caught:
        rows.resident_id(_number("449999", "19900101", "123"), dt.date.today())
    assert caught.value.message == "身份证号中的地区代码无效"


def test_lower_case_x_and_spaces_are_accepted():
    number = "11010519491231002X"
    assert rows.resident_id(" 11010519491231002x ", dt.date.today())[0] == number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-01-31", dt.date(1990, 1, 31)),
        ("1990/01/31", dt.date(1990, 1, 31)),
        ("19900131", dt.date(1990, 1, 31)),
        ("1990-02-30", None),
        ("1990-1-3", None),
        ("31.01.1990", None),
    ],
)
def test_dates(text, expected):
    assert rows._parse_date(text) == expected
