"""Registering, editing, submitting, reviewing (four-eyes), retiring and withdrawing
resources: validation in Chinese by field, who may, audit and events, and that refusals
change nothing."""

from __future__ import annotations

import pytest

from digigov.kernel.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event

from ..models import DataResource
from ..services.resources import (
    resource_register,
    resource_retire,
    resource_review,
    resource_submit,
    resource_update,
    resource_withdraw,
)
from ..services.systems import source_system_register
from . import factories as f

pytestmark = pytest.mark.django_db


def _register(principal, org_code="440100-scjg", **overrides):
    fields = overrides.pop("fields", None)
    fields = f.fields() if fields is None else fields
    return resource_register(
        principal=principal,
        organization_id=f.org(org_code).pk,
        values=f.values(**overrides),
        fields=fields,
    )


def test_register_makes_a_draft_with_fields_audit_and_event(orgs):
    head = f.audit_head()
    resource = _register(f.admin())
    assert resource.status == "draft"
    assert [x.name for x in resource.fields.order_by("position")] == [
        "shop_id",
        "shop_name",
        "opened_on",
        "staff_count",
        "area",
        "is_chain",
        "owner_id",
    ]
    owner = resource.fields.get(name="owner_id")
    assert owner.sensitivity == "personal" and owner.masking == "id_number"
    assert f.audit_since(head) == [("catalog.resource.register", "success", "GZ-TEST-SHOPS")]
    assert Event.objects.filter(topic="catalog.resource.draft").count() == 1


@pytest.mark.parametrize(
    "overrides, field, fragment",
    [
        ({"code": "a"}, "code", "3-60"),
        ({"code": "含中文"}, "code", "3-60"),
        ({"name": ""}, "name", "资源名称"),
        ({"layer": "nope"}, "layer", "资源层级"),
        ({"grade": "core", "share_condition": "unconditional"}, "share_condition", "核心数据"),
        ({"grade": "core", "open_condition": "conditional"}, "open_condition", "核心数据"),
        ({"share_terms": ""}, "share_terms", "共享条件"),
        ({"has_personal_info": False}, "has_personal_info", "个人信息"),
        ({"open_condition": "unconditional"}, "open_condition", "个人信息"),
        ({"key_field": "nope"}, "key_field", "数据项之一"),
        ({"key_field": ""}, "key_field", "主键"),
        ({"storage": "api"}, "api_url", "接口地址"),
        ({"storage": "api", "api_url": "ftp://x.example/a"}, "api_url", "http"),
        ({"api_url": "https://x.example/a"}, "api_url", "只有部门接口"),
        ({"source_system": "NOPE-1"}, "source_system", "来源系统"),
        ({"layer": "base"}, "layer", "基础库"),
        ({"storage": "registry.person", "layer": "base"}, "storage", "省级主管部门"),
        ({"extra": 1}, "values", "不认识"),
    ],
)
def test_register_validation_names_the_field(orgs, overrides, field, fragment):
    before = f.snapshot()
    with pytest.raises(ValidationFailed) as caught:
        _register(f.admin(), **overrides)
    assert any(fragment in message for message in caught.value.fields[field])
    assert f.snapshot() == before


def test_field_rules(orgs):
    bad = [
        {"name": "Shop", "label": "大写", "data_type": "string"},
        {"name": "dup", "label": "一", "data_type": "string"},
        {"name": "dup", "label": "二", "data_type": "string"},
        {"name": "person", "label": "人", "sensitivity": "personal", "masking": "none"},
        {"name": "typed", "label": "", "data_type": "float"},
    ]
    with pytest.raises(ValidationFailed) as caught:
        _register(f.admin(), fields=bad, key_field="dup")
    errors = caught.value.fields
    assert "字段名应以小写字母开头" in errors["fields[0].name"][0]
    assert "重复" in errors["fields[2].name"][0]
    assert "脱敏规则" in errors["fields[3].masking"][0]
    assert errors["fields[4].label"] and errors["fields[4].data_type"]
    with pytest.raises(ValidationFailed) as caught:
        _register(f.admin(), fields=[])
    assert caught.value.fields["fields"] == ["至少登记一个数据项"]
    assert not DataResource.objects.exists()


def test_code_is_unique(orgs):
    _register(f.admin())
    with pytest.raises(ValidationFailed) as caught:
        _register(f.admin())
    assert caught.value.fields["code"] == ["资源代码已被使用"]


def test_base_registry_resource_only_by_its_provincial_department(orgs):
    person_fields = [
        {"name": "id_number", "label": "公民身份号码", "sensitivity": "personal",
         "masking": "id_number"},
        {"name": "name", "label": "姓名", "sensitivity": "personal", "masking": "name"},
    ]  # fmt: skip
    values = {"storage": "registry.person", "layer": "base", "key_field": "id_number"}
    resource = _register(f.admin("440000-gat"), "440000-gat", fields=person_fields, **values)
    assert resource.storage == "registry.person"
    with pytest.raises(ValidationFailed) as caught:
        _register(
            f.admin("440000-gat"),
            "440000-gat",
            code="GD-GAT-X",
            fields=[*person_fields, {"name": "salary", "label": "工资"}],
            **values,
        )
    assert "基础库没有这些数据项" in caught.value.fields["fields"][0]


def test_only_the_departments_catalog_admins_register(orgs):
    before, head = f.snapshot(), f.audit_head()
    other = f.admin("440100-mzt")
    for principal in (
        other,  # another department
        f.staff("440100-scjg"),  # no permission
        f.reviewer("440100-scjg"),  # another permission
        f.machine("440100-scjg", "catalog:read"),  # machine without the write scope
        f.machine("440100-mzt", "catalog:write"),  # machine of another department
    ):
        with pytest.raises(PermissionDenied):
            _register(principal)
    assert f.snapshot() == before
    assert {a for a, o, _ in f.audit_since(head)} == {"catalog.resource.register"}
    assert {o for a, o, _ in f.audit_since(head)} == {"denied"}
    assert _register(f.machine("440100-scjg", "catalog:write")).status == "draft"


def test_source_system_of_the_department(orgs):
    source_system_register(
        principal=f.admin(), organization_id=f.org("440100-scjg").pk, code="GZ-SYS-1", name="系统一"
    )
    source_system_register(
        principal=f.admin("440100-mzt"),
        organization_id=f.org("440100-mzt").pk,
        code="GZ-SYS-2",
        name="系统二",
    )
    assert _register(f.admin(), source_system="GZ-SYS-1").source_system.code == "GZ-SYS-1"
    with pytest.raises(ValidationFailed) as caught:
        _register(f.admin(), code="GZ-OTHER", source_system="GZ-SYS-2")
    assert caught.value.fields["source_system"]


def test_update_only_drafts_and_rejected(orgs):
    resource = f.draft()
    updated = resource_update(
        principal=f.admin(),
        code=resource.code,
        values=f.values(name="新名称"),
        fields=[*f.fields()[:3], f.fields()[-1]],
    )
    assert updated.name == "新名称" and updated.fields.count() == 4
    with pytest.raises(ValidationFailed) as caught:
        resource_update(
            principal=f.admin(),
            code=resource.code,
            values=f.values(code="OTHER"),
            fields=f.fields(),
        )
    assert caught.value.fields["code"] == ["资源代码登记后不能修改"]
    resource_submit(principal=f.admin(), code=resource.code)
    with pytest.raises(Conflict):
        resource_update(
            principal=f.admin(), code=resource.code, values=f.values(), fields=f.fields()
        )
    resource_review(principal=f.reviewer(), resource_id=resource.pk, approve=False, note="缺少说明")
    again = resource_update(
        principal=f.admin(), code=resource.code, values=f.values(name="改后"), fields=f.fields()
    )
    assert again.status == "draft" and again.name == "改后"
    with pytest.raises(PermissionDenied):
        resource_update(
            principal=f.admin("440100-mzt"),
            code=resource.code,
            values=f.values(),
            fields=f.fields(),
        )
    with pytest.raises(NotFound):
        resource_update(principal=f.admin(), code="NOPE", values=f.values(), fields=f.fields())


def test_review_by_the_data_bureau_at_the_level_or_above_never_the_submitter(orgs):
    resource = f.draft()
    submitter = f.staff("440100-scjg", f.REGISTER, f.REVIEW, id="99")
    resource_submit(principal=submitter, code=resource.code)
    before, head = f.snapshot(), f.audit_head()
    refused = [
        submitter,  # a submitter with the review permission: four-eyes
        f.reviewer("440300-zsj"),  # another city's data bureau
        f.staff("440100-zsj", f.REGISTER),  # the right bureau without the permission
        f.reviewer("440100-scjg"),  # the permission, but not a data bureau
        f.machine("440100-zsj", "catalog:write"),  # machines never review
    ]
    for principal in refused:
        with pytest.raises(PermissionDenied):
            resource_review(principal=principal, resource_id=resource.pk, approve=True)
    assert f.snapshot() == before
    assert [o for _, o, _ in f.audit_since(head)] == ["denied"] * len(refused)
    # the city's data bureau (and the province's) may
    with pytest.raises(ValidationFailed):
        resource_review(principal=f.reviewer("440100-zsj"), resource_id=resource.pk, approve=False)
    published = resource_review(
        principal=f.reviewer("440100-zsj"), resource_id=resource.pk, approve=True, note="同意"
    )
    assert published.status == "published" and published.published_at is not None
    assert published.reviewed_by == "staff:21" and published.submitted_by == "staff:99"
    assert Event.objects.filter(topic="catalog.resource.published").count() == 1
    with pytest.raises(Conflict):
        resource_review(principal=f.reviewer(), resource_id=resource.pk, approve=True)


def test_provincial_resources_need_the_provincial_bureau(orgs):
    resource = f.draft("440000-rsj", code="GD-RSJ-T")
    resource_submit(principal=f.admin("440000-rsj"), code=resource.code)
    with pytest.raises(PermissionDenied):
        resource_review(principal=f.reviewer("440100-zsj"), resource_id=resource.pk, approve=True)
    assert (
        resource_review(
            principal=f.reviewer("440000-zsj"), resource_id=resource.pk, approve=True
        ).status
        == "published"
    )


def test_submit_needs_a_draft(orgs):
    resource = f.draft()
    resource_submit(principal=f.admin(), code=resource.code)
    with pytest.raises(Conflict):
        resource_submit(principal=f.admin(), code=resource.code)
    with pytest.raises(PermissionDenied):
        resource_submit(principal=f.admin("440100-mzt"), code=resource.code)


def test_retire_by_the_department_or_the_bureau(orgs):
    resource = f.published()
    with pytest.raises(PermissionDenied):
        resource_retire(principal=f.admin("440100-mzt"), code=resource.code, note="x")
    with pytest.raises(ValidationFailed):
        resource_retire(principal=f.admin(), code=resource.code, note="")
    assert DataResource.objects.get(pk=resource.pk).status == "published"
    retired = resource_retire(principal=f.reviewer(), code=resource.code, note="系统停用")
    assert retired.status == "retired"
    with pytest.raises(Conflict):
        resource_retire(principal=f.admin(), code=resource.code, note="again")


def test_withdraw_a_published_resource_only_without_active_grants(orgs, monkeypatch):
    resource = f.published()
    from .. import services

    monkeypatch.setattr(services.resources, "_active_grants", lambda resource_id: 2)
    with pytest.raises(Conflict) as caught:
        resource_withdraw(principal=f.admin(), code=resource.code)
    assert caught.value.code == "resource_in_use"
    monkeypatch.setattr(services.resources, "_active_grants", lambda resource_id: None)
    with pytest.raises(Conflict):
        resource_withdraw(principal=f.admin(), code=resource.code)
    assert DataResource.objects.get(pk=resource.pk).status == "published"
    monkeypatch.setattr(services.resources, "_active_grants", lambda resource_id: 0)
    with pytest.raises(PermissionDenied):
        resource_withdraw(principal=f.reviewer(), code=resource.code)
    assert resource_withdraw(principal=f.admin(), code=resource.code, note="增加字段").status == (
        "draft"
    )


def test_withdraw_asks_the_sharing_app(orgs):
    """No monkeypatch: the sharing app's grants_active_count answers (no grants here)."""
    resource = f.published()
    assert resource_withdraw(principal=f.admin(), code=resource.code).status == "draft"
    assert Event.objects.filter(topic="catalog.resource.draft").count() == 2
