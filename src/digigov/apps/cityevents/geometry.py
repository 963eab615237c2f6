"""Where a point lies: Guangdong's 21 city polygons (the local GeoJSON the maps draw) and the
grids, as shapely prepared geometries cached per process. Grids sit in an STRtree so a point
is tested only against the few polygons whose boxes contain it; the cache is rebuilt when the
grid table changes (a cheap version query per lookup), so every process sees new grids."""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from shapely import STRtree, make_valid
from shapely.geometry import Point, shape
from shapely.ops import unary_union
from shapely.prepared import prep

GEOJSON = Path(settings.BASE_DIR) / "static" / "digigov" / "vendor" / "geo" / "guangdong.json"
EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class CityShapes:
    province: object  # prepared union of every city
    cities: list[tuple[str, object]]  # (adcode, prepared polygon)


@lru_cache(maxsize=1)
def city_shapes() -> CityShapes:
    features = json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]
    # The simplified outlines self-intersect in places: repaired before any set operation.
    polygons = [
        (str(f["properties"]["adcode"]), make_valid(shape(f["geometry"]))) for f in features
    ]
    return CityShapes(
        province=prep(unary_union([polygon for _, polygon in polygons]).buffer(0.002)),
        cities=[(code, prep(polygon)) for code, polygon in polygons],
    )


def city_polygon(adcode: str):
    """The raw (unprepared) polygon of a city, for seeding grids inside it."""
    for feature in json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]:
        if str(feature["properties"]["adcode"]) == adcode:
            return make_valid(shape(feature["geometry"]))
    return None


def city_of(lng: float, lat: float) -> str | None:
    """The adcode of the city containing the point, None when outside Guangdong. The
    province outline is slightly buffered: the GeoJSON is simplified at the coast."""
    shapes = city_shapes()
    point = Point(lng, lat)
    if not shapes.province.contains(point):
        return None
    for code, polygon in shapes.cities:
        if polygon.contains(point):
            return code
    # In the buffer along a simplified edge: the nearest city.
    return min(shapes.cities, key=lambda item: item[1].context.distance(point))[0]


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


class GridIndex:
    def __init__(self, version: tuple, grids: list[tuple[int, dict]]) -> None:
        self.version = version
        self.ids = [grid_id for grid_id, _ in grids]
        geometries = [shape(geometry) for _, geometry in grids]
        self.prepared = [prep(geometry) for geometry in geometries]
        self.tree = STRtree(geometries) if geometries else None

    def find(self, lng: float, lat: float) -> int | None:
        if self.tree is None:
            return None
        point = Point(lng, lat)
        for index in sorted(self.tree.query(point)):
            if self.prepared[index].covers(point):
                return self.ids[index]
        return None


_lock = threading.Lock()
_index: GridIndex | None = None


def grid_index(version: tuple, load) -> GridIndex:
    """The per-process index for this version of the grid table (`load()` -> [(id, geojson)])."""
    global _index
    with _lock:
        if _index is None or _index.version != version:
            _index = GridIndex(version, load())
        return _index
