"""Loading the region tree: the real GB/T 2260 file, and synthetic towns for the demo."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from .models import Region

DATA_FILE = Path(__file__).parent / "data" / "guangdong_gbt2260.csv"
_TOWN_SUFFIXES = ["街道", "镇", "镇", "街道", "镇"]
_TOWN_STEMS = [
    "东城",
    "西城",
    "南岗",
    "北滘",
    "新塘",
    "石龙",
    "龙山",
    "凤岗",
    "长安",
    "大岭",
    "平安",
    "和平",
    "太平",
    "金沙",
    "白云",
    "青山",
    "沙头",
    "水口",
    "黄埔",
    "石岩",
    "横沥",
    "清溪",
    "塘厦",
    "高埗",
    "麻涌",
    "望牛墩",
    "洪梅",
    "中堂",
    "道滘",
    "厚街",
    "虎门",
    "沙田",
]


@transaction.atomic
def regions_load(*, path: Path = DATA_FILE) -> int:
    """Create or update province, city and county rows from the GB/T 2260 file (in bulk,
    parents first: the file lists them in that order)."""
    with path.open(encoding="utf-8") as handle:
        rows = [
            Region(
                code=row["code"],
                name=row["name"],
                level=row["level"],
                parent_id=row["parent_code"] or None,
                longitude=row["longitude"] or None,
                latitude=row["latitude"] or None,
                is_synthetic=False,
            )
            for row in csv.DictReader(handle)
        ]
    Region.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent", "longitude", "latitude", "is_synthetic"],
    )
    return len(rows)


@transaction.atomic
def towns_synthesize(*, per_county: int = 4, seed: int = 2260) -> int:
    """Demo towns: 9-digit codes (county code + 001..), names marked synthetic. Cities
    without counties (东莞, 中山: 不设区的地级市) get their towns directly, as in GB/T 2260."""
    rng = random.Random(seed)
    towns = []
    with_counties = Region.objects.filter(level=Region.Level.COUNTY).values("parent_id")
    parents = Region.objects.filter(
        Q(level=Region.Level.COUNTY) | (Q(level=Region.Level.CITY) & ~Q(code__in=with_counties))
    ).order_by("code")
    for parent in parents:
        stems = rng.sample(_TOWN_STEMS, per_county)
        for index, stem in enumerate(stems, start=1):
            towns.append(
                Region(
                    code=f"{parent.code}{index:03d}",
                    name=f"{stem}{rng.choice(_TOWN_SUFFIXES)}",
                    level=Region.Level.TOWN,
                    parent=parent,
                    longitude=parent.longitude,
                    latitude=parent.latitude,
                    is_synthetic=True,
                )
            )
    Region.objects.bulk_create(towns, ignore_conflicts=True)
    return len(towns)


def regions_demo_seed(**_options) -> str:
    """The seed step: regions change only with the code, so an existing tree is kept."""
    if Region.objects.filter(level=Region.Level.TOWN).exists():
        return "已存在，跳过"
    return f"{regions_load()} 个县级以上，{towns_synthesize()} 个镇街"
