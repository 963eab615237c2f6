"""National identifiers: 居民身份证号 (GB 11643) and 统一社会信用代码 (GB 32100), checked with
python-stdnum, each kind of failure with its own Chinese message and stable code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from .errors import ValidationFailed


class InvalidIdentifier(ValidationFailed):
    code = "invalid_identifier"


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    birth_place: str  # 6-digit region code of first registration
    gender: str  # "M" or "F"


def resident_id_validate(value: str) -> ResidentId:
    """Return the parsed ID number or raise InvalidIdentifier with the reason."""
    number = ric.compact(value or "")
    if not number:
        raise InvalidIdentifier("身份证号不能为空", code="id_empty")
    if len(number) != 18:
        raise InvalidIdentifier(f"身份证号应为 18 位，实际 {len(number)} 位", code="id_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdentifier("身份证号只能由数字组成，最后一位可以是 X", code="id_format")
    try:
        birth = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise InvalidIdentifier("身份证号中的出生日期无效", code="id_birth_date") from None
    if birth > dt.date.today():
        raise InvalidIdentifier("身份证号中的出生日期晚于今天", code="id_birth_future")
    try:
        ric.validate(number)
    except stdnum_errors.InvalidChecksum:
        raise InvalidIdentifier("身份证号校验位错误，请核对最后一位", code="id_checksum") from None
    except (stdnum_errors.InvalidComponent, KeyError):
        # KeyError: stdnum's region table knows the province but not the county (449999)
        raise InvalidIdentifier("身份证号中的地区代码无效", code="id_region") from None
    except stdnum_errors.ValidationError:
        raise InvalidIdentifier("身份证号格式无效", code="id_format") from None
    gender = "M" if int(number[16]) % 2 else "F"
    return ResidentId(number=number, birth_date=birth, birth_place=number[:6], gender=gender)


def uscc_validate(value: str) -> str:
    """Return the compact USCC or raise InvalidIdentifier with the reason."""
    code = uscc.compact(value or "")
    if not code:
        raise InvalidIdentifier("统一社会信用代码不能为空", code="uscc_empty")
    if len(code) != 18:
        raise InvalidIdentifier(
            f"统一社会信用代码应为 18 位，实际 {len(code)} 位", code="uscc_length"
        )
    try:
        uscc.validate(code)
    except stdnum_errors.InvalidChecksum:
        raise InvalidIdentifier("统一社会信用代码校验位错误", code="uscc_checksum") from None
    except stdnum_errors.InvalidFormat:
        raise InvalidIdentifier(
            "统一社会信用代码格式无效：只能含数字和大写字母（不含 I、O、Z、S、V），"
            "第 3-8 位为行政区划代码",
            code="uscc_format",
        ) from None
    except stdnum_errors.ValidationError:
        raise InvalidIdentifier("统一社会信用代码无效", code="uscc_invalid") from None
    return code


def mask_id_number(number: str) -> str:
    """4403**********1234: region prefix and last four, the shape the data bureau uses."""
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "*" * len(phone)


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if name else ""


def mask_address(address: str) -> str:
    return address[:6] + "****" if len(address) > 6 else "****"
