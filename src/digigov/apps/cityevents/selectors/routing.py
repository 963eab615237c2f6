"""Routing: where an event lies (city -> county -> town -> village, from its grid or the
nearest region) and who handles it at which of the five levels. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Max

from digigov.kernel.errors import ValidationFailed
from digigov.kernel.organizations.models import Organization
from digigov.kernel.regions.models import Region

from .. import geometry
from ..models import LEVEL_ORDER, REGION_LEVELS, EventType, Grid

COMMAND_FUNCTION = "zsj"  # the 政务服务数据管理局 runs each level's 城市运行管理中心 (一网统管)
TOWN_FUNCTION = "gov"  # a town's government handles everything at town level (综合执法)


@dataclass(frozen=True)
class Location:
    lng: float
    lat: float
    city_code: str
    county_code: str
    town_code: str
    region_code: str  # the finest known: village (grid), town, county or city
    grid_id: int | None


def _coordinate(value, *, field: str, low: float, high: float, label: str) -> float:
    try:
        number = float(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        number = float("nan")
    if not (low <= number <= high):
        raise ValidationFailed(
            f"{label}无效，应为 {low} 至 {high} 之间的数值",
            code="cityevents/bad_coordinate",
            fields={field: [f"{label}无效"]},
        )
    return round(number, 6)


def _grid_rows() -> list[tuple[int, dict]]:
    return list(Grid.objects.filter(is_active=True).values_list("pk", "geometry"))


def grid_at(lng: float, lat: float) -> int | None:
    """The id of the active grid containing the point (shapely, STRtree, cached per process)."""
    version = tuple(
        Grid.objects.filter(is_active=True)
        .aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
        .values()
    )
    return geometry.grid_index(version, _grid_rows).find(lng, lat)


def locate(lng, lat) -> Location:
    """Resolve a WGS-84 point; outside Guangdong is refused with the reason."""
    lng = _coordinate(lng, field="lng", low=-180, high=180, label="经度")
    lat = _coordinate(lat, field="lat", low=-90, high=90, label="纬度")
    city_code = geometry.city_of(lng, lat)
    if city_code is None:
        message = f"位置（经度 {lng}，纬度 {lat}）不在广东省范围内，本平台只受理广东省内的城市事件"
        raise ValidationFailed(
            message, code="cityevents/outside_guangdong", fields={"location": [message]}
        )
    grid_id = grid_at(lng, lat)
    if grid_id is not None:
        grid = Grid.objects.select_related("town").get(pk=grid_id)
        town = grid.town
        county_code = town.parent_id if town.parent_id and len(town.parent_id) == 6 else ""
        if county_code and county_code.endswith("00"):  # 东莞, 中山: towns directly under the city
            county_code = ""
        return Location(
            lng=lng,
            lat=lat,
            city_code=f"{town.code[:4]}00",
            county_code=county_code,
            town_code=town.code,
            region_code=grid.region_id or town.code,
            grid_id=grid.pk,
        )
    counties = [
        region
        for region in Region.objects.filter(
            parent_id=city_code, level=Region.Level.COUNTY, longitude__isnull=False
        )
    ]
    if not counties:
        return Location(lng, lat, city_code, "", "", city_code, None)
    nearest = min(
        counties,
        key=lambda r: geometry.distance_m(lng, lat, float(r.longitude), float(r.latitude)),
    )
    return Location(lng, lat, city_code, nearest.code, "", nearest.code, None)


def handling_level_for(*, event_type: EventType, level: str, escalations: int = 0) -> str:
    """The type's default handling level, raised one step per event level above 一般 and per
    escalation; 特别重大 always goes to the province."""
    if level == "especially_major":
        return "province"
    index = REGION_LEVELS.index(event_type.handling_level)
    raise_by = LEVEL_ORDER.index(level) + escalations if level in LEVEL_ORDER else escalations
    return REGION_LEVELS[max(0, index - raise_by)]


def _region_at(location: Location, level: str) -> tuple[str, str]:
    """(region code, actual level) at `level`, falling back upward where it is unknown."""
    chain = {
        "province": "440000",
        "city": location.city_code,
        "county": location.county_code,
        "town": location.town_code,
    }
    start = REGION_LEVELS.index(level) if level in chain else REGION_LEVELS.index("town")
    for candidate in reversed(REGION_LEVELS[: start + 1]):
        if chain.get(candidate):
            return chain[candidate], candidate
    return "440000", "province"


def _organization(location: Location, level: str, function_for) -> Organization:
    """The active organization of the function at `level` for the location, climbing up when
    that level has none (counties keep only the main lines)."""
    index = REGION_LEVELS.index(level)
    codes = []
    for candidate in reversed(REGION_LEVELS[: index + 1]):
        region_code, actual = _region_at(location, candidate)
        if actual != candidate:
            continue
        codes.append(f"{region_code}-{function_for(actual)}")
    found = {org.code: org for org in Organization.objects.filter(code__in=codes, is_active=True)}
    for code in codes:
        if code in found:
            return found[code]
    raise ValidationFailed(
        "找不到负责该事件的机构，请先初始化组织机构",
        code="cityevents/no_organization",
    )


def route(*, location: Location, event_type: EventType, handling_level: str):
    """(command organization, handling organization) at the handling level."""

    def department(level: str) -> str:
        by_level = event_type.department_by_level or {}
        if level in by_level:
            return by_level[level]
        return TOWN_FUNCTION if level == "town" else event_type.department_function

    def command(level: str) -> str:
        return TOWN_FUNCTION if level == "town" else COMMAND_FUNCTION

    return (
        _organization(location, handling_level, command),
        _organization(location, handling_level, department),
    )


def location_of_event(event) -> Location:
    return Location(
        lng=float(event.longitude),
        lat=float(event.latitude),
        city_code=event.city_code,
        county_code=event.county_code,
        town_code=event.town_code,
        region_code=event.region_id,
        grid_id=event.grid_id,
    )
