"""Evaluating rules over streamed rows. Each check sees every row once (`row`), then
`finish`; it reports a failing row through `fail(ref, message)`. Messages are in Chinese and
show values masked by the field's catalog masking rule. No writes here: runs.py collects the
failures into a report and issues."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from digigov.data.registries.selectors import registry_records
from digigov.kernel.ids import InvalidIdentifier, resident_id_validate, uscc_validate
from digigov.kernel.regions.models import Region

from ..masking import value_mask, value_text
from ..models import QualityRule

Fail = Callable[[str, str], None]
REFERENCE_BATCH = 2000  # distinct values per registry lookup
KNOWN_LIMIT = 200_000  # values remembered between lookups
Kind = QualityRule.Kind
CheckType = QualityRule.Check

# The longest a resource may go without an update, by its catalog update frequency.
MAX_AGE_DAYS: dict[str, int] = {
    "realtime": 1,
    "daily": 2,
    "weekly": 8,
    "monthly": 32,
    "quarterly": 93,
    "yearly": 367,
}
REGISTRY_KEYS = {"entity": ("uscc", "法人基础库"), "person": ("id_number", "自然人基础库")}
_INTEGER = re.compile(r"-?\d+")


class FieldInfo:
    """What a check needs of a catalog field: its Chinese label and masking rule."""

    __slots__ = ("label", "masking", "name")

    def __init__(self, name: str, label: str, masking: str) -> None:
        self.name, self.label, self.masking = name, label or name, masking or "none"

    def shown(self, value: Any) -> str:
        return value_mask(masking=self.masking, value=value_text(value)) or ""


class Check:
    def __init__(self, rule: QualityRule, fields: dict[str, FieldInfo], fail: Fail) -> None:
        self.rule = rule
        self.fields = [fields[name] for name in rule.field_names if name in fields]
        self.fail = fail
        self.checked = 0

    def row(self, ref: str, row: dict[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def finish(self) -> None:
        return None


class CompletenessCheck(Check):
    def row(self, ref: str, row: dict[str, Any]) -> None:
        field = self.fields[0]
        self.checked += 1
        if not value_text(row.get(field.name)):
            self.fail(ref, f"必填数据项“{field.label}”为空")


def _region_codes() -> frozenset[str]:
    return frozenset(Region.objects.values_list("code", flat=True))


class _ResidentIds:
    """ID numbers at the speed of a million rows: python-stdnum's checks, with the costly
    parts (birth place by region and year, birth date) remembered per run. Anything the
    fast path does not pass goes to kernel.ids.resident_id_validate for the exact reason."""

    def __init__(self) -> None:
        self.today = dt.date.today()
        self.births: dict[str, bool] = {}
        self.places: dict[tuple[str, str], bool] = {}

    def _birth_ok(self, number: str) -> bool:
        known = self.births.get(number[6:14])
        if known is None:
            try:
                known = ric.get_birth_date(number) <= self.today
            except stdnum_errors.ValidationError:
                known = False
            self.births[number[6:14]] = known
        return known

    def _place_ok(self, number: str) -> bool:
        key = (number[:6], number[6:10])
        known = self.places.get(key)
        if known is None:
            try:
                ric.get_birth_place(number)
                known = True
            except (stdnum_errors.ValidationError, KeyError):
                known = False
            self.places[key] = known
        return known

    def reason(self, text: str) -> str | None:
        number = text
        if (
            len(number) == 18
            and number[:17].isdigit()
            and (number[17].isdigit() or number[17] == "X")
            and self._birth_ok(number)
            and ric.calc_check_digit(number) == number[17]
            and self._place_ok(number)
        ):
            return None
        try:
            resident_id_validate(text)
        except InvalidIdentifier as error:
            return error.message
        return None


def _validator(rule: QualityRule) -> Callable[[str], str | None]:
    """A function of a non-empty value: None when valid, else the reason (Chinese)."""
    kind = rule.check_type
    if kind == CheckType.ID_NUMBER:
        return _ResidentIds().reason
    if kind == CheckType.USCC:

        def uscc(text: str) -> str | None:
            try:
                uscc_validate(text)
            except InvalidIdentifier as error:
                return error.message
            return None

        return uscc
    if kind == CheckType.REGION:
        codes = _region_codes()
        return lambda text: None if text in codes else "行政区划代码不存在（GB/T 2260）"
    if kind == CheckType.DATE:

        def date(text: str) -> str | None:
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                return "不是有效日期（YYYY-MM-DD）"
            return None

        return date
    if kind == CheckType.INTEGER:
        return lambda text: None if _INTEGER.fullmatch(text) else "不是整数"
    if kind == CheckType.DECIMAL:

        def decimal(text: str) -> str | None:
            try:
                return None if Decimal(text).is_finite() else "不是有效数值"
            except InvalidOperation:
                return "不是有效数值"

        return decimal
    if kind == CheckType.ENUM:
        allowed = frozenset(str(v) for v in rule.params.get("values", []))
        return lambda text: None if text in allowed else "不在取值范围内"
    if kind == CheckType.REGEX:
        pattern = re.compile(rule.params.get("pattern", ""))
        return lambda text: None if pattern.fullmatch(text) else "格式不符合规则"
    raise ValueError(f"unknown validity check {kind!r}")


class ValidityCheck(Check):
    def __init__(self, rule: QualityRule, fields: dict[str, FieldInfo], fail: Fail) -> None:
        super().__init__(rule, fields, fail)
        self.validate = _validator(rule)

    def row(self, ref: str, row: dict[str, Any]) -> None:
        field = self.fields[0]
        text = value_text(row.get(field.name))
        if not text:
            return  # completeness rules judge empty values
        self.checked += 1
        reason = self.validate(text)
        if reason is not None:
            self.fail(ref, f"“{field.label}”{reason}：{field.shown(text)}")


class UniquenessCheck(Check):
    """Rows after the first with the same value (or combination) fail; the first is kept."""

    def __init__(self, rule: QualityRule, fields: dict[str, FieldInfo], fail: Fail) -> None:
        super().__init__(rule, fields, fail)
        self.seen: dict[Any, str] = {}
        self.labels = "、".join(f"“{f.label}”" for f in self.fields)

    def row(self, ref: str, row: dict[str, Any]) -> None:
        values = tuple(value_text(row.get(f.name)) for f in self.fields)
        if not any(values):
            return
        self.checked += 1
        key: Any = values[0] if len(values) == 1 else values
        first = self.seen.setdefault(key, ref)
        if first != ref:
            shown = "、".join(f.shown(v) for f, v in zip(self.fields, values, strict=True))
            self.fail(ref, f"{self.labels}重复，与 {first} 相同：{shown}")


class ReferenceCheck(Check):
    """The value must exist in a base registry: looked up in batches of distinct values."""

    def __init__(self, rule: QualityRule, fields: dict[str, FieldInfo], fail: Fail) -> None:
        super().__init__(rule, fields, fail)
        self.key, self.registry_label = REGISTRY_KEYS[rule.registry]
        self.pending: dict[str, list[tuple[str, str]]] = {}
        self.waiting = 0  # rows in pending
        # values already looked up -> found; bounded, so that a column with few distinct
        # values (a pool of enterprises) costs a few queries and little memory
        self.known: dict[str, bool] = {}

    def row(self, ref: str, row: dict[str, Any]) -> None:
        text = value_text(row.get(self.fields[0].name))
        if not text:
            return
        self.checked += 1
        value = text.upper()
        known = self.known.get(value)
        if known is not None:
            if not known:
                self._missing(ref, text)
            return
        self.pending.setdefault(value, []).append((ref, text))
        self.waiting += 1
        if len(self.pending) >= REFERENCE_BATCH or self.waiting >= 10 * REFERENCE_BATCH:
            self._resolve()

    def _missing(self, ref: str, text: str) -> None:
        field = self.fields[0]
        self.fail(ref, f"“{field.label}”在{self.registry_label}中不存在：{field.shown(text)}")

    def _resolve(self) -> None:
        if not self.pending:
            return
        values = list(self.pending)
        found = {
            record[self.key].upper()
            for record in registry_records(
                kind=self.rule.registry, fields=[self.key], keys=values, limit=len(values)
            )
        }
        if len(self.known) > KNOWN_LIMIT:
            self.known.clear()
        for value, refs in self.pending.items():
            self.known[value] = value in found
            if value not in found:
                for ref, text in refs:
                    self._missing(ref, text)
        self.pending, self.waiting = {}, 0

    def finish(self) -> None:
        self._resolve()


class TimelinessCheck(Check):
    """The resource as a whole: its last data update against its update frequency."""

    def __init__(
        self,
        rule: QualityRule,
        fields: dict[str, FieldInfo],
        fail: Fail,
        *,
        updated_at: dt.datetime | None,
        frequency: str,
    ) -> None:
        super().__init__(rule, fields, fail)
        self.updated_at, self.frequency = updated_at, frequency

    def row(self, ref: str, row: dict[str, Any]) -> None:
        return None

    def finish(self) -> None:
        max_days = timeliness_max_days(rule=self.rule, frequency=self.frequency)
        if max_days is None:
            return
        self.checked = 1
        if self.updated_at is None:
            self.fail("", "数据从未更新")
            return
        age = timezone.now() - self.updated_at
        if age > dt.timedelta(days=max_days):
            self.fail(
                "",
                f"数据已 {age.days} 天未更新，超过更新周期允许的 {max_days} 天"
                f"（最近更新：{timezone.localtime(self.updated_at):%Y-%m-%d}）",
            )


def timeliness_max_days(*, rule: QualityRule, frequency: str) -> int | None:
    days = rule.params.get("max_age_days")
    if isinstance(days, int) and days > 0:
        return days
    return MAX_AGE_DAYS.get(frequency)


CHECKS: dict[str, type[Check]] = {
    Kind.COMPLETENESS: CompletenessCheck,
    Kind.VALIDITY: ValidityCheck,
    Kind.UNIQUENESS: UniquenessCheck,
    Kind.REFERENCE: ReferenceCheck,
}
