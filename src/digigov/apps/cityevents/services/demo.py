"""Demo data (seed step 62): the event-type catalogue, grids tiling the synthetic towns of
天河区 and 越秀区 (Guangzhou) and 福田区 (Shenzhen) with village-level (12-digit) communities,
a grid worker per town, command-centre and department staff, and ~50 events in every stage
across the cities, driven through the same services as everything else."""

from __future__ import annotations

import random
import struct
import zlib
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from shapely.geometry import mapping

from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region
from digigov.support.identity import services as identity

from .. import geometry
from ..models import CityEvent, EventReporter, Grid, GridWorker
from ..selectors.events import ACTIONS
from .catalog import event_types_seed
from .events import city_event_act, city_event_report
from .grids import grid_tiles

SYSTEM = Principal(kind="system", id="cityevents_demo", label="演示数据")
DEMO_COUNTIES = ("440106", "440104", "440304")
_VILLAGE_STEMS = ["东", "西", "南", "北", "新", "华", "景", "龙", "凤", "金", "银", "石"]

# username -> (organization code, roles, real name, label for `digigov demo_logins`)
DEMO_STAFF: dict[str, tuple[str, list[str], str, str]] = {
    "th_dispatcher": ("440106-zsj", ["城市事件指挥调度人员"], "陈调度", "天河区 城市事件指挥调度"),
    "gz_cgj_handler": ("440100-cgj", ["城市事件处置人员"], "梁城管", "广州城管 城市事件处置"),
    "gz_jtt_handler": ("440100-jtt", ["城市事件处置人员"], "黄交通", "广州交通 城市事件处置"),
    "gz_dispatcher": ("440100-zsj", ["城市事件指挥调度人员"], "何指挥", "广州市 城市事件指挥调度"),
    "th_town_handler": (
        "440106001-gov",
        ["城市事件指挥调度人员", "城市事件处置人员"],
        "林镇街",
        "天河区首个镇街 事件调度与处置",
    ),
    "gd_event_admin": ("440000-zsj", ["城市事件管理员"], "吴管理", "省级 事件类型与网格管理"),
}
GRID_WORKER_PREFIX = "grid_"  # grid_440106001 ... one per demo town


def demo_png(seed: int = 0, size: int = 8) -> bytes:
    """A tiny valid PNG (a coloured square): photo evidence for the demo and the tests."""
    rng = random.Random(seed)
    colour = bytes(rng.randrange(256) for _ in range(3))
    raw = b"".join(b"\x00" + colour * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _staff_account(username: str, org_code: str, roles: list[str], name: str):
    account, _ = identity.demo_staff_account(
        username=username, org_code=org_code, roles=roles, name=name, add_roles=False
    )
    return account


def demo_grids_seed() -> int:
    """Village regions and grids for the demo towns (idempotent), and a worker per town."""
    made = 0
    identity.roles_seed()
    for county_code in DEMO_COUNTIES:
        towns = list(Region.objects.filter(parent_id=county_code, level=Region.Level.TOWN))
        if not towns:
            continue
        for town, index, polygon in grid_tiles(county_code=county_code, towns=towns):
            code = f"{town.code}{index:03d}"
            if Grid.objects.filter(code=code).exists():
                continue
            village, _ = Region.objects.get_or_create(
                code=code,
                defaults={
                    "name": f"{_VILLAGE_STEMS[(int(code) + index) % len(_VILLAGE_STEMS)]}{index}社区",
                    "level": Region.Level.VILLAGE,
                    "parent": town,
                    "longitude": round(polygon.centroid.x, 6),
                    "latitude": round(polygon.centroid.y, 6),
                    "is_synthetic": True,
                },
            )
            Grid.objects.create(
                code=code,
                name=f"{town.name}{village.name}网格",
                town=town,
                region=village,
                geometry=mapping(polygon),
            )
            made += 1
        for town in towns:
            username = f"{GRID_WORKER_PREFIX}{town.code}"
            account = _staff_account(
                username, f"{town.code}-gov", ["网格员"], f"网格员{town.code[-3:]}"
            )
            if account is None:
                continue
            for grid in Grid.objects.filter(town=town):
                GridWorker.objects.get_or_create(grid=grid, account=account)
    return made


def _random_point(rng: random.Random, city_code: str) -> tuple[float, float]:
    polygon = geometry.city_polygon(city_code)
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(200):
        lng, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if geometry.city_of(lng, lat) == city_code:
            return round(lng, 6), round(lat, 6)
    point = polygon.representative_point()
    return point.x, point.y


def _grid_point(rng: random.Random, grid: Grid) -> tuple[float, float]:
    from shapely.geometry import Point, shape

    polygon = shape(grid.geometry)
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(100):
        lng, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if polygon.contains(Point(lng, lat)):
            return round(lng, 6), round(lat, 6)
    point = polygon.representative_point()
    return point.x, point.y


def _acting(event: CityEvent, action: str) -> Principal:
    """A principal responsible for the event's current stage (the demo plays every role)."""
    _, _, permission, who = ACTIONS[action]
    organization_id = (
        event.handling_organization_id if who == "handling" else event.command_organization_id
    )
    person_id = "0"
    if who == "verifier" and event.grid_id:
        worker = GridWorker.objects.filter(grid_id=event.grid_id).first()
        person_id = str(worker.account_id) if worker else "0"
    return Principal(
        kind="staff",
        id=person_id,
        label="演示工作人员",
        organization_id=organization_id,
        permissions=frozenset({permission}),
    )


# The path to each target stage, as actions.
PATHS: dict[str, list[str]] = {
    "reported": [],
    "registered": ["register"],
    "dispatched": ["register", "dispatch"],
    "handled": ["register", "dispatch", "handle"],
    "verified": ["register", "dispatch", "handle", "verify"],
    "closed": ["register", "dispatch", "handle", "verify", "close"],
    "rejected": ["reject"],
}
TITLES = {
    "cityapp.garbage": "小区门口垃圾堆积未清运",
    "cityapp.street_vendor": "人行道占道经营",
    "roads.pothole": "路面坑洼，车辆颠簸",
    "facilities.manhole": "井盖缺失，存在安全隐患",
    "facilities.streetlight": "路灯连续多晚不亮",
    "eco.sewage": "河涌排口有污水直排",
    "market.food_safety": "流动摊贩售卖无证熟食",
    "water.flooding": "暴雨后路口积水",
    "env.noise": "夜间施工噪声扰民",
    "roads.illegal_parking": "车辆长期占用消防通道停放",
}


def cityevents_demo_seed(*, seed: int = 2021, **_options: Any) -> str:
    """The seed step (order 62). Idempotent: events are made once."""
    types = event_types_seed()
    grids = demo_grids_seed()
    identity.demo_staff_ensure(staff=DEMO_STAFF, add_roles=False)
    if CityEvent.objects.filter(external_ref__startswith="demo-").exists():
        return f"{types}；网格 {grids} 个；演示事件已存在，跳过"
    rng = random.Random(seed)
    now = timezone.now()
    demo_citizen = get_user_model().objects.filter(username="citizen").first()
    citizen = demo_citizen.as_principal() if demo_citizen is not None else None
    cities = list(
        Region.objects.filter(level=Region.Level.CITY)
        .order_by("code")
        .values_list("code", flat=True)
    )
    grid_list = list(Grid.objects.order_by("code"))
    stages = list(PATHS)
    made = 0
    for index in range(50):
        type_code = list(TITLES)[index % len(TITLES)]
        if index < 24 and grid_list:
            lng, lat = _grid_point(rng, grid_list[index % len(grid_list)])
        else:
            lng, lat = _random_point(rng, cities[index % len(cities)])
        started = now - timedelta(hours=rng.randint(2, 240))
        source = ("citizen", "grid_worker", "hotline", "sensor")[index % 4]
        ref = city_event_report(
            source="hotline" if source in ("citizen", "grid_worker") else source,
            event_type_code=type_code,
            lng=lng,
            lat=lat,
            title=TITLES[type_code],
            description="演示数据：由种子脚本生成的城市事件。",
            level="larger" if index % 11 == 0 else "general",
            external_ref=f"demo-{index}",
            now=started,
        )
        CityEvent.objects.filter(pk=ref.id).update(source=source)
        if source == "citizen" and citizen is not None:
            # The demo citizen's 随手拍 reports, so that "my reports" shows their progress.
            CityEvent.objects.filter(pk=ref.id).update(
                reporter_actor=citizen.actor, reporter_label=citizen.label[:80]
            )
            EventReporter.objects.get_or_create(
                event_id=ref.id, actor=citizen.actor, defaults={"label": citizen.label[:80]}
            )
        target = stages[index % len(stages)]
        moment = started
        for step, action in enumerate(PATHS[target]):
            moment = moment + timedelta(hours=rng.uniform(0.2, 6))
            if moment > now:
                moment = now
            event = CityEvent.objects.get(pk=ref.id)
            photos = [(f"demo-{index}-{step}.png", demo_png(index * 10 + step))]
            city_event_act(
                principal=_acting(event, action),
                number=ref.number,
                action=action,
                note="演示：核实情况" if action in ("reject", "return", "verify_fail") else "",
                photos=photos if action in ("handle", "verify", "verify_fail") else (),
                now=moment,
            )
        made += 1
    return f"{types}；网格 {grids} 个；演示事件 {made} 件"
