"""Seeding departments: the provincial ones the plan names and their city counterparts."""

from __future__ import annotations

from django.db import transaction

from digigov.kernel.regions.models import Region

from .models import Organization

# (function line, provincial name, city-level name pattern)
DEPARTMENTS: list[tuple[str, str, str]] = [
    ("zsj", "广东省政务服务数据管理局", "{city}政务服务数据管理局"),
    ("gat", "广东省公安厅", "{city}公安局"),
    ("scjg", "广东省市场监督管理局", "{city}市场监督管理局"),
    ("rsj", "广东省人力资源和社会保障厅", "{city}人力资源和社会保障局"),
    ("wjw", "广东省卫生健康委员会", "{city}卫生健康局"),
    ("zrzy", "广东省自然资源厅", "{city}自然资源局"),
    ("zjt", "广东省住房和城乡建设厅", "{city}住房和城乡建设局"),
    ("mzt", "广东省民政厅", "{city}民政局"),
    ("ybj", "广东省医疗保障局", "{city}医疗保障局"),
    ("sw", "国家税务总局广东省税务局", "国家税务总局{city}税务局"),
    ("jyt", "广东省教育厅", "{city}教育局"),
    ("jtt", "广东省交通运输厅", "{city}交通运输局"),
    ("sft", "广东省司法厅", "{city}司法局"),
    ("stt", "广东省生态环境厅", "{city}生态环境局"),
    ("yjglt", "广东省应急管理厅", "{city}应急管理局"),
    ("fgw", "广东省发展和改革委员会", "{city}发展和改革局"),
    ("gxt", "广东省工业和信息化厅", "{city}工业和信息化局"),
    ("slt", "广东省水利厅", "{city}水务局"),
    ("cgj", "广东省住房和城乡建设厅城市管理监督局", "{city}城市管理和综合执法局"),
    ("gjj", "广东省住房公积金管理中心", "{city}住房公积金管理中心"),
    ("cl", "广东省残疾人联合会", "{city}残疾人联合会"),
    ("xf", "广东省消防救援总队", "{city}消防救援支队"),
    ("fy", "广东省高级人民法院", "{city}中级人民法院"),
]


def _county_prefix(city: Region, county: Region) -> str:
    """深圳市罗湖区公安局, but 罗定市公安局 and 南澳县民政局: a district is named with its
    city, a county or county-level city stands alone."""
    return f"{city.name}{county.name}" if county.name.endswith("区") else county.name


COUNTY_LINES = ("zsj", "gat", "scjg", "rsj", "mzt")  # the lines every county has


def _wanted(*, county_level: bool, town_level: bool) -> list[dict]:
    """Every organization the seed makes, parents before children."""
    patterns = {function: pattern for function, _, pattern in DEPARTMENTS}
    rows = [
        {
            "code": f"440000-{function}",
            "name": name,
            "level": Organization.Level.PROVINCE,
            "region_id": "440000",
            "function": function,
            "parent": None,
        }
        for function, name, _ in DEPARTMENTS
    ]
    cities = list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))
    for city in cities:
        rows += [
            {
                "code": f"{city.code}-{function}",
                "name": pattern.format(city=city.name),
                "level": Organization.Level.CITY,
                "region_id": city.code,
                "function": function,
                "parent": f"440000-{function}",
            }
            for function, _, pattern in DEPARTMENTS
        ]
    if county_level:
        by_code = {city.code: city for city in cities}
        for county in Region.objects.filter(level=Region.Level.COUNTY).order_by("code"):
            city = by_code[county.parent_id]
            rows += [
                {
                    "code": f"{county.code}-{function}",
                    "name": patterns[function].format(city=_county_prefix(city, county)),
                    "level": Organization.Level.COUNTY,
                    "region_id": county.code,
                    "function": function,
                    "parent": f"{city.code}-{function}",
                }
                for function in COUNTY_LINES
            ]
    if town_level:
        for town in Region.objects.filter(level=Region.Level.TOWN).select_related("parent"):
            street = town.name.endswith("街道")
            rows.append(
                {
                    "code": f"{town.code}-gov",
                    "name": f"{town.parent.name}{town.name}办事处"
                    if street
                    else f"{town.parent.name}{town.name}人民政府",
                    "level": Organization.Level.TOWN,
                    "region_id": town.code,
                    "function": "gov",
                    "parent": None,
                }
            )
    return rows


@transaction.atomic
def organizations_seed(*, county_level: bool = True, town_level: bool = True) -> int:
    """Provincial departments, one counterpart per city (and per county for the main lines),
    and a town government per town. Idempotent: existing rows are updated in place. In bulk,
    level by level (parents first), so that a test or a new node seeds in a few queries."""
    Region.objects.get(code="440000")  # the regions must be loaded first
    rows = _wanted(county_level=county_level, town_level=town_level)
    existing = {
        org.code: org for org in Organization.objects.filter(code__in=[r["code"] for r in rows])
    }
    ids = {code: org.pk for code, org in existing.items()}
    created = 0
    fields = ("name", "level", "region_id", "function", "parent_id")
    for level in Organization.Level.values:
        new, changed = [], []
        for row in (r for r in rows if r["level"] == level):
            values = {**{k: row[k] for k in fields[:-1]}, "parent_id": ids.get(row["parent"])}
            org = existing.get(row["code"])
            if org is None:
                new.append(Organization(code=row["code"], **values))
            elif any(getattr(org, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(org, k, v)
                changed.append(org)
        Organization.objects.bulk_create(new, batch_size=500)
        Organization.objects.bulk_update(changed, fields, batch_size=500)
        ids.update({org.code: org.pk for org in new})
        created += len(new)
    return created


def organizations_demo_seed(**_options) -> str:
    """The seed step: departments change only with the code, so existing ones are kept."""
    lines = {f"440000-{function}" for function, _, _ in DEPARTMENTS}
    if (
        Organization.objects.filter(code__in=lines).count() == len(lines)
        and Organization.objects.filter(level=Organization.Level.TOWN).exists()
    ):
        return "已存在，跳过"
    return f"新建 {organizations_seed()} 个"
