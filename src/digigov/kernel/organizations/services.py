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


@transaction.atomic
def organizations_seed(*, county_level: bool = True, town_level: bool = True) -> int:
    """Provincial departments, one counterpart per city (and per county for the main lines),
    and a town government per town. Idempotent."""
    province = Region.objects.get(code="440000")
    created = 0
    provincial: dict[str, Organization] = {}
    for function, name, _ in DEPARTMENTS:
        org, made = Organization.objects.update_or_create(
            code=f"440000-{function}",
            defaults={
                "name": name,
                "level": Organization.Level.PROVINCE,
                "region": province,
                "function": function,
            },
        )
        provincial[function] = org
        created += made
    for city in Region.objects.filter(level=Region.Level.CITY).order_by("code"):
        city_orgs: dict[str, Organization] = {}
        for function, _, pattern in DEPARTMENTS:
            org, made = Organization.objects.update_or_create(
                code=f"{city.code}-{function}",
                defaults={
                    "name": pattern.format(city=city.name),
                    "level": Organization.Level.CITY,
                    "region": city,
                    "parent": provincial[function],
                    "function": function,
                },
            )
            city_orgs[function] = org
            created += made
        if not county_level:
            continue
        for county in city.children.filter(level=Region.Level.COUNTY).order_by("code"):
            for function in ("zsj", "gat", "scjg", "rsj", "mzt"):
                pattern = dict((f, p) for f, _, p in DEPARTMENTS)[function]
                _, made = Organization.objects.update_or_create(
                    code=f"{county.code}-{function}",
                    defaults={
                        "name": pattern.format(city=_county_prefix(city, county)),
                        "level": Organization.Level.COUNTY,
                        "region": county,
                        "parent": city_orgs[function],
                        "function": function,
                    },
                )
                created += made
    if town_level:
        for town in Region.objects.filter(level=Region.Level.TOWN).select_related("parent"):
            _, made = Organization.objects.update_or_create(
                code=f"{town.code}-gov",
                defaults={
                    "name": f"{town.parent.name}{town.name}办事处"
                    if town.name.endswith("街道")
                    else f"{town.parent.name}{town.name}人民政府",
                    "level": Organization.Level.TOWN,
                    "region": town,
                    "function": "gov",
                },
            )
            created += made
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
