"""The rules engine: every operator, missing data, validation at save time, Chinese text."""

from __future__ import annotations

import pytest

from digigov.kernel.errors import ValidationFailed

from ..services import rules

FACTS = {
    "decision.date": "2025-03-31",
    "applicant.age": 81,
    "applicant.gender": "F",
    "applicant.household_region_code": "440106",
    "applicant.exists_in_registry": True,
    "entity.is_operating": False,
    "entity.status": "存续",
    "form.child_birth_date": "2025-03-20",
    "form.child_birth_date.age_days": 11,
    "history.open_same_item_count": 0,
}


def rule(fact: str, op: str, value=None) -> dict:
    return {"id": "r", "label": "规则", "fact": fact, "op": op, "value": value, "message": "不通过"}


@pytest.mark.parametrize(
    ("fact", "op", "value", "expected"),
    [
        ("applicant.gender", "eq", "F", True),
        ("applicant.gender", "eq", "M", False),
        ("applicant.gender", "ne", "M", True),
        ("applicant.gender", "ne", "F", False),
        ("applicant.age", "gt", 80, True),
        ("applicant.age", "gt", 81, False),
        ("applicant.age", "gte", 81, True),
        ("applicant.age", "gte", 82, False),
        ("applicant.age", "lt", 82, True),
        ("applicant.age", "lt", 81, False),
        ("applicant.age", "lte", 81, True),
        ("applicant.age", "lte", 80, False),
        ("form.child_birth_date", "gte", "2025-01-01", True),  # ISO dates compare as text
        ("applicant.age", "gte", "80", False),  # a number is never compared with text
        ("entity.status", "in", ["存续", "在业"], True),
        ("entity.status", "in", ["注销"], False),
        ("entity.status", "not_in", ["注销", "吊销"], True),
        ("entity.status", "not_in", ["存续"], False),
        ("applicant.household_region_code", "prefix", "4401", True),
        ("applicant.household_region_code", "prefix", ["4403", "4401"], True),
        ("applicant.household_region_code", "prefix", "4403", False),
        ("applicant.exists_in_registry", "is_true", None, True),
        ("entity.is_operating", "is_true", None, False),
        ("entity.is_operating", "is_false", None, True),
        ("applicant.exists_in_registry", "is_false", None, False),
        ("applicant.gender", "exists", None, True),
        ("entity.region_code", "exists", None, False),
        ("applicant.age", "between", [60, 90], True),
        ("applicant.age", "between", [82, 90], False),
        ("form.child_birth_date", "date_within_days", 30, True),
        ("form.child_birth_date", "date_within_days", 10, False),
        ("form.child_birth_date.age_days", "lte", 30, True),
        ("history.open_same_item_count", "eq", 0, True),
    ],
)
def test_each_operator(fact, op, value, expected):
    outcome = rules.rule_evaluate(rule(fact, op, value), FACTS)
    assert outcome.passed is expected
    assert outcome.message == ("" if expected else "不通过")
    assert outcome.actual == FACTS.get(fact)


@pytest.mark.parametrize("op", ["eq", "gte", "lt", "in", "prefix", "between", "is_true"])
def test_a_missing_fact_never_passes(op):
    value = {"in": ["x"], "prefix": "44", "between": [0, 1], "is_true": None}.get(op, 1)
    assert not rules.rule_evaluate(rule("entity.region_code", op, value), FACTS).passed


def test_a_future_date_is_not_within_days():
    facts = {**FACTS, "form.child_birth_date": "2025-04-05"}
    assert not rules.rule_evaluate(
        rule("form.child_birth_date", "date_within_days", 30), facts
    ).passed


def test_every_rule_is_evaluated_without_short_circuit():
    rule_set = [
        {**rule("applicant.age", "lt", 18), "id": "a", "message": "年龄不符"},
        {**rule("applicant.gender", "eq", "M"), "id": "b", "message": "性别不符"},
        {**rule("applicant.exists_in_registry", "is_true"), "id": "c"},
    ]
    outcomes = rules.rules_evaluate(rule_set, FACTS)
    assert [(o.id, o.passed) for o in outcomes] == [("a", False), ("b", False), ("c", True)]
    assert [o.message for o in outcomes] == ["年龄不符", "性别不符", ""]


def test_validation_normalises_a_good_rule_set():
    good = [
        {**rule("applicant.age", "gte", 60), "label": " 年满60周岁 "},
        {**rule("form.child_birth_date.age_days", "lte", 30), "id": "days"},
        {**rule("applicant.exists_in_registry", "is_true"), "id": "reg"},
    ]
    normalised = rules.rules_validate(good, form_fields={"child_birth_date"})
    assert normalised[0]["label"] == "年满60周岁"
    assert rules.rules_facts(normalised) == {
        "applicant.age",
        "form.child_birth_date.age_days",
        "applicant.exists_in_registry",
    }


@pytest.mark.parametrize(
    ("rules_value", "field", "text"),
    [
        ("not a list", "rules", "应为数组"),
        ([], "rules", "不能为空"),
        ([rule("applicant.shoe_size", "eq", 1)], "rules[0].fact", "未知的数据项"),
        ([rule("applicant.age", "like", 1)], "rules[0].op", "未知的运算符"),
        ([rule("applicant.age", "gte", None)], "rules[0].value", "缺少比较值"),
        ([rule("applicant.age", "gte", [1])], "rules[0].value", "数字或日期"),
        ([rule("entity.status", "in", "存续")], "rules[0].value", "非空列表"),
        ([rule("applicant.household_region_code", "prefix", "广东")], "rules[0].value", "区划"),
        ([rule("applicant.age", "between", [90, 60])], "rules[0].value", "下限不大于上限"),
        ([rule("form.x", "date_within_days", -1)], "rules[0].value", "非负整数"),
        ([rule("entity.is_operating", "is_true", True)], "rules[0].value", "不需要比较值"),
        ([rule("form.nothere", "exists")], "rules[0].fact", "申请表中没有字段"),
        ([{**rule("applicant.age", "gte", 1), "id": "含空格 的"}], "rules[0].id", "字母"),
        ([{**rule("applicant.age", "gte", 1), "label": ""}], "rules[0].label", "必填"),
        ([{**rule("applicant.age", "gte", 1), "message": None}], "rules[0].message", "必填"),
        ([{**rule("applicant.age", "gte", 1), "script": "x"}], "rules[0]", "未知的键"),
        (
            [rule("applicant.age", "gte", 1), rule("applicant.age", "lte", 99)],
            "rules[1].id",
            "重复",
        ),
        (["text"], "rules[0]", "应为对象"),
    ],
)
def test_validation_refuses_bad_rules_with_field_errors(rules_value, field, text):
    with pytest.raises(ValidationFailed) as caught:
        rules.rules_validate(rules_value, form_fields={"child_birth_date", "x"})
    assert caught.value.code == "services/rules_invalid"
    assert text in " ".join(caught.value.fields[field])


def test_rules_read_in_chinese():
    assert rules.rule_describe(rule("applicant.age", "gte", 60)) == "申请人年龄（周岁） 不小于 60"
    assert (
        rules.rule_describe(
            rule("form.child_birth_date.age_days", "lte", 30), {"child_birth_date": "出生日期"}
        )
        == "申请表“出生日期”距今天数 不大于 30"
    )
    assert rules.rule_describe(rule("entity.is_operating", "is_true")) == "企业正常经营 为“是”"
    assert (
        rules.rule_describe(rule("applicant.age", "between", [1, 2]))
        == "申请人年龄（周岁） 介于 1 与 2 之间"
    )
    assert rules.rule_describe(rule("entity.status", "in", ["存续", "在业"])).endswith(
        "属于 存续、在业"
    )
