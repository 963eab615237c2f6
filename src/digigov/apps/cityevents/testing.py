"""Test data for 城市事件: regions with synthetic towns, organizations down to towns, the
type catalogue, 天河区's demo grids, and staff for each role — made through the services."""

from __future__ import annotations

from dataclasses import dataclass

from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.services import regions_load, towns_synthesize
from digigov.support.identity.testing import principal_of, staff_make

from .models import Grid, GridWorker
from .services.catalog import event_types_seed
from .services.demo import demo_grids_seed, demo_png

# A point in 天河区's first demo grid is computed; these are fixed points elsewhere.
GUANGZHOU_POINT = (113.30, 23.40)  # 广州 north (花都/白云), outside the demo grids
SHENZHEN_POINT = (114.06, 22.55)
BEIJING_POINT = (116.40, 39.90)
HONG_KONG_POINT = (114.17, 22.30)


def photo(seed: int = 1) -> tuple[str, bytes]:
    return (f"photo-{seed}.png", demo_png(seed))


@dataclass
class World:
    grid: Grid
    grid_point: tuple[float, float]
    worker: object
    worker_principal: Principal


def world_make() -> World:
    """Regions, organizations, types and the demo grids of 天河区 (with their workers)."""
    regions_load()
    towns_synthesize()
    organizations_seed()
    event_types_seed()
    demo_grids_seed()
    grid = Grid.objects.filter(town__parent_id="440106").order_by("code").first()
    from shapely.geometry import shape

    point = shape(grid.geometry).representative_point()
    worker = GridWorker.objects.filter(grid=grid).select_related("account").first().account
    return World(
        grid=grid,
        grid_point=(round(point.x, 6), round(point.y, 6)),
        worker=worker,
        worker_principal=principal_of(worker),
    )


def staff_principal(username: str, organization_code: str, roles: tuple[str, ...]) -> Principal:
    account = staff_make(username, organization_code=organization_code, roles=roles)
    return principal_of(account)
