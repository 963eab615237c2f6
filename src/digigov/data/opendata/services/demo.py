"""The 开放广东 demo (seed step, order 58, after the catalog's 50 and sharing's 55): the
catalog's open demo resources published as datasets (one conditional, its sensitive field
dropped), 30 days of usage, a data request with its answer, a showcase, ratings and a
comment. Everything through the services; idempotent (skipped when the datasets exist)."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Sum
from django.utils import timezone

from digigov.data.catalog.selectors.resources import resource_by_code
from digigov.kernel.errors import DomainError
from digigov.kernel.principals import Principal

from ..models import OpenDataset, UsageDay
from .community import (
    comment_moderate,
    comment_post,
    data_request_answer,
    data_request_submit,
    rating_set,
    showcase_moderate,
    showcase_submit,
)
from .publishing import dataset_review, dataset_submit

PUBLISHER = Principal(kind="operator", id="opendata-seed", label="开放广东演示数据")
BUREAU = Principal(kind="operator", id="opendata-seed-bureau", label="数据管理局（演示）")
VISITOR = Principal(kind="citizen", id="opendata-demo", label="演示用户")

DATASETS = [
    {
        "resource": "GZ-MZ-YLJG",
        "name": "guangzhou-elderly-care-institutions",
        "values": {
            "title": "广州市养老机构名录",
            "notes": "已备案养老机构的名称、所在区、地址、床位数、是否公办和服务电话。",
            "tags": ["养老", "民生", "养老机构"],
            "theme": "livelihood",
            "update_frequency": "monthly",
            "spatial": ["440100"],
        },
    },
    {
        "resource": "SZ-FGW-GGCDZ",
        "name": "shenzhen-public-charging-piles",
        "values": {
            "title": "深圳市公共充电桩",
            "notes": "公共充电桩的位置、接口类型、额定功率与运营单位，便于新能源汽车出行。",
            "tags": ["充电桩", "新能源", "交通"],
            "theme": "transport",
            "update_frequency": "weekly",
            "license_id": "cc-by",
            "spatial": ["440300"],
        },
    },
    {
        "resource": "GZ-SCJG-JYYC",
        "name": "guangzhou-abnormal-business-list",
        "values": {
            "title": "广州市市场主体经营异常名录",
            "notes": "列入和移出经营异常名录的市场主体、原因、决定机关和日期。",
            "tags": ["信用", "经营异常", "市场主体"],
            "theme": "credit",
            "update_frequency": "daily",
            "spatial": ["440100"],
        },
    },
    {
        "resource": "GZ-SCJG-SPJYXK",
        "name": "guangzhou-food-business-licenses",
        "values": {
            "title": "广州市食品经营许可信息",
            "notes": "食品经营许可证编号、经营者、经营场所、主体业态与有效期（有条件开放，法定代表人姓名不开放）。",
            "tags": ["食品", "许可", "食品安全"],
            "theme": "market",
            "update_frequency": "daily",
            "spatial": ["440100"],
        },
    },
]


def _usage(dataset: OpenDataset, rng: random.Random) -> None:
    today = timezone.localdate()
    rows = [
        UsageDay(
            dataset=dataset,
            day=today - dt.timedelta(days=back),
            views=rng.randrange(20, 300),
            downloads=rng.randrange(0, 40),
            api_calls=rng.randrange(0, 500),
        )
        for back in range(30, 0, -1)
    ]
    UsageDay.objects.bulk_create(rows, ignore_conflicts=True)
    totals = UsageDay.objects.filter(dataset=dataset).aggregate(v=Sum("views"), d=Sum("downloads"))
    OpenDataset.objects.filter(pk=dataset.pk).update(
        view_count=totals["v"] or 0, download_count=totals["d"] or 0
    )


def opendata_demo_seed(*, seed: int = 2021, **_options) -> str:
    rng = random.Random(f"opendata-{seed}")
    published: list[OpenDataset] = []
    for entry in DATASETS:
        if OpenDataset.objects.filter(name=entry["name"]).exists():
            continue
        resource = resource_by_code(code=entry["resource"])
        if resource is None or resource.status != "published":
            continue
        try:
            dataset = dataset_submit(
                principal=PUBLISHER,
                resource_code=entry["resource"],
                name=entry["name"],
                values=entry["values"],
            )
            dataset = dataset_review(
                principal=BUREAU, dataset_id=dataset.pk, approve=True, note="演示数据审核通过"
            )
        except DomainError:
            continue
        _usage(dataset, rng)
        published.append(dataset)
    if not published:
        return "已存在，跳过"
    first = published[0]
    request = data_request_submit(
        principal=VISITOR,
        title="广州市公交站点和线路数据",
        description="希望开放公交站点位置、线路走向和首末班时间，用于出行应用开发。",
    )
    data_request_answer(
        principal=BUREAU,
        request_id=request.pk,
        answer="已转交广州市交通运输局，列入下一批开放计划。",
        state="answered",
    )
    showcase = showcase_submit(
        principal=VISITOR,
        title="身边养老地图",
        description="在地图上查找附近的养老机构、床位数和服务电话，方便家属比较和预约参观。",
        url="https://example.org/elderly-map",
        dataset_names=[first.name],
    )
    showcase_moderate(principal=BUREAU, showcase_id=showcase.pk, approve=True)
    for dataset in published:
        rating_set(principal=VISITOR, dataset_name=dataset.name, score=rng.randrange(3, 6))
    comment = comment_post(
        principal=VISITOR, dataset_name=first.name, text="数据很实用，希望增加收费标准字段。"
    )
    comment_moderate(principal=BUREAU, comment_id=comment.pk, approve=True)
    conditional = sum(1 for d in published if d.open_condition == "conditional")
    return f"开放数据集 {len(published)} 个（有条件开放 {conditional} 个），数据需求 1 条，数据应用 1 个"
