"""Demo rules (data/rules.json): valid for every instant item of the catalog data files,
and the seed step publishes them idempotently."""

from __future__ import annotations

import json

import pytest

from ..models import InstantRuleSet
from ..services import rules as rule_engine
from ..services.instant import DATA_DIR, demo_rules_for, rules_demo_seed
from ..testing import item_make


def _instant_entries() -> list[dict]:
    entries = []
    for path in sorted(DATA_DIR.glob("items_*.json")):
        entries += [
            e
            for e in json.loads(path.read_text(encoding="utf-8"))
            if e["approval_mode"] == "instant"
        ]
    return entries


def test_every_instant_item_gets_valid_demo_rules():
    data = json.loads((DATA_DIR / "rules.json").read_text(encoding="utf-8"))
    entries = _instant_entries()
    assert entries, "the catalog data files hold instant items"
    for entry in entries:
        rules = demo_rules_for(
            standard_code=entry["standard_code"], subject_kind=entry["subject_kind"], data=data
        )
        fields = set(entry.get("form_schema", {}).get("properties", {}))
        rule_engine.rules_validate(rules, form_fields=fields)  # raises on any problem
        assert {r["id"] for r in rules} >= {"registry", "real_name", "no_open"}
    known = {e["standard_code"] for e in entries}
    specific = {code for code in data if not code.startswith("_")}
    assert specific <= known, f"rules for items that are not instant: {sorted(specific - known)}"


@pytest.mark.django_db
def test_seed_publishes_rules_for_instant_items_present_once():
    entry = next(e for e in _instant_entries() if e["standard_code"] == "GD-MZT-JF-106")
    item_make(
        code=f"{entry['standard_code']}-440100",
        standard_code=entry["standard_code"],
        approval_mode="instant",
        form_schema=entry["form_schema"],
    )
    assert rules_demo_seed(seed=2021) == "发布 1 个秒批事项的规则集"
    rule_set = InstantRuleSet.objects.get()
    assert rule_set.status == "published" and rule_set.standard_code == "GD-MZT-JF-106"
    assert [r["id"] for r in rule_set.rules] == [
        "registry",
        "real_name",
        "no_open",
        "age",
        "household",
        "once",
    ]
    assert rules_demo_seed(seed=2021) == "已存在，跳过"
    assert InstantRuleSet.objects.count() == 1
