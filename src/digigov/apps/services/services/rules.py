"""秒批 rules: declarative checks over facts, as pure functions (no ORM, no clock).

A rule is a JSON object stored in `InstantRuleSet.rules`::

    {"id": "age", "label": "申请人年满60周岁", "fact": "applicant.age", "op": "gte",
     "value": 60, "message": "申请人未满60周岁，不符合条件"}

`rules_validate` runs when a rule set is saved, so an unknown fact or operator is refused
then and never surprises a decision. `rules_evaluate` evaluates every rule (no short
circuit: the explanation lists each) against a dict of facts gathered once per decision
(selectors/facts.py); the facts are stored with the decision so that it can be replayed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from digigov.kernel.errors import ValidationFailed

# Fact name -> Chinese label. `form.<field>` facts (and their computed `.age_days` and
# `.age_years` for date fields) are allowed besides these.
FACTS: dict[str, str] = {
    "decision.date": "决定日期",
    "applicant.kind": "申请人类型",
    "applicant.age": "申请人年龄（周岁）",
    "applicant.gender": "申请人性别",
    "applicant.household_region_code": "申请人户籍区划",
    "applicant.real_name_level": "申办账号实名等级",
    "applicant.exists_in_registry": "申请人在基础库中有记录",
    "entity.status": "企业登记状态",
    "entity.is_operating": "企业正常经营",
    "entity.region_code": "企业登记区划",
    "entity.entity_type": "企业类型",
    "history.approved_same_item_count": "同一事项已获批次数",
    "history.open_same_item_count": "同一事项在办件数",
}

# Facts that describe a person: masked in explanations for anyone but the applicant.
PERSONAL_FACTS = frozenset({"applicant.age", "applicant.gender", "applicant.household_region_code"})

OPERATORS: dict[str, str] = {
    "eq": "等于",
    "ne": "不等于",
    "gt": "大于",
    "gte": "不小于",
    "lt": "小于",
    "lte": "不大于",
    "in": "属于",
    "not_in": "不属于",
    "prefix": "区划（编码前缀）属于",
    "is_true": "为“是”",
    "is_false": "为“否”",
    "exists": "有值",
    "between": "介于",
    "date_within_days": "距决定日期不超过（天）",
}
NO_VALUE_OPS = frozenset({"is_true", "is_false", "exists"})
NUMBER_OPS = frozenset({"gt", "gte", "lt", "lte"})
LIST_OPS = frozenset({"in", "not_in"})

FORM_FACT = re.compile(r"^form\.([A-Za-z_][A-Za-z0-9_]*)(\.(age_days|age_years))?$")
RULE_ID = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")
MAX_RULES = 50


@dataclass(frozen=True)
class RuleOutcome:
    id: str
    label: str
    fact: str
    op: str
    expected: Any
    actual: Any
    passed: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)  # shallow: asdict's deep copy costs a 秒批 decision 4%


def fact_form_field(fact: str) -> str | None:
    """The form field a `form.*` fact reads, else None."""
    match = FORM_FACT.match(fact)
    return match.group(1) if match else None


def fact_is_known(fact: str) -> bool:
    return fact in FACTS or FORM_FACT.match(fact) is not None


def fact_label(fact: str, form_titles: dict[str, str] | None = None) -> str:
    if fact in FACTS:
        return FACTS[fact]
    match = FORM_FACT.match(fact)
    if not match:
        return fact
    title = (form_titles or {}).get(match.group(1), match.group(1))
    suffix = {"age_days": "距今天数", "age_years": "距今周岁"}.get(match.group(3) or "", "")
    return f"申请表“{title}”{suffix}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value_problem(op: str, value: Any) -> str | None:
    if op in NO_VALUE_OPS:
        return None if value is None else "该运算符不需要比较值"
    if value is None:
        return "缺少比较值"
    if op in NUMBER_OPS:
        return None if _is_number(value) or isinstance(value, str) else "应为数字或日期"
    if op in LIST_OPS:
        if not isinstance(value, list) or not value:
            return "应为非空列表"
        return None
    if op == "prefix":
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) and v.isdigit() for v in values):
            return "应为区划代码前缀（数字）或其列表"
        return None
    if op == "between":
        if not (isinstance(value, list) and len(value) == 2):
            return "应为 [下限, 上限]"
        low, high = value
        if not (_is_number(low) and _is_number(high)) or low > high:
            return "上下限应为数字且下限不大于上限"
        return None
    if op == "date_within_days":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return "应为非负整数（天数）"
        return None
    return None  # eq, ne: any JSON value


def rules_validate(rules: Any, *, form_fields: Iterable[str] | None = None) -> list[dict]:
    """The rules, normalised, or ValidationFailed naming each problem by rule position.
    With `form_fields`, a `form.*` fact must name one of the item's form fields."""
    if not isinstance(rules, list):
        raise ValidationFailed(
            "规则应为 JSON 数组", code="services/rules_invalid", fields={"rules": ["应为数组"]}
        )
    if not rules:
        raise ValidationFailed(
            "规则集至少包含一条规则", code="services/rules_invalid", fields={"rules": ["不能为空"]}
        )
    if len(rules) > MAX_RULES:
        raise ValidationFailed(
            f"规则集至多 {MAX_RULES} 条规则",
            code="services/rules_invalid",
            fields={"rules": ["过多"]},
        )
    known_fields = set(form_fields) if form_fields is not None else None
    problems: dict[str, list[str]] = {}
    normalised: list[dict] = []
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        where = f"rules[{index}]"
        if not isinstance(rule, dict):
            problems[where] = ["应为对象"]
            continue
        extra = sorted(set(rule) - {"id", "label", "fact", "op", "value", "message"})
        if extra:
            problems.setdefault(where, []).append(f"未知的键：{'、'.join(extra)}")
        rule_id = rule.get("id")
        if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
            problems.setdefault(f"{where}.id", []).append("应为 1-40 位字母、数字、下划线或连字符")
        elif rule_id in seen:
            problems.setdefault(f"{where}.id", []).append(f"规则编号重复：{rule_id}")
        else:
            seen.add(rule_id)
        for key, name in (("label", "规则名称"), ("message", "不通过时的说明")):
            text = rule.get(key)
            if not isinstance(text, str) or not text.strip() or len(text) > 200:
                problems.setdefault(f"{where}.{key}", []).append(f"{name}必填，至多 200 字")
        fact = rule.get("fact")
        if not isinstance(fact, str) or not fact_is_known(fact):
            problems.setdefault(f"{where}.fact", []).append(f"未知的数据项：{str(fact)[:60]}")
        elif known_fields is not None:
            field = fact_form_field(fact)
            if field is not None and field not in known_fields:
                problems.setdefault(f"{where}.fact", []).append(f"申请表中没有字段：{field}")
        op = rule.get("op")
        if op not in OPERATORS:
            problems.setdefault(f"{where}.op", []).append(f"未知的运算符：{str(op)[:20]}")
        else:
            problem = _value_problem(op, rule.get("value"))
            if problem:
                problems.setdefault(f"{where}.value", []).append(problem)
        normalised.append(
            {
                "id": rule_id,
                "label": (rule.get("label") or "").strip()
                if isinstance(rule.get("label"), str)
                else "",
                "fact": fact,
                "op": op,
                "value": rule.get("value"),
                "message": (rule.get("message") or "").strip()
                if isinstance(rule.get("message"), str)
                else "",
            }
        )
    if problems:
        first = next(iter(problems.items()))
        raise ValidationFailed(
            f"规则有误：{first[0]} {first[1][0]}", code="services/rules_invalid", fields=problems
        )
    return normalised


def rules_facts(rules: Iterable[dict]) -> set[str]:
    """The facts a rule set reads (the gatherer reads only these)."""
    return {rule["fact"] for rule in rules}


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _compare(op: str, actual: Any, expected: Any) -> bool:
    # Numbers compare as numbers; ISO dates and other strings as strings. Mixed kinds fail.
    same_kind = (_is_number(actual) and _is_number(expected)) or (
        isinstance(actual, str) and isinstance(expected, str)
    )
    if not same_kind:
        return False
    a, e = actual, expected
    return {"gt": a > e, "gte": a >= e, "lt": a < e, "lte": a <= e}[op]


def _passes(op: str, actual: Any, expected: Any, facts: dict[str, Any]) -> bool:
    if op == "exists":
        return actual is not None and actual != "" and actual != []
    if op == "is_true":
        return actual is True
    if op == "is_false":
        return actual is False
    if actual is None:  # missing data never satisfies a condition
        return False
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op in NUMBER_OPS:
        return _compare(op, actual, expected)
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "prefix":
        prefixes = expected if isinstance(expected, list) else [expected]
        return isinstance(actual, str) and any(actual.startswith(p) for p in prefixes)
    if op == "between":
        return _is_number(actual) and expected[0] <= actual <= expected[1]
    if op == "date_within_days":
        day, today = _as_date(actual), _as_date(facts.get("decision.date"))
        return day is not None and today is not None and 0 <= (today - day).days <= expected
    raise ValueError(f"unknown operator {op}")  # rules_validate keeps this unreachable


def rule_evaluate(rule: dict, facts: dict[str, Any]) -> RuleOutcome:
    actual = facts.get(rule["fact"])
    passed = _passes(rule["op"], actual, rule.get("value"), facts)
    return RuleOutcome(
        id=rule["id"],
        label=rule["label"],
        fact=rule["fact"],
        op=rule["op"],
        expected=rule.get("value"),
        actual=actual,
        passed=passed,
        message="" if passed else rule["message"],
    )


def rules_evaluate(rules: Iterable[dict], facts: dict[str, Any]) -> list[RuleOutcome]:
    """Every rule's outcome, in order (no short circuit)."""
    return [rule_evaluate(rule, facts) for rule in rules]


def value_text(value: Any) -> str:
    """A fact or expected value as people read it."""
    if value is None:
        return "（无数据）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "、".join(value_text(v) for v in value)
    return str(value)


def rule_describe(rule: dict, form_titles: dict[str, str] | None = None) -> str:
    """A rule in Chinese, e.g. "申请人年龄（周岁） 不小于 60"."""
    subject = fact_label(rule["fact"], form_titles)
    op = rule["op"]
    if op in NO_VALUE_OPS:
        return f"{subject} {OPERATORS[op]}"
    value = rule.get("value")
    if op == "between":
        return f"{subject} 介于 {value[0]} 与 {value[1]} 之间"
    return f"{subject} {OPERATORS.get(op, op)} {value_text(value)}"
