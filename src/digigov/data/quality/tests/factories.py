"""Principals, a world (regions, departments, a small entity registry) and resources for
the quality tests, made through the catalog's and the registries' services."""

from __future__ import annotations

from typing import Any

from digigov.data.catalog.services.datasets import dataset_rows_replace
from digigov.data.catalog.services.resources import (
    resource_register,
    resource_review,
    resource_submit,
)
from digigov.data.registries.services import registry_demo_generate
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.services import regions_load

DEPARTMENT = Principal(kind="operator", id="test-department")
BUREAU = Principal(kind="operator", id="test-bureau")
SYSTEM = Principal(kind="system", id="test")


def world_make(*, entities: int = 45) -> None:
    regions_load()
    organizations_seed(county_level=False, town_level=False)
    registry_demo_generate(people=60, entities=entities)


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
        source_address="10.0.0.9",
    )


def steward(org_code: str = "440100-scjg", id: str = "11") -> Principal:
    """数据治理人员 of a department."""
    return staff(org_code, "quality.manage_rules", "quality.handle_issue", id=id)


def analyst(org_code: str = "440100-scjg", id: str = "21") -> Principal:
    return staff(org_code, "quality.use_workspace", id=id)


def dataset_make(
    *,
    code: str = "GZ-TEST-QUALITY",
    organization: str = "440100-scjg",
    fields: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    key_field: str,
    frequency: str = "monthly",
    layer: str = "topic",
    personal: bool = True,
):
    """A published dataset resource with rows, as a department and the bureau make it."""
    resource = resource_register(
        principal=DEPARTMENT,
        organization_id=org(organization).pk,
        values={
            "code": code,
            "name": "测试数据集",
            "layer": layer,
            "storage": "dataset",
            "update_frequency": frequency,
            "share_condition": "conditional",
            "share_terms": "测试",
            "grade": "general",
            "has_personal_info": personal,
            "key_field": key_field,
        },
        fields=fields,
    )
    if rows:
        dataset_rows_replace(principal=DEPARTMENT, resource_id=resource.pk, rows=rows)
    resource_submit(principal=DEPARTMENT, code=code)
    resource_review(principal=BUREAU, resource_id=resource.pk, approve=True, note="测试")
    return resource


def audit_head() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def audit_since(seq: int) -> list[tuple[str, str]]:
    return list(
        AuditEntry.objects.filter(seq__gt=seq).order_by("seq").values_list("action", "outcome")
    )
