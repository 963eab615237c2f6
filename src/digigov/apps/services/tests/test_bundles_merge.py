"""One form and one material set per bundle: shared fields asked once, the stricter
definition wins, real conflicts are configuration errors; materials de-duplicated by
license type or name. The demo data of the 13 national bundles merges without conflict."""

# ruff: noqa: F811 (pytest fixtures are imported from test_bundles_support)

import json
from pathlib import Path

import pytest

from digigov.kernel.errors import ValidationFailed

from ..selectors.bundles import (
    ComponentSpec,
    bundle_detail,
    field_merge,
    forms_merge,
    materials_merge,
)
from .test_bundles_support import (  # noqa: F401 (fixtures)
    CODES,
    FORM_A,
    FORM_B,
    FORM_C,
    MATERIALS_A,
    MATERIALS_B,
    MATERIALS_C,
    world,
)

DATA = Path(__file__).resolve().parent.parent / "data"


def spec(code, form, materials=(), optional=False):
    return ComponentSpec(
        standard_code=code,
        name=code,
        form_schema=form,
        materials=list(materials),
        is_optional=optional,
    )


def test_shared_fields_are_asked_once_and_stricter_definition_wins():
    merged = forms_merge(
        [
            spec("A", FORM_A, MATERIALS_A),
            spec("B", FORM_B, MATERIALS_B),
            spec("C", FORM_C, (), True),
        ]
    )
    names = [f.name for f in merged.fields]
    assert len(names) == len(set(names))
    assert names.count("child_name") == 1
    child = next(f for f in merged.fields if f.name == "child_name")
    assert child.used_by == ("A", "B", "C")
    assert child.spec["title"] == "新生儿姓名"  # the first component's label
    assert child.spec["maxLength"] == 10  # the stricter maximum
    assert child.spec["minLength"] == 2
    assert merged.schema["properties"]["phone"]["prefill"] == "account.phone"


def test_required_only_when_a_mandatory_component_requires_it():
    merged = forms_merge([spec("A", FORM_A), spec("C", FORM_C, optional=True)])
    required = set(merged.schema["required"])
    assert "child_name" in required  # A requires it
    assert "address" not in required  # only the optional C does
    address = next(f for f in merged.fields if f.name == "address")
    assert address.required_by == ("C",)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (
            {"type": "string", "enum": ["男", "女", "未知"]},
            {"type": "string", "enum": ["女", "男"]},
            {"enum": ["男", "女"]},
        ),
        (
            {"type": "number", "minimum": 0},
            {"type": "number", "minimum": 1, "maximum": 9},
            {"minimum": 1, "maximum": 9},
        ),
        ({"type": "string"}, {"type": "string", "format": "date"}, {"format": "date"}),
    ],
)
def test_field_merge_takes_the_stricter_constraint(first, second, expected):
    merged = field_merge("f", first, second)
    for key, value in expected.items():
        assert merged[key] == value


@pytest.mark.parametrize(
    ("first", "second", "needle"),
    [
        ({"type": "string"}, {"type": "integer"}, "type"),
        ({"type": "string", "pattern": "^a$"}, {"type": "string", "pattern": "^b$"}, "pattern"),
        ({"type": "string", "enum": ["甲"]}, {"type": "string", "enum": ["乙"]}, "交集"),
        (
            {"type": "string", "prefill": "person.name"},
            {"type": "string", "prefill": "entity.name"},
            "prefill",
        ),
        ({"type": "string", "minLength": 5}, {"type": "string", "maxLength": 3}, "minLength"),
    ],
)
def test_conflicting_definitions_are_a_configuration_error(first, second, needle):
    with pytest.raises(ValueError, match=needle):
        field_merge("f", first, second)
    form_1 = {"type": "object", "properties": {"f": first}}
    form_2 = {"type": "object", "properties": {"f": second}}
    with pytest.raises(ValidationFailed) as caught:
        forms_merge([spec("X", form_1), spec("Y", form_2)])
    assert caught.value.code == "services/bundle_form_conflict"
    assert "f" in caught.value.fields
    assert "Y" in caught.value.fields["f"][0]


def test_materials_deduplicated_by_license_type_and_by_name():
    merged = materials_merge(
        [spec("A", {}, MATERIALS_A), spec("B", {}, MATERIALS_B), spec("C", {}, MATERIALS_C, True)]
    )
    assert [m.name for m in merged] == ["居民身份证", "居民户口簿"]
    id_card, household = merged
    assert id_card.code == "B01"
    assert [(u.standard_code, u.material_code) for u in id_card.uses] == [
        ("A", "M01"),
        ("B", "M01"),
    ]
    assert id_card.max_mb == 2  # the smallest limit
    assert id_card.is_required
    assert household.formats == ("pdf",)  # accepted by every component
    assert [(u.standard_code, u.material_code) for u in household.uses] == [
        ("B", "M02"),
        ("C", "M01"),
    ]


def test_materials_without_a_common_format_are_a_configuration_error():
    one = [{"code": "M01", "name": "照片", "formats": ["jpg"]}]
    two = [{"code": "M09", "name": "照片", "formats": ["pdf"]}]
    with pytest.raises(ValidationFailed) as caught:
        materials_merge([spec("A", {}, one), spec("B", {}, two)])
    assert caught.value.code == "services/bundle_form_conflict"


def test_the_13_national_bundles_merge_without_conflict():
    items = {i["standard_code"]: i for i in json.loads((DATA / "items_bundles.json").read_text())}
    bundles = json.loads((DATA / "bundles.json").read_text())
    assert len(bundles) == 13
    assert all(b["is_national_key"] for b in bundles)
    for bundle in bundles:
        components = [
            spec(
                c["standard_code"],
                items[c["standard_code"]]["form_schema"],
                items[c["standard_code"]]["materials"],
                c["is_optional"],
            )
            for c in bundle["components"]
        ]
        assert len(components) >= 3, bundle["code"]
        form = forms_merge(components)
        materials = materials_merge(components)
        assert form.fields and materials, bundle["code"]
    newborn = next(b for b in bundles if b["code"] == "newborn")
    assert {items[c["standard_code"]]["approval_mode"] for c in newborn["components"]} == {
        "instant"
    }
    restaurant = next(b for b in bundles if b["code"] == "restaurant-opening")
    food = [
        items[c["standard_code"]]
        for c in restaurant["components"]
        if "食品经营许可" in items[c["standard_code"]]["name"]
    ]
    assert food[0]["workflow_process"] == "restaurant_opening"


def test_bundle_detail_lists_departments_form_and_materials(world):
    detail = bundle_detail(code="test-birth", region_code="440100")
    assert [c.standard_code for c in detail.components] == list(CODES)
    assert detail.components[0].organization_name == "广东省卫生健康委员会"
    assert detail.components[2].is_optional
    assert {f.name for f in detail.form.fields} >= {"child_name", "household_choice", "address"}
    assert [m.name for m in detail.materials] == ["居民身份证", "居民户口簿"]
    assert detail.departments == [
        "广东省卫生健康委员会",
        "广东省公安厅",
        "广东省人力资源和社会保障厅",
    ]
