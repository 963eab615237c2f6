"""Grids (网格): create or redraw a grid, assign grid workers, and the demo tiling (squares
of a town's area, clipped to the city's polygon in the local GeoJSON)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from shapely.geometry import box, mapping, shape

from digigov.kernel.audit.services import audit_as
from digigov.kernel.errors import NotFound, PermissionDenied, ValidationFailed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region

from .. import geometry
from ..models import Grid, GridWorker


def _require_manager(principal: Principal) -> None:
    if principal.kind not in ("staff", "system") or (
        principal.kind == "staff" and not principal.has_perm("cityevents.manage_grid")
    ):
        raise PermissionDenied("只有网格管理员可以维护网格", code="cityevents/no_grid_manage")


def _check_geometry(geojson: Any) -> dict:
    try:
        polygon = shape(geojson)
    except Exception:  # shapely raises several types for malformed input
        polygon = None
    if polygon is None or polygon.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValidationFailed(
            "网格边界应为 GeoJSON 多边形",
            code="cityevents/bad_geometry",
            fields={"geometry": ["无效"]},
        )
    if not polygon.is_valid or polygon.is_empty:
        raise ValidationFailed(
            "网格边界自相交或为空", code="cityevents/bad_geometry", fields={"geometry": ["无效"]}
        )
    point = polygon.representative_point()
    if geometry.city_of(point.x, point.y) is None:
        raise ValidationFailed(
            "网格不在广东省范围内",
            code="cityevents/outside_guangdong",
            fields={"geometry": ["无效"]},
        )
    return mapping(polygon)


def grid_save(
    *,
    principal: Principal,
    code: str,
    name: str,
    town_code: str,
    geojson: dict,
    village_code: str = "",
) -> Grid:
    """Create or redraw a grid (12-digit code under its 9-digit town)."""
    _require_manager(principal)
    if not (len(code) == 12 and code.isdigit() and code.startswith(town_code)):
        raise ValidationFailed(
            "网格编码应为所属镇街代码加 3 位数字（共 12 位）",
            code="cityevents/bad_grid_code",
            fields={"code": ["无效"]},
        )
    town = Region.objects.filter(code=town_code, level=Region.Level.TOWN).first()
    if town is None:
        raise NotFound("镇街不存在", code="cityevents/unknown_town")
    cleaned = _check_geometry(geojson)
    with transaction.atomic():
        grid, created = Grid.objects.update_or_create(
            code=code,
            defaults={
                "name": (name or code)[:80],
                "town": town,
                "region_id": village_code or None,
                "geometry": cleaned,
                "is_active": True,
            },
        )
        audit_as(
            principal,
            action="cityevents.grid.create" if created else "cityevents.grid.update",
            object_type="cityevents.grid",
            object_id=code,
        )
    return grid


def grid_worker_assign(*, principal: Principal, grid_code: str, username: str) -> GridWorker:
    _require_manager(principal)
    grid = Grid.objects.filter(code=grid_code).first()
    account = get_user_model().objects.filter(username=username, is_active=True).first()
    if grid is None or account is None:
        raise NotFound("网格或账号不存在", code="cityevents/not_found")
    if getattr(account, "kind", "staff") != "staff":
        raise ValidationFailed("网格员须为公职人员账号", code="cityevents/not_staff")
    with transaction.atomic():
        worker, _ = GridWorker.objects.get_or_create(grid=grid, account=account)
        audit_as(
            principal,
            action="cityevents.grid.assign",
            object_type="cityevents.grid",
            object_id=grid_code,
            detail={"account_id": account.pk},
        )
    return worker


def grid_tiles(*, county_code: str, towns: list[Region], per_side: int = 2, cell: float = 0.01):
    """Demo tiling: around the county's centre, each town a block of per_side x per_side
    squares (cell degrees wide), each square clipped to the city polygon. Yields
    (town, index, polygon)."""
    county = Region.objects.get(code=county_code)
    city = geometry.city_polygon(county.parent_id)
    blocks = max(1, int(len(towns) ** 0.5 + 0.999))
    left = float(county.longitude) - blocks * per_side * cell / 2
    bottom = float(county.latitude) - blocks * per_side * cell / 2
    for town_index, town in enumerate(towns):
        bx, by = town_index % blocks, town_index // blocks
        index = 0
        for row in range(per_side):
            for column in range(per_side):
                x = left + (bx * per_side + column) * cell
                y = bottom + (by * per_side + row) * cell
                square = box(x, y, x + cell, y + cell)
                clipped = square.intersection(city) if city is not None else square
                if clipped.is_empty or clipped.area < square.area * 0.2:
                    continue
                if clipped.geom_type != "Polygon":
                    clipped = max(getattr(clipped, "geoms", [clipped]), key=lambda g: g.area)
                index += 1
                yield town, index, clipped
