"""Demo data: the 13 national key 一件事 are seeded idempotently over the catalog's items,
and `digigov bundles_check` finds every one mergeable with its items published."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.data.registries.services import demo_entity_usccs, registry_demo_generate
from digigov.kernel.errors import PermissionDenied
from digigov.kernel.principals import Principal
from digigov.support.identity import services as identity

from ..models import Application, Bundle, BundleItem, CaseTask
from ..selectors.bundles import bundle_detail
from ..services.bundles import (
    DATA_FILE,
    bundle_material_stage,
    bundle_submit,
    bundles_load,
    bundles_seed,
)
from ..services.instant import rules_demo_seed
from ..services.items import items_catalog_load
from ..testing import organizations_ready

OPERATOR = Principal(kind="operator", id="test")
NATIONAL = [
    "企业信息变更",
    "开办运输企业",
    "开办餐饮店",
    "水电气网联合报装",
    "信用修复",
    "企业破产信息核查",
    "企业注销登记",
    "新生儿出生",
    "教育入学",
    "社会保障卡居民服务一卡通",
    "残疾人服务",
    "退休",
    "公民身后",
]


@pytest.fixture
def catalog(db):
    organizations_ready()
    entries = json.loads((DATA_FILE.parent / "items_bundles.json").read_text(encoding="utf-8"))
    for entry in entries:  # one city is enough here
        entry["regions"] = ["440100"]
    items_catalog_load(principal=OPERATOR, entries=entries)


def test_seed_creates_the_13_national_bundles_once(catalog):
    summary = bundles_seed(seed=2021)
    assert "13" in summary
    names = list(Bundle.objects.values_list("name", flat=True))
    assert len(names) == 13
    for name in NATIONAL:
        assert any(n.startswith(name) for n in names), name
    assert Bundle.objects.filter(is_national_key=True).count() == 13
    count = BundleItem.objects.count()
    assert bundles_seed(seed=2021).startswith("已存在")
    assert Bundle.objects.count() == 13 and BundleItem.objects.count() == count


def test_seeded_bundles_pass_the_check(catalog, capsys):
    bundles_seed(seed=2021)
    call_command("bundles_check", "--region", "440100")
    assert "检查通过" in capsys.readouterr().out
    newborn = bundle_detail(code="newborn", region_code="440100")
    assert {c.approval_mode for c in newborn.components} == {"instant"}
    assert [c.organization_name for c in newborn.components][:3] == [
        "广州市卫生健康局",
        "广州市卫生健康局",
        "广州市公安局",
    ]
    assert sum(1 for f in newborn.form.fields if f.name == "child_name") == 1
    assert [m.name for m in newborn.materials][:2] == ["居民身份证", "结婚证"]
    restaurant = bundle_detail(code="restaurant-opening", region_code="440100")
    lines = {c.line for c in restaurant.components}
    assert {"scjg", "xf", "cgj", "sw"} <= lines


def test_check_reports_an_unpublished_item(catalog):
    bundles_load(
        principal=OPERATOR,
        entries=[
            {
                "code": "broken",
                "name": "配置错误的一件事",
                "components": [{"standard_code": "GD-NONE-YJS-999", "is_optional": False}],
            }
        ],
    )
    with pytest.raises(CommandError):
        call_command("bundles_check", "--region", "440100")


def test_only_operators_load_bundles(db):
    with pytest.raises(PermissionDenied):
        bundles_load(principal=Principal(kind="citizen", id="1"), entries=[])


def test_restaurant_bundle_runs_workflows_in_parallel_departments(db, settings, tmp_path):
    """开办餐饮店: an enterprise files one form; 食品经营许可 starts the restaurant_opening
    BPMN process at the city's market regulator, the others go to their own departments,
    the tax item is decided at once; the bundle stays open until all are closed."""
    settings.DIGIGOV_UPLOAD_ROOT = tmp_path / "uploads"
    registry_demo_generate(people=4, entities=2)
    organizations_ready()
    uscc = demo_entity_usccs(count=1)[0]
    entity = entity_brief(uscc=uscc)
    bundles = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    restaurant = next(b for b in bundles if b["code"] == "restaurant-opening")
    codes = {c["standard_code"] for c in restaurant["components"]}
    items = json.loads((DATA_FILE.parent / "items_bundles.json").read_text(encoding="utf-8"))
    items_catalog_load(
        principal=OPERATOR, entries=[i for i in items if i["standard_code"] in codes]
    )
    rules_demo_seed()
    bundles_seed()
    account = identity.account_register(
        username="restaurant_boss", password="Boss@2025x", phone="13900139000", kind="enterprise"
    )
    rep = person_brief(id_number=entity.legal_rep_id_number)
    identity.realname_verify(
        principal=account.as_principal(), name=rep.name, id_number=rep.id_number
    )
    identity.entity_bind(principal=account.as_principal(), uscc=uscc)
    principal = get_user_model().objects.get(pk=account.pk).as_principal()

    detail = bundle_detail(code="restaurant-opening", region_code=entity.region_code)
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * 200
    materials = []
    for material in detail.materials:
        if not material.is_required:
            continue
        staged = bundle_material_stage(
            principal=principal,
            bundle_code="restaurant-opening",
            material_code=material.code,
            original_name="m.pdf",
            content=io.BytesIO(pdf),
            region_code=entity.region_code,
        )
        materials.append({"code": material.code, "upload_token": staged.token})
    signboard = next(c.standard_code for c in detail.components if c.is_optional)
    bundle_application = bundle_submit(
        principal=principal,
        bundle_code="restaurant-opening",
        applicant_uscc=uscc,
        form_data={
            "phone": "13900139000",
            "business_address": "广州市越秀区北京路1号",
            "business_scope": "餐饮服务",
            "registered_capital": 50,
            "food_categories": "热食类食品制售",
            "floor_area": 120,
        },
        materials=materials,
        chosen_items=[],
        idempotency_key="restaurant-1",
    )
    cases = {a.item.standard_code: a for a in bundle_application.applications.all()}
    assert signboard not in cases and len(cases) == 4
    food = next(
        a for a in cases.values() if a.item_version.workflow_process == "restaurant_opening"
    )
    assert food.status in ("submitted", "accepted")
    assert food.handling_organization.function == "scjg"
    assert CaseTask.objects.filter(application=food).exists()  # in the department's inbox
    tax = next(a for a in cases.values() if a.approval_mode == "instant")
    assert tax.status == "approved"
    assert bundle_application.status == "submitted"
    assert Application.objects.filter(bundle_application=bundle_application).count() == 4
