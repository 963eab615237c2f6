"""The data types of a resource's fields: parsing an uploaded or queried value into its
stored form (used by the upload and by exact-match filters, so both agree)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .models import ResourceField

DataType = ResourceField.DataType
MAX_TEXT = 2000  # characters in one value
_TRUE = {"true", "1", "是", "y", "yes", "t"}
_FALSE = {"false", "0", "否", "n", "no", "f"}
# 2024-01-02, 2024/1/2, 2024.1.2, 2024年1月2日 (what spreadsheets export)
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


class ValueInvalid(ValueError):
    """A value that does not parse as its field's type (message in Chinese)."""


def value_parse(raw: Any, data_type: str) -> Any:
    """The stored form of a non-empty value, or ValueInvalid."""
    if isinstance(raw, (dict, list)):
        raise ValueInvalid("应为单个值，不能是对象或数组")
    if data_type == DataType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueInvalid("应为 true/false（或 是/否、1/0）")
    if isinstance(raw, bool):
        raise ValueInvalid("不应为 true/false")
    text = str(raw).strip()
    if len(text) > MAX_TEXT:
        raise ValueInvalid(f"至多 {MAX_TEXT} 个字符")
    if data_type == DataType.INTEGER:
        try:
            number = Decimal(text.replace(",", "")) if isinstance(raw, str) else Decimal(raw)
        except InvalidOperation:
            raise ValueInvalid("应为整数") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValueInvalid("应为整数")
        if number.adjusted() >= 18:  # beyond a 64-bit integer (and no huge ints to build)
            raise ValueInvalid("整数过大")
        return int(number)
    if data_type == DataType.DECIMAL:
        try:
            number = Decimal(text.replace(",", "")) if isinstance(raw, str) else Decimal(str(raw))
        except InvalidOperation:
            raise ValueInvalid("应为数字") from None
        if not number.is_finite():
            raise ValueInvalid("应为数字")
        if abs(number.adjusted()) > 30:
            raise ValueInvalid("数值超出范围")
        return str(number)
    if data_type == DataType.DATE:
        match = _DATE.fullmatch(text)
        try:
            return dt.date(*(int(part) for part in match.groups())).isoformat()  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            raise ValueInvalid("应为日期（YYYY-MM-DD）") from None
    if data_type == DataType.DATETIME:
        match = _DATE.match(text)
        try:
            day = dt.date(*(int(part) for part in match.groups()))  # type: ignore[union-attr]
            rest = text[match.end() :].strip().lstrip("T").strip()  # type: ignore[union-attr]
            moment = dt.datetime.fromisoformat(f"{day.isoformat()}T{rest or '00:00:00'}")
        except (AttributeError, ValueError):
            raise ValueInvalid("应为日期时间（YYYY-MM-DD HH:MM:SS）") from None
        return moment.isoformat(sep=" ")
    if data_type == DataType.CODE and any(c.isspace() for c in text):
        raise ValueInvalid("代码值不能含空白字符")
    return text


def value_is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())
