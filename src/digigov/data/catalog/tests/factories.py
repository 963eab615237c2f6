"""Principals and resources for the catalog tests, made through the services."""

from __future__ import annotations

from typing import Any

from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import DataResource
from ..services.resources import resource_register, resource_review, resource_submit

REGISTER = "catalog.register_resource"
REVIEW = "catalog.review_resource"
BUREAU_SEED = Principal(kind="operator", id="test-bureau")


def org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def staff(org_code: str, *permissions: str, id: str = "1") -> Principal:
    return Principal(
        kind="staff",
        id=id,
        label="测试公职人员",
        organization_id=org(org_code).pk,
        region_code=org(org_code).region_id,
        permissions=frozenset(permissions),
        source_address="10.0.0.8",
    )


def admin(org_code: str = "440100-scjg", id: str = "11") -> Principal:
    """A 数据目录管理员 of the department."""
    return staff(org_code, REGISTER, id=id)


def reviewer(org_code: str = "440000-zsj", id: str = "21") -> Principal:
    """A 数据资源审核人员 of a data bureau."""
    return staff(org_code, REVIEW, id=id)


def machine(org_code: str, *scopes: str, id: str = "31") -> Principal:
    return Principal(
        kind="machine",
        id=id,
        label="部门系统",
        organization_id=org(org_code).pk,
        scopes=frozenset(scopes),
    )


def fields() -> list[dict[str, Any]]:
    return [
        {"name": "shop_id", "label": "店铺编号", "data_type": "code", "is_required": True},
        {"name": "shop_name", "label": "店铺名称", "data_type": "string"},
        {"name": "opened_on", "label": "开业日期", "data_type": "date"},
        {"name": "staff_count", "label": "从业人数", "data_type": "integer"},
        {"name": "area", "label": "面积", "data_type": "decimal"},
        {"name": "is_chain", "label": "连锁", "data_type": "boolean"},
        {
            "name": "owner_id",
            "label": "经营者证件号码",
            "data_type": "code",
            "sensitivity": "personal",
            "masking": "id_number",
        },
    ]


def values(code: str = "GZ-TEST-SHOPS", **overrides: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": "广州市测试店铺名录",
        "description": "测试用主题库",
        "layer": "topic",
        "storage": "dataset",
        "subject_class": "市场监管",
        "share_condition": "conditional",
        "share_terms": "依法履职需要",
        "open_condition": "none",
        "grade": "general",
        "has_personal_info": True,
        "key_field": "shop_id",
        **overrides,
    }


def draft(
    org_code: str = "440100-scjg", code: str = "GZ-TEST-SHOPS", **overrides: Any
) -> DataResource:
    return resource_register(
        principal=admin(org_code),
        organization_id=org(org_code).pk,
        values=values(code, **overrides),
        fields=fields(),
    )


def published(org_code: str = "440100-scjg", code: str = "GZ-TEST-SHOPS", **overrides):
    resource = draft(org_code, code, **overrides)
    resource_submit(principal=admin(org_code), code=code)
    return resource_review(principal=BUREAU_SEED, resource_id=resource.pk, approve=True)


def audit_head() -> int:
    from digigov.kernel.audit.models import AuditEntry

    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def audit_since(seq: int) -> list[tuple[str, str, str]]:
    from digigov.kernel.audit.models import AuditEntry

    return list(
        AuditEntry.objects.filter(seq__gt=seq)
        .order_by("seq")
        .values_list("action", "outcome", "object_id")
    )


def snapshot() -> tuple:
    """What the catalog holds, to assert that refused calls change nothing."""
    from ..models import DatasetRow, ResourceField, SourceSystem

    return (
        list(
            DataResource.objects.order_by("pk").values_list("code", "status", "name", "row_count")
        ),
        ResourceField.objects.count(),
        DatasetRow.objects.count(),
        SourceSystem.objects.count(),
    )
