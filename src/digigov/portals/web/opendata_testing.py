"""Test data for the 开放广东 page tests and browser tests, made through the services a
person's actions go through: real staff accounts (a publisher at 广州市市场监督管理局, a
reviewer at the provincial data bureau), a catalog resource with personal fields, and open
datasets submitted by the publisher and approved by the reviewer."""

from __future__ import annotations

from dataclasses import dataclass

from digigov.data.opendata.models import OpenDataset
from digigov.data.opendata.services.publishing import dataset_review, dataset_submit
from digigov.data.opendata.tests.factories import catalog_resource
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load
from digigov.support.identity import testing as identity_testing

PUBLISHER_ORG = "440100-scjg"  # 广州市市场监督管理局
BUREAU_ORG = "440000-zsj"  # 广东省政务服务数据管理局
SHOPS_TITLE = "广州市便利店名录"


def departments_make() -> None:
    if not Region.objects.filter(code="440000").exists():
        regions_load()
    if not Organization.objects.filter(code=PUBLISHER_ORG).exists():
        organizations_seed(county_level=False, town_level=False)


@dataclass
class OpenWorld:
    publisher: object  # identity Account with `.device`
    reviewer: object
    clerk: object  # a civil servant without any opendata permission


def world_make(prefix: str = "od") -> OpenWorld:
    departments_make()
    make = identity_testing.staff_make
    return OpenWorld(
        publisher=make(
            f"{prefix}_publisher",
            organization_code=PUBLISHER_ORG,
            roles=["开放数据发布人员"],
            real_name="黄发布",
        ),
        reviewer=make(
            f"{prefix}_reviewer",
            organization_code=BUREAU_ORG,
            roles=["开放数据审核人员"],
            real_name="罗审核",
        ),
        clerk=make(
            f"{prefix}_clerk",
            organization_code=PUBLISHER_ORG,
            roles=["窗口受理人员"],
            real_name="陈窗口",
        ),
    )


def shops_submit(
    world: OpenWorld,
    *,
    code: str = "GZ-SCJG-SHOPS",
    name: str = "guangzhou-shops",
    open_condition: str = "unconditional",
    title: str = SHOPS_TITLE,
    rows: int = 30,
) -> OpenDataset:
    """A catalog resource of shops (owner's name and phone are personal/sensitive) submitted
    by the publisher as an open dataset."""
    catalog_resource(code=code, open_condition=open_condition, rows=rows)
    return dataset_submit(
        principal=identity_testing.principal_of(world.publisher),
        resource_code=code,
        name=name,
        values={
            "title": title,
            "notes": "广州市便利店的名称、所在区、开业日期和从业人数。",
            "tags": ["便利店", "商业网点"],
            "theme": "market",
            "update_frequency": "monthly",
            "spatial": ["440100"],
            "temporal_start": "2020-01-01",
        },
    )


def shops_publish(world: OpenWorld, **kwargs) -> OpenDataset:
    dataset = shops_submit(world, **kwargs)
    return dataset_review(
        principal=identity_testing.principal_of(world.reviewer),
        dataset_id=dataset.pk,
        approve=True,
        note="同意开放",
    )
