"""Deterministic demo records: valid ID numbers and USCCs, Chinese names, addresses inside
the record's region, phones. Pure functions of (seed, region list): no database here.

ID numbers come from their own random stream, independent of names, addresses and towns,
so `demo_person_id_numbers` can name the first demo people without generating the rest.
Check digits are computed by python-stdnum, never by hand.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from faker.providers.person.zh_CN import Provider as ZhPersonNames
from stdnum.cn import ric, uscc

from .constants import USCC_PREFIXES_BY_TYPE
from .rows import place_valid, resident_id

# Fixed ends, so that the same seed gives the same people whatever the date today.
_BIRTH_FIRST = dt.date(1935, 1, 1)
_BIRTH_LAST = dt.date(2024, 12, 31)
_ESTABLISHED_FIRST = dt.date(1988, 1, 1)
_ESTABLISHED_LAST = dt.date(2024, 12, 31)
_TODAY = dt.date(2025, 1, 1)
ADULT_BORN_BY = "2004-12-31"  # ISO date text: legal representatives are adults

_ROADS = (
    "中山路",
    "人民路",
    "解放路",
    "建设路",
    "环市路",
    "东风路",
    "新港路",
    "滨江路",
    "沿江路",
    "天河路",
    "前进路",
    "工业大道",
    "迎宾路",
    "府前路",
    "文明路",
    "和平路",
    "青年路",
    "朝阳路",
    "江南大道",
    "花城大道",
    "五一路",
    "新华路",
    "南华路",
    "金沙路",
    "龙华路",
    "学府路",
    "振兴路",
    "康乐路",
    "荔枝湾路",
    "桂花路",
    "凤凰路",
    "海滨路",
    "站前路",
    "华侨路",
    "育才路",
)
_VILLAGE_PARTS = ("村", "社区", "新村", "花园", "小区")
_BRANDS = (
    "恒达",
    "鸿运",
    "粤丰",
    "华盛",
    "联创",
    "宏图",
    "金穗",
    "南方",
    "岭南",
    "广信",
    "富源",
    "嘉禾",
    "骏业",
    "汇通",
    "正和",
    "安泰",
    "明德",
    "启航",
    "星河",
    "海纳",
    "睿智",
    "诚信",
    "永利",
    "卓越",
    "新锐",
    "绿源",
    "天成",
    "润泽",
    "东升",
    "瑞丰",
)
_TRADES = (
    "科技",
    "贸易",
    "电子",
    "物流",
    "餐饮管理",
    "建材",
    "服装",
    "信息技术",
    "文化传播",
    "食品",
    "医疗器械",
    "五金",
    "家具",
    "环保",
    "新能源",
    "咨询",
)
_SHOP_TRADES = ("士多店", "五金店", "餐馆", "理发店", "水果店", "茶餐厅", "便利店", "维修部")
_INSTITUTIONS = (
    "公共资源交易中心",
    "政务服务中心",
    "第二人民医院",
    "实验学校",
    "疾病预防控制中心",
    "图书馆",
    "不动产登记中心",
    "农业技术推广中心",
)
_SOCIETIES = ("商会", "行业协会", "慈善会", "志愿者协会", "老年人协会", "体育协会")
_ETHNIC_WEIGHTS = (
    ("汉族", 940),
    ("壮族", 18),
    ("瑶族", 8),
    ("畲族", 4),
    ("回族", 5),
    ("满族", 5),
    ("苗族", 7),
    ("土家族", 7),
    ("侗族", 3),
    ("布依族", 2),
    ("黎族", 1),
)
_ENTITY_TYPE_WEIGHTS = (
    ("有限责任公司", 48),
    ("个体工商户", 26),
    ("股份有限公司", 4),
    ("个人独资企业", 5),
    ("合伙企业", 4),
    ("农民专业合作社", 5),
    ("事业单位", 5),
    ("社会组织", 3),
)
_STATUS_WEIGHTS = (("存续", 68), ("在业", 17), ("吊销", 5), ("注销", 8), ("迁出", 2))
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
_USCC_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# The legal representatives of the first entities are these demo people, so that the demo
# enterprise login can be bound to the first entity through its legal representative.
FIRST_ENTITY_REP_OFFSET = 2


@dataclass(frozen=True)
class Place:
    code: str
    county_code: str
    city_name: str  # 广州市
    county_name: str  # 越秀区 (empty for a city without counties, such as 东莞市)
    full_name: str  # 广东省广州市越秀区[东山街道]


@dataclass(frozen=True)
class RegionSet:
    """Counties (code -> Place) and their towns, as loaded in kernel.regions."""

    counties: tuple[Place, ...]
    towns: dict[str, tuple[Place, ...]]  # county code -> its towns


def _weighted(pairs):
    values = [value for value, _ in pairs]
    weights = [weight for _, weight in pairs]
    return values, weights


_ETHNIC_VALUES, _ETHNIC_W = _weighted(_ETHNIC_WEIGHTS)
_TYPE_VALUES, _TYPE_W = _weighted(_ENTITY_TYPE_WEIGHTS)
_STATUS_VALUES, _STATUS_W = _weighted(_STATUS_WEIGHTS)
_SURNAMES, _SURNAME_W = _weighted(list(ZhPersonNames.last_names.items()))
_SURNAME_CUM = list(itertools.accumulate(_SURNAME_W))


def _random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def person_ids(*, seed: int, regions: RegionSet) -> Iterator[str]:
    """The endless, deterministic stream of demo ID numbers (unique, valid)."""
    rng = random.Random(f"registry-ids-{seed}")
    seen: set[str] = set()
    county_codes = [place.code for place in regions.counties]
    while True:
        code = rng.choice(county_codes)
        birth = _random_date(rng, _BIRTH_FIRST, _BIRTH_LAST)
        if not place_valid(code, birth.year):  # the county code must have existed at birth
            continue
        male = rng.random() < 0.5
        order = rng.randrange(0, 50) * 2 + (1 if male else 0)
        body = f"{code}{birth:%Y%m%d}{rng.randrange(10)}{order:02d}"
        number = body + ric.calc_check_digit(body + "0")
        if number in seen:
            continue
        resident_id(number, _TODAY)  # computed valid: this only guards the generator
        seen.add(number)
        yield number


def first_person_ids(*, seed: int, regions: RegionSet, count: int) -> list[str]:
    stream = person_ids(seed=seed, regions=regions)
    return [next(stream) for _ in range(count)]


def _address(rng: random.Random, place: Place, *, dwelling: bool) -> str:
    road = rng.choice(_ROADS)
    number = rng.randrange(1, 400)
    if rng.random() < 0.2:
        estate = f"{rng.choice(_BRANDS)}{rng.choice(_VILLAGE_PARTS)}"
        road = f"{estate}{road}"
    if dwelling:
        return (
            f"{place.full_name}{road}{number}号{rng.randrange(1, 30)}栋"
            f"{rng.randrange(1, 33)}{rng.randrange(1, 9):02d}房"
        )
    return f"{place.full_name}{road}{number}号{rng.randrange(1, 25)}楼{rng.randrange(1, 20):02d}室"


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(_MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def _place_for(rng: random.Random, regions: RegionSet, county: Place) -> Place:
    towns = regions.towns.get(county.code, ())
    if towns and rng.random() < 0.7:
        return rng.choice(towns)
    return county


class _Names:
    """Chinese names from Faker's zh_CN name lists (surnames weighted by frequency), drawn
    with our own seeded generator: deterministic, and 10x faster than Faker's name()."""

    def __init__(self) -> None:
        self.male = ZhPersonNames.first_names_male
        self.female = ZhPersonNames.first_names_female

    def name(self, rng: random.Random, *, male: bool) -> str:
        surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]
        pool = self.male if male else self.female
        given = rng.choice(pool)
        if len(given) == 1 and rng.random() < 0.7:
            given += rng.choice(pool)[-1]
        return surname + given


def people(*, seed: int, regions: RegionSet, count: int) -> Iterator[dict[str, str]]:
    """Demo people as CSV-ready rows (column name -> text)."""
    names = _Names()
    rng = random.Random(f"registry-people-{seed}")
    county_index = {place.code: place for place in regions.counties}
    ids = person_ids(seed=seed, regions=regions)
    for _ in range(count):
        number = next(ids)
        male = int(number[16]) % 2 == 1
        # most people live in the county of their ID number; some moved elsewhere
        county = county_index.get(number[:6]) if rng.random() < 0.8 else None
        home = _place_for(rng, regions, county or rng.choice(regions.counties))
        yield {
            "id_number": number,
            "name": names.name(rng, male=male),
            "gender": "男" if male else "女",
            "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
            "ethnicity": rng.choices(_ETHNIC_VALUES, _ETHNIC_W)[0],
            "household_region": home.code,
            "residence_address": _address(rng, home, dwelling=True),
            "phone": _phone(rng) if rng.random() < 0.95 else "",
        }


def _entity_name(rng: random.Random, entity_type: str, place: Place) -> str:
    brand, trade = rng.choice(_BRANDS), rng.choice(_TRADES)
    city, county = place.city_name, place.county_name or place.city_name
    if entity_type == "有限责任公司":
        return f"{city}{brand}{trade}有限公司"
    if entity_type == "股份有限公司":
        return f"广东{brand}{trade}股份有限公司"
    if entity_type == "个人独资企业":
        return f"{city}{place.county_name}{brand}{trade}商行"
    if entity_type == "合伙企业":
        return f"{city}{brand}投资合伙企业（有限合伙）"
    if entity_type == "个体工商户":
        return f"{county}{rng.choice(_SURNAMES)}记{rng.choice(_SHOP_TRADES)}"
    if entity_type == "农民专业合作社":
        return f"{county}{brand}种养专业合作社"
    if entity_type == "事业单位":
        return f"{city}{place.county_name}{rng.choice(_INSTITUTIONS)}"
    return f"{city}{place.county_name}{trade}{rng.choice(_SOCIETIES)}"


def _capital(rng: random.Random, entity_type: str) -> str:
    if entity_type == "个体工商户":
        return ""
    if entity_type == "社会组织":
        return str(rng.choice((3, 5, 10, 20)))
    if entity_type == "股份有限公司":
        return str(rng.choice((1000, 3000, 5000, 10000, 50000)))
    return str(rng.choice((1, 3, 5, 10, 30, 50, 100, 200, 500, 1000, 2000)))


def entity_codes(*, seed: int, regions: RegionSet) -> Iterator[tuple[str, Place, str]]:
    """The deterministic stream of (entity type, county, USCC), unique, from its own
    random stream so that the codes do not depend on names or representatives."""
    rng = random.Random(f"registry-uscc-{seed}")
    seen: set[str] = set()
    while True:
        entity_type = rng.choices(_TYPE_VALUES, _TYPE_W)[0]
        county = rng.choice(regions.counties)
        prefix = rng.choice(USCC_PREFIXES_BY_TYPE[entity_type])
        body = "".join(rng.choice(_USCC_BODY) for _ in range(9))
        first17 = f"{prefix}{county.code}{body}"
        code = first17 + uscc.calc_check_digit(first17)
        if code not in seen:
            seen.add(code)
            yield entity_type, county, code


def entities(
    *, seed: int, regions: RegionSet, count: int, representatives: list[tuple[str, str]]
) -> Iterator[dict[str, str]]:
    """Demo entities as CSV-ready rows; representatives are (ID number, name) of people."""
    rng = random.Random(f"registry-entities-{seed}")
    codes = entity_codes(seed=seed, regions=regions)
    for index in range(count):
        entity_type, county, code = next(codes)
        place = _place_for(rng, regions, county)
        if index < 10:
            rep = representatives[(index + FIRST_ENTITY_REP_OFFSET) % len(representatives)]
            status = "存续"
        else:
            rep = rng.choice(representatives)
            status = rng.choices(_STATUS_VALUES, _STATUS_W)[0]
        yield {
            "uscc": code,
            "name": _entity_name(rng, entity_type, place),
            "entity_type": entity_type,
            "legal_rep_name": rep[1],
            "legal_rep_id_number": rep[0],
            "registered_capital": _capital(rng, entity_type),
            "address": _address(rng, place, dwelling=False),
            "region": place.code,
            "status": status,
            "established_date": _random_date(
                rng, _ESTABLISHED_FIRST, _ESTABLISHED_LAST
            ).isoformat(),
        }


def first_entity_usccs(*, seed: int, regions: RegionSet, count: int) -> list[str]:
    codes = entity_codes(seed=seed, regions=regions)
    return [next(codes)[2] for _ in range(count)]
