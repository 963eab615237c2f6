"""Principals, catalog resources and open datasets for the tests, made through services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from digigov.data.catalog.services.datasets import dataset_rows_replace
from digigov.data.catalog.services.resources import (
    resource_register,
    resource_review,
    resource_submit,
)
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import OpenDataset
from ..selectors.access import (
    ANSWER_PERMISSION,
    MODERATE_PERMISSION,
    PUBLISH_PERMISSION,
    REVIEW_PERMISSION,
)
from ..services.publishing import dataset_review, dataset_submit

OPERATOR = Principal(kind="operator", id="test")
ANONYMOUS = Principal(kind="anonymous", source_address="10.0.0.9")


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


def publisher(org_code: str = "440100-scjg", id: str = "11") -> Principal:
    return staff(org_code, PUBLISH_PERMISSION, id=id)


def reviewer(org_code: str = "440000-zsj", id: str = "21") -> Principal:
    return staff(org_code, REVIEW_PERMISSION, ANSWER_PERMISSION, MODERATE_PERMISSION, id=id)


def citizen(id: str = "101") -> Principal:
    return Principal(kind="citizen", id=id, label="张**", source_address="10.0.0.10")


SHOP_FIELDS: list[dict[str, Any]] = [
    {
        "name": "shop_id",
        "label": "店铺编号",
        "data_type": "code",
        "is_required": True,
        "sensitivity": "public",
    },
    {"name": "shop_name", "label": "店铺名称", "data_type": "string", "sensitivity": "public"},
    {"name": "district_code", "label": "所在区", "data_type": "code", "sensitivity": "public"},
    {"name": "opened_on", "label": "开业日期", "data_type": "date", "sensitivity": "public"},
    {"name": "staff_count", "label": "从业人数", "data_type": "integer", "sensitivity": "public"},
    {"name": "is_chain", "label": "连锁", "data_type": "boolean", "sensitivity": "public"},
    {
        "name": "owner_name",
        "label": "经营者姓名",
        "data_type": "string",
        "sensitivity": "personal",
        "masking": "name",
    },
    {
        "name": "owner_phone",
        "label": "联系电话",
        "data_type": "string",
        "sensitivity": "sensitive",
        "masking": "phone",
    },
]


def shop_rows(count: int = 30) -> list[dict[str, Any]]:
    districts = ["440103", "440104", "440105"]
    return [
        {
            "shop_id": f"S{n:04d}",
            "shop_name": f"{'越秀' if n % 3 == 0 else '海珠'}便利店第{n}分店",
            "district_code": districts[n % 3],
            "opened_on": (dt.date(2020, 1, 1) + dt.timedelta(days=n * 17)).isoformat(),
            "staff_count": str(n % 7 + 1),
            "is_chain": "是" if n % 2 else "否",
            "owner_name": f"王{n}",
            "owner_phone": f"1380013{n:04d}",
        }
        for n in range(1, count + 1)
    ]


def catalog_resource(
    *,
    code: str = "GZ-SCJG-TEST",
    open_condition: str = "unconditional",
    org_code: str = "440100-scjg",
    rows: int = 30,
):
    department = Principal(kind="operator", id="catalog-admin")
    resource = resource_register(
        principal=department,
        organization_id=org(org_code).pk,
        values={
            "code": code,
            "name": "广州市便利店名录（测试）",
            "description": "便利店名录",
            "layer": "topic",
            "storage": "dataset",
            "subject_class": "市场监管",
            "update_frequency": "monthly",
            "share_condition": "unconditional",
            "open_condition": open_condition,
            "grade": "general",
            "has_personal_info": open_condition != "unconditional",
            "key_field": "shop_id",
        },
        fields=[
            {**f, "sensitivity": "sensitive"}
            if f["name"] == "owner_name" and open_condition == "unconditional"
            else f
            for f in SHOP_FIELDS
        ],
    )
    dataset_rows_replace(
        principal=department, resource_id=resource.pk, rows=shop_rows(rows), file_name="测试"
    )
    resource_submit(principal=department, code=code)
    resource_review(
        principal=Principal(kind="operator", id="catalog-bureau"),
        resource_id=resource.pk,
        approve=True,
        note="通过",
    )
    return resource


def submit_shops(
    *, code="GZ-SCJG-TEST", name="guangzhou-shops", open_condition="unconditional", **extra
) -> OpenDataset:
    catalog_resource(code=code, open_condition=open_condition)
    return dataset_submit(
        principal=publisher(),
        resource_code=code,
        name=name,
        values={
            "title": "广州市便利店名录",
            "notes": "广州市便利店的名称、所在区、开业日期和从业人数。",
            "tags": ["便利店", "商业网点"],
            "theme": "market",
            "update_frequency": "monthly",
            "spatial": ["440100"],
            "temporal_start": "2020-01-01",
        },
        **extra,
    )


def publish_shops(**kwargs) -> OpenDataset:
    dataset = submit_shops(**kwargs)
    return dataset_review(
        principal=reviewer(), dataset_id=dataset.pk, approve=True, note="同意开放"
    )
