"""居民身份证号 (GB 11643) and 统一社会信用代码 (GB 32100): each failure its own code and
Chinese message; valid numbers parse; masks."""

import datetime as dt
import re

import pytest
from stdnum.cn import ric

from digigov.kernel.errors import ValidationFailed
from digigov.kernel.ids import (
    InvalidIdentifier,
    ResidentId,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    resident_id_validate,
    uscc_validate,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def _wrong_check_digit(first17: str) -> str:
    right = ric.calc_check_digit(first17 + "0")
    return first17 + ("1" if right != "1" else "2")


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("", "id_empty", "身份证号不能为空"),
        ("   ", "id_empty", "身份证号不能为空"),
        (None, "id_empty", "身份证号不能为空"),
        ("4403031990010112", "id_length", "身份证号应为 18 位，实际 16 位"),
        ("4403031990010112370", "id_length", "身份证号应为 18 位，实际 19 位"),
        ("44030319900101123A", "id_format", "身份证号只能由数字组成，最后一位可以是 X"),
        ("4403031990O101123X", "id_format", "身份证号只能由数字组成，最后一位可以是 X"),
        (_with_check_digit("44030319901301123"), "id_birth_date", "身份证号中的出生日期无效"),
        (_with_check_digit("44030319900230123"), "id_birth_date", "身份证号中的出生日期无效"),
        (_with_check_digit("44030320990101123"), "id_birth_future", "身份证号中的出生日期晚于今天"),
        (
            _wrong_check_digit("44030319900101123"),
            "id_checksum",
            "身份证号校验位错误，请核对最后一位",
        ),
        (_with_check_digit("99999919900101123"), "id_region", "身份证号中的地区代码无效"),
        (_with_check_digit("44999919900101123"), "id_region", "身份证号中的地区代码无效"),
    ],
    ids=[
        "empty",
        "blank",
        "none",
        "short",
        "long",
        "bad-last-char",
        "letter-inside",
        "month-13",
        "feb-30",
        "future",
        "checksum",
        "region",
        "county-unknown-in-known-province",
    ],
)
def test_resident_id_failures(value, code, message):
    with pytest.raises(InvalidIdentifier) as excinfo:
        resident_id_validate(value)

    error = excinfo.value
    assert (error.code, error.message) == (code, message)
    assert isinstance(error, ValidationFailed) and error.status == 422
    assert CHINESE.search(error.message)


def test_every_resident_id_failure_kind_has_its_own_code():
    codes = set()
    for value in [
        "",
        "4403031990010112",
        "44030319900101123A",
        _with_check_digit("44030319901301123"),
        _with_check_digit("44030320990101123"),
        _wrong_check_digit("44030319900101123"),
        _with_check_digit("99999919900101123"),
    ]:
        with pytest.raises(InvalidIdentifier) as excinfo:
            resident_id_validate(value)
        codes.add(excinfo.value.code)

    assert len(codes) == 7


def test_region_code_must_have_existed_at_birth():
    """440309 龙华区 dates from 2016: a 1990 number cannot carry it (stdnum's code history)."""
    with pytest.raises(InvalidIdentifier) as excinfo:
        resident_id_validate(_with_check_digit("44030919900101123"))
    assert excinfo.value.code == "id_region"
    assert resident_id_validate(_with_check_digit("44030920180101123")).birth_place == "440309"


def test_valid_resident_id_parses():
    parsed = resident_id_validate("440303199001011237")

    assert parsed == ResidentId(
        number="440303199001011237",
        birth_date=dt.date(1990, 1, 1),
        birth_place="440303",
        gender="M",  # 17th digit 3: odd
    )


def test_valid_resident_id_female_and_x_check_digit():
    assert resident_id_validate("440303199001011245").gender == "F"  # 17th digit 4
    parsed = resident_id_validate("11010119491001001x")  # lower-case x accepted
    assert parsed.number == "11010119491001001X"
    assert parsed.birth_date == dt.date(1949, 10, 1)


def test_surrounding_whitespace_is_ignored():
    assert resident_id_validate(" 440303199001011237\n").number == "440303199001011237"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "uscc_empty"),
        (None, "uscc_empty"),
        ("91440300MA5G0000", "uscc_length"),
        ("91440300MA5G00001WX", "uscc_length"),
        ("9144O300MA5G00001W", "uscc_format"),  # letter O inside the region part
        ("91440300MA5G0000IW", "uscc_format"),  # I is not in the alphabet
        ("91440300MA5G00001X", "uscc_checksum"),
    ],
)
def test_uscc_failures(value, code):
    with pytest.raises(InvalidIdentifier) as excinfo:
        uscc_validate(value)

    assert excinfo.value.code == code
    assert CHINESE.search(excinfo.value.message)


def test_uscc_messages():
    messages = {}
    for value in ["", "123", "9144O300MA5G00001W", "91440300MA5G00001X"]:
        with pytest.raises(InvalidIdentifier) as excinfo:
            uscc_validate(value)
        messages[excinfo.value.code] = excinfo.value.message

    assert messages["uscc_empty"] == "统一社会信用代码不能为空"
    assert messages["uscc_length"] == "统一社会信用代码应为 18 位，实际 3 位"
    assert messages["uscc_format"].startswith("统一社会信用代码格式无效")
    assert messages["uscc_checksum"] == "统一社会信用代码校验位错误"


@pytest.mark.parametrize(
    "value", ["91440300MA5G00001W", "91440101MA59ABCD1D", "91110000600037341L"]
)
def test_valid_uscc(value):
    assert uscc_validate(value) == value


def test_uscc_is_compacted():
    assert uscc_validate("91440300-ma5g0000-1w") == "91440300MA5G00001W"


def test_masks():
    assert mask_id_number("440303199001011237") == "4403**********1237"
    assert mask_id_number("1234567") == "*******"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("12345") == "*****"
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "李"
    assert mask_name("") == ""
    assert mask_address("广东省深圳市罗湖区东门街道 1 号") == "广东省深圳市****"
    assert mask_address("深圳") == "****"


def test_masked_id_hides_birth_date():
    masked = mask_id_number("440303199001011237")

    assert "19900101" not in masked
    assert len(masked) == 18
