"""The catalog's demo data (seed step, order 50): departments' information systems; the two
base registries catalogued (自然人基础库, 法人基础库) and published; topic and thematic
datasets of several departments with generated rows, covering every share condition, open
condition and grade; one resource submitted and awaiting review; one registered API.

Everything goes through the services (register, submit, review, upload), as a department and
the data bureau would do it. Deterministic for a seed; idempotent (existing codes are kept).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from digigov.data.registries.selectors import registry_records
from digigov.data.registries.services import demo_entity_usccs, demo_person_id_numbers
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import DataResource, SourceSystem
from .datasets import dataset_rows_replace
from .resources import resource_register, resource_review, resource_submit
from .systems import source_system_register

# Two operators, so that the four-eyes rule holds in the seed as well.
DEPARTMENT = Principal(kind="operator", id="catalog-seed", label="数据目录演示数据（部门）")
BUREAU = Principal(kind="operator", id="catalog-seed-bureau", label="数据目录演示数据（审核）")

GZ_DISTRICTS = ["440103", "440104", "440105", "440106", "440111", "440112", "440113"]
SZ_DISTRICTS = ["440303", "440304", "440305", "440306", "440307", "440309"]
ROADS = ["中山路", "天河路", "环市东路", "江南大道", "新港西路", "黄埔大道", "工业大道"]

SYSTEMS = [
    ("GD-GAT-RKXT", "440000-gat", "广东省人口信息管理系统", "户籍与居民身份证信息"),
    ("GD-SCJG-DJXT", "440000-scjg", "广东省商事登记系统", "市场主体登记注册与变更"),
    ("GZ-SCJG-JGXT", "440100-scjg", "广州市市场监管综合业务系统", "经营异常名录、食品经营许可"),
    ("GZ-MZ-YLXT", "440100-mzt", "广州市养老服务信息平台", "养老机构备案与服务监管"),
    ("GD-RSJ-SBXT", "440000-rsj", "广东省社会保险信息系统", "参保登记与缴费"),
    ("SZ-FGW-CDXT", "440300-fgw", "深圳市充电设施监管平台", "公共充电设施备案与运行监测"),
    ("GZ-ZSJ-SZG", "440100-zsj", "广州市城市运行管理中枢（穗智管）", "一网统管城市事件"),
    ("GD-YBJ-XXPT", "440000-ybj", "广东省医疗保障信息平台", "定点医药机构与医保结算"),
]


def _f(name, label, data_type="string", **extra) -> dict[str, Any]:
    return {"name": name, "label": label, "data_type": data_type, **extra}


def _personal(name, label, masking, data_type="string", **extra) -> dict[str, Any]:
    return _f(name, label, data_type, sensitivity="personal", masking=masking, **extra)


# --- rows ---------------------------------------------------------------------------------


def _day(rng: random.Random, first: dt.date, days: int) -> str:
    return (first + dt.timedelta(days=rng.randrange(days))).isoformat()


def _abnormal_rows(rng: random.Random, usccs: list[str]) -> list[dict]:
    reasons = [
        "未按规定报送年度报告",
        "通过登记的住所或经营场所无法联系",
        "公示企业信息隐瞒真实情况、弄虚作假",
        "未在责令的期限内公示有关企业信息",
    ]
    rows = []
    for number, uscc in enumerate(usccs, 1):
        listed = _day(rng, dt.date(2022, 1, 1), 900)
        removed = _day(rng, dt.date.fromisoformat(listed), 200) if number % 4 == 0 else ""
        rows.append(
            {
                "uscc": uscc,
                "entity_name": f"广州市演示{number:03d}贸易有限公司",
                "reason": rng.choice(reasons),
                "listed_on": listed,
                "authority": "广州市市场监督管理局",
                "removed_on": removed,
            }
        )
    return rows


def _elderly_care_rows(rng: random.Random) -> list[dict]:
    kinds = ["养老院", "颐养院", "长者公寓", "护理院", "社区养老服务中心"]
    rows = []
    for number in range(1, 61):
        district = rng.choice(GZ_DISTRICTS)
        rows.append(
            {
                "institution_code": f"GZYL{number:04d}",
                "name": f"广州市{['荔湾', '越秀', '海珠', '天河', '白云', '黄埔', '番禺'][GZ_DISTRICTS.index(district)]}区"
                f"演示{rng.choice(kinds)}{number}号",
                "district_code": district,
                "address": f"{rng.choice(ROADS)}{rng.randint(1, 400)}号",
                "beds": rng.randint(30, 600),
                "is_public": rng.random() < 0.35,
                "service_phone": f"020-8{rng.randint(1000000, 9999999)}",
                "filed_on": _day(rng, dt.date(2015, 1, 1), 3300),
            }
        )
    return rows


def _social_insurance_rows(rng: random.Random, people: list[tuple[str, str]]) -> list[dict]:
    kinds = ["110", "210", "310", "410", "510"]  # 养老、失业、医疗、工伤、生育 (code list)
    rows = []
    for id_number, name in people:
        for month in ("2025-01", "2025-02"):
            kind = rng.choice(kinds)
            base = rng.randrange(4500, 30000, 100)
            rows.append(
                {
                    "record_id": f"{id_number[-6:]}-{month}-{kind}",
                    "id_number": id_number,
                    "name": name,
                    "insurance_type": kind,
                    "period": month,
                    "contribution_base": f"{base}.00",
                    "paid_amount": f"{base * 0.08:.2f}",
                    "is_paid": rng.random() < 0.93,
                    "region_code": rng.choice(GZ_DISTRICTS + SZ_DISTRICTS),
                }
            )
    return rows


def _charging_rows(rng: random.Random) -> list[dict]:
    operators = ["深圳供电局", "演示充电科技有限公司", "南网电动", "演示新能源有限公司"]
    rows = []
    for number in range(1, 151):
        district = rng.choice(SZ_DISTRICTS)
        dc = rng.random() < 0.6
        rows.append(
            {
                "pile_id": f"SZCD{number:05d}",
                "station_name": f"深圳演示充电站{(number - 1) // 6 + 1:02d}",
                "district_code": district,
                "connector": "DC" if dc else "AC",
                "power_kw": str(rng.choice([60, 120, 160]) if dc else rng.choice([7, 11, 22])),
                "operator_name": rng.choice(operators),
                "longitude": f"{113.85 + rng.random() * 0.45:.6f}",
                "latitude": f"{22.50 + rng.random() * 0.25:.6f}",
                "in_service": rng.random() < 0.9,
            }
        )
    return rows


def _food_license_rows(rng: random.Random, usccs: list[str]) -> list[dict]:
    trades = [
        "预包装食品销售",
        "热食类食品制售",
        "冷食类食品制售",
        "糕点类食品制售",
        "自制饮品制售",
    ]
    rows = []
    for number, uscc in enumerate(usccs, 1):
        rows.append(
            {
                "license_number": f"JY{44010 + number % 7}{number:09d}",
                "uscc": uscc,
                "operator_name": f"广州市演示{number:03d}餐饮店",
                "legal_rep_name": rng.choice(["陈", "李", "黄", "张", "梁"])
                + rng.choice(["伟", "芳", "娜", "敏", "静", "强"]),
                "business_address": f"广州市{rng.choice(ROADS)}{rng.randint(1, 500)}号",
                "main_business": rng.choice(trades),
                "valid_until": _day(rng, dt.date(2026, 1, 1), 1500),
            }
        )
    return rows


def _city_event_rows(rng: random.Random) -> list[dict]:
    categories = ["占道经营", "井盖缺失", "违规停车", "垃圾堆放", "路灯故障", "噪声扰民"]
    states = ["已立案", "已派遣", "处置中", "待核查", "已结案", "已结案", "已结案"]
    rows = []
    start = dt.datetime(2025, 3, 1, 8, 0)
    for number in range(1, 151):
        rows.append(
            {
                "event_id": f"GZSJ2025{number:06d}",
                "category": rng.choice(categories),
                "district_code": rng.choice(GZ_DISTRICTS),
                "reported_at": (start + dt.timedelta(minutes=rng.randrange(60 * 24 * 60)))
                .replace(second=0)
                .isoformat(sep=" "),
                "state": rng.choice(states),
                "reporter_phone": f"13{rng.randint(100000000, 999999999)}",
            }
        )
    return rows


def _camera_rows(rng: random.Random) -> list[dict]:
    kinds = ["交通枢纽", "大型场馆", "水利设施", "能源设施"]
    return [
        {
            "point_id": f"GDJK{number:04d}",
            "site_name": f"重点场所演示点位{number:03d}",
            "district_code": rng.choice(GZ_DISTRICTS + SZ_DISTRICTS),
            "site_kind": rng.choice(kinds),
        }
        for number in range(1, 41)
    ]


def _marriage_rows(rng: random.Random) -> list[dict]:
    return [
        {
            "district_code": district,
            "year": year,
            "marriages": rng.randint(3000, 15000),
            "divorces": rng.randint(800, 5000),
        }
        for district in GZ_DISTRICTS
        for year in (2021, 2022, 2023, 2024)
    ]


# --- the catalog ---------------------------------------------------------------------------


def _catalog(people: list[tuple[str, str]], usccs: list[str]) -> list[dict[str, Any]]:
    """Every demo resource: attributes, fields, rows (None: not a dataset) and its state."""
    return [
        {
            "organization": "440000-gat",
            "values": {
                "code": "GD-GAT-RKJC",
                "name": "自然人基础库",
                "description": "全省户籍与居住人口的基础信息，按公民身份号码查询与核验。",
                "layer": "base",
                "storage": "registry.person",
                "subject_class": "人口",
                "industry_class": "公共管理",
                "update_frequency": "daily",
                "data_format": "数据库表",
                "source_system": "GD-GAT-RKXT",
                "share_condition": "conditional",
                "share_terms": "依法履职需要，说明用途和法律依据，经省公安厅审核同意后共享",
                "open_condition": "none",
                "grade": "important",
                "has_personal_info": True,
                "key_field": "id_number",
            },
            "fields": [
                _personal(
                    "id_number",
                    "公民身份号码",
                    "id_number",
                    "code",
                    standard_element="DE00001 公民身份号码",
                    code_list="GB 11643",
                    is_required=True,
                ),
                _personal(
                    "name", "姓名", "name", standard_element="DE00002 姓名", is_required=True
                ),
                _f(
                    "gender",
                    "性别",
                    "code",
                    standard_element="DE00007 性别代码",
                    code_list="GB/T 2261.1",
                    sensitivity="internal",
                ),
                _f(
                    "birth_date",
                    "出生日期",
                    "date",
                    standard_element="DE00008 出生日期",
                    sensitivity="sensitive",
                    masking="redact",
                ),
                _f(
                    "ethnicity",
                    "民族",
                    "string",
                    standard_element="DE00010 民族",
                    code_list="GB/T 3304",
                    sensitivity="internal",
                ),
                _f(
                    "household_region_code",
                    "户籍地行政区划",
                    "code",
                    standard_element="DE00070 行政区划代码",
                    code_list="GB/T 2260",
                ),
                _personal(
                    "residence_address", "居住地址", "address", standard_element="DE00075 地址"
                ),
                _personal("phone", "联系电话", "phone", standard_element="DE00216 电话号码"),
            ],
            "rows": None,
            "state": "published",
        },
        {
            "organization": "440000-scjg",
            "values": {
                "code": "GD-SCJG-FRJC",
                "name": "法人基础库",
                "description": "全省市场主体登记信息：统一社会信用代码、名称、类型、法定代表人、状态。",
                "layer": "base",
                "storage": "registry.entity",
                "subject_class": "法人",
                "industry_class": "市场监管",
                "update_frequency": "daily",
                "data_format": "数据库表",
                "source_system": "GD-SCJG-DJXT",
                "share_condition": "unconditional",
                "open_condition": "conditional",
                "grade": "general",
                "has_personal_info": True,
                "key_field": "uscc",
            },
            "fields": [
                _f(
                    "uscc",
                    "统一社会信用代码",
                    "code",
                    standard_element="DE01001 统一社会信用代码",
                    code_list="GB 32100",
                    sensitivity="public",
                    is_required=True,
                ),
                _f(
                    "name",
                    "名称",
                    standard_element="DE01002 单位名称",
                    sensitivity="public",
                    is_required=True,
                ),
                _f("entity_type", "市场主体类型", sensitivity="public"),
                _f("legal_rep_name", "法定代表人", sensitivity="public"),
                _personal(
                    "legal_rep_id_number",
                    "法定代表人证件号码",
                    "id_number",
                    "code",
                    code_list="GB 11643",
                ),
                _f("registered_capital", "注册资本（万元）", "decimal", sensitivity="public"),
                _f("address", "住所", sensitivity="public", standard_element="DE00075 地址"),
                _f(
                    "region_code",
                    "登记机关行政区划",
                    "code",
                    code_list="GB/T 2260",
                    sensitivity="public",
                ),
                _f("status", "登记状态", sensitivity="public"),
                _f("established_date", "成立日期", "date", sensitivity="public"),
            ],
            "rows": None,
            "state": "published",
        },
        {
            "organization": "440100-scjg",
            "values": {
                "code": "GZ-SCJG-JYYC",
                "name": "广州市市场主体经营异常名录",
                "description": "列入和移出经营异常名录的市场主体及原因。",
                "layer": "topic",
                "storage": "dataset",
                "subject_class": "信用",
                "industry_class": "市场监管",
                "update_frequency": "daily",
                "data_format": "CSV",
                "source_system": "GZ-SCJG-JGXT",
                "share_condition": "unconditional",
                "open_condition": "unconditional",
                "grade": "general",
                "key_field": "uscc",
            },
            "fields": [
                _f(
                    "uscc",
                    "统一社会信用代码",
                    "code",
                    code_list="GB 32100",
                    sensitivity="public",
                    is_required=True,
                ),
                _f("entity_name", "市场主体名称", sensitivity="public", is_required=True),
                _f("reason", "列入原因", sensitivity="public"),
                _f("listed_on", "列入日期", "date", sensitivity="public", is_required=True),
                _f("authority", "作出决定机关", sensitivity="public"),
                _f("removed_on", "移出日期", "date", sensitivity="public"),
            ],
            "rows": lambda rng: _abnormal_rows(rng, usccs[:120]),
            "state": "published",
        },
        {
            "organization": "440100-mzt",
            "values": {
                "code": "GZ-MZ-YLJG",
                "name": "广州市养老机构名录",
                "description": "已备案养老机构的名称、地址、床位数和服务电话。",
                "layer": "topic",
                "storage": "dataset",
                "subject_class": "民生服务",
                "industry_class": "社会保障",
                "update_frequency": "monthly",
                "data_format": "CSV",
                "source_system": "GZ-MZ-YLXT",
                "share_condition": "unconditional",
                "open_condition": "unconditional",
                "grade": "general",
                "key_field": "institution_code",
            },
            "fields": [
                _f("institution_code", "机构编号", "code", sensitivity="public", is_required=True),
                _f("name", "机构名称", sensitivity="public", is_required=True),
                _f("district_code", "所在区", "code", code_list="GB/T 2260", sensitivity="public"),
                _f("address", "地址", sensitivity="public"),
                _f("beds", "床位数", "integer", sensitivity="public"),
                _f("is_public", "公办", "boolean", sensitivity="public"),
                _f("service_phone", "服务电话", sensitivity="public"),
                _f("filed_on", "备案日期", "date", sensitivity="public"),
            ],
            "rows": _elderly_care_rows,
            "state": "published",
        },
        {
            "organization": "440000-rsj",
            "values": {
                "code": "GD-RSJ-SBJF",
                "name": "广东省社会保险参保缴费记录（示例）",
                "description": "参保人按月的险种、缴费基数和实缴金额（演示数据）。",
                "layer": "topic",
                "storage": "dataset",
                "subject_class": "社会保障",
                "industry_class": "人力资源和社会保障",
                "update_frequency": "monthly",
                "data_format": "CSV",
                "source_system": "GD-RSJ-SBXT",
                "share_condition": "conditional",
                "share_terms": "用于社保待遇核定、救助资格核查等法定职责，按字段申请",
                "open_condition": "none",
                "grade": "important",
                "has_personal_info": True,
                "key_field": "record_id",
            },
            "fields": [
                _f("record_id", "记录号", "code", is_required=True),
                _personal(
                    "id_number",
                    "公民身份号码",
                    "id_number",
                    "code",
                    standard_element="DE00001 公民身份号码",
                    is_required=True,
                ),
                _personal("name", "姓名", "name", standard_element="DE00002 姓名"),
                _f("insurance_type", "险种", "code", code_list="社会保险险种代码"),
                _f("period", "费款所属期", is_required=True),
                _f(
                    "contribution_base",
                    "缴费基数（元）",
                    "decimal",
                    sensitivity="sensitive",
                    masking="redact",
                ),
                _f(
                    "paid_amount",
                    "个人实缴金额（元）",
                    "decimal",
                    sensitivity="sensitive",
                    masking="redact",
                ),
                _f("is_paid", "已到账", "boolean"),
                _f("region_code", "参保地", "code", code_list="GB/T 2260"),
            ],
            "rows": lambda rng: _social_insurance_rows(rng, people),
            "state": "published",
        },
        {
            "organization": "440300-fgw",
            "values": {
                "code": "SZ-FGW-GGCDZ",
                "name": "深圳市公共充电桩",
                "description": "公共充电桩的位置、接口类型、功率与运营单位。",
                "layer": "topic",
                "storage": "dataset",
                "subject_class": "交通出行",
                "industry_class": "能源",
                "update_frequency": "weekly",
                "data_format": "JSON",
                "source_system": "SZ-FGW-CDXT",
                "share_condition": "unconditional",
                "open_condition": "unconditional",
                "grade": "general",
                "key_field": "pile_id",
            },
            "fields": [
                _f("pile_id", "充电桩编号", "code", sensitivity="public", is_required=True),
                _f("station_name", "充电站名称", sensitivity="public"),
                _f("district_code", "所在区", "code", code_list="GB/T 2260", sensitivity="public"),
                _f("connector", "接口类型", "code", sensitivity="public"),
                _f("power_kw", "额定功率（千瓦）", "decimal", sensitivity="public"),
                _f("operator_name", "运营单位", sensitivity="public"),
                _f("longitude", "经度", "decimal", sensitivity="public"),
                _f("latitude", "纬度", "decimal", sensitivity="public"),
                _f("in_service", "正常运行", "boolean", sensitivity="public"),
            ],
            "rows": _charging_rows,
            "state": "published",
        },
        {
            "organization": "440100-scjg",
            "values": {
                "code": "GZ-SCJG-SPJYXK",
                "name": "广州市食品经营许可信息",
                "description": "食品经营许可证编号、经营者、主体业态与有效期。",
                "layer": "topic",
                "storage": "dataset",
                "subject_class": "市场监管",
                "industry_class": "食品安全",
                "update_frequency": "daily",
                "data_format": "CSV",
                "source_system": "GZ-SCJG-JGXT",
                "share_condition": "unconditional",
                "open_condition": "conditional",
                "grade": "general",
                "key_field": "license_number",
            },
            "fields": [
                _f("license_number", "许可证编号", "code", sensitivity="public", is_required=True),
                _f("uscc", "统一社会信用代码", "code", code_list="GB 32100", sensitivity="public"),
                _f("operator_name", "经营者名称", sensitivity="public"),
                _f(
                    "legal_rep_name",
                    "法定代表人（负责人）",
                    sensitivity="sensitive",
                    masking="name",
                ),
                _f("business_address", "经营场所", sensitivity="public"),
                _f("main_business", "主体业态", sensitivity="public"),
                _f("valid_until", "有效期至", "date", sensitivity="public"),
            ],
            "rows": lambda rng: _food_license_rows(rng, usccs[:100]),
            "state": "published",
        },
        {
            "organization": "440100-zsj",
            "values": {
                "code": "GZ-YWTG-CSSJ",
                "name": "广州市“一网统管”城市运行事件专题库",
                "description": "网格员和市民上报的城市事件及其处置状态，供城市运行分析。",
                "layer": "thematic",
                "storage": "dataset",
                "subject_class": "城市治理",
                "industry_class": "公共管理",
                "update_frequency": "realtime",
                "data_format": "JSON",
                "source_system": "GZ-ZSJ-SZG",
                "share_condition": "conditional",
                "share_terms": "供城市治理相关部门处置和分析使用，上报人电话仅限处置部门",
                "open_condition": "none",
                "grade": "important",
                "has_personal_info": True,
                "key_field": "event_id",
            },
            "fields": [
                _f("event_id", "事件编号", "code", is_required=True),
                _f("category", "事件类别", is_required=True),
                _f("district_code", "发生区", "code", code_list="GB/T 2260"),
                _f("reported_at", "上报时间", "datetime", is_required=True),
                _f("state", "处置状态"),
                _personal("reporter_phone", "上报人电话", "phone"),
            ],
            "rows": _city_event_rows,
            "state": "published",
        },
        {
            "organization": "440000-gat",
            "values": {
                "code": "GD-GAT-ZDCSJK",
                "name": "重点场所视频监控点位（示例）",
                "description": "涉及公共安全的重点场所监控点位，列为核心数据。",
                "layer": "topic",
                "storage": "dataset",
                "subject_class": "公共安全",
                "industry_class": "公共安全",
                "update_frequency": "quarterly",
                "data_format": "CSV",
                "share_condition": "none",
                "share_terms": "依据《中华人民共和国数据安全法》第二十一条列为核心数据，不予共享",
                "open_condition": "none",
                "grade": "core",
                "key_field": "point_id",
            },
            "fields": [
                _f("point_id", "点位编号", "code", is_required=True),
                _f("site_name", "场所名称", sensitivity="sensitive", masking="redact"),
                _f("district_code", "所在区", "code", code_list="GB/T 2260"),
                _f("site_kind", "场所类别"),
            ],
            "rows": _camera_rows,
            "state": "published",
        },
        {
            "organization": "440000-ybj",
            "values": {
                "code": "GD-YBJ-DDJGCX",
                "name": "广东省医保定点医药机构查询接口",
                "description": "按机构编码查询定点医疗机构和定点零售药店（部门接口，平台登记不存储）。",
                "layer": "topic",
                "storage": "api",
                "subject_class": "医疗保障",
                "industry_class": "卫生健康",
                "update_frequency": "realtime",
                "data_format": "JSON 接口",
                "source_system": "GD-YBJ-XXPT",
                "share_condition": "unconditional",
                "open_condition": "unconditional",
                "grade": "general",
                "key_field": "institution_code",
                "api_url": "https://ybj.gd.gov.cn/api/v1/designated-institutions",
            },
            "fields": [
                _f("institution_code", "定点机构编码", "code", sensitivity="public"),
                _f("name", "机构名称", sensitivity="public"),
                _f("kind", "机构类别", sensitivity="public"),
                _f("region_code", "所在地", "code", code_list="GB/T 2260", sensitivity="public"),
            ],
            "rows": None,
            "state": "published",
        },
        {
            "organization": "440100-mzt",
            "values": {
                "code": "GZ-MZ-HYDJTJ",
                "name": "广州市婚姻登记统计",
                "description": "各区按年的结婚、离婚登记数量（汇总数据）。",
                "layer": "thematic",
                "storage": "dataset",
                "subject_class": "人口",
                "industry_class": "民政",
                "update_frequency": "yearly",
                "data_format": "CSV",
                "share_condition": "conditional",
                "share_terms": "用于人口发展研究和公共服务规划",
                "open_condition": "conditional",
                "grade": "general",
                "key_field": "district_code",
            },
            "fields": [
                _f("district_code", "区", "code", code_list="GB/T 2260", is_required=True),
                _f("year", "年度", "integer", is_required=True),
                _f("marriages", "结婚登记（对）", "integer"),
                _f("divorces", "离婚登记（对）", "integer"),
            ],
            "rows": _marriage_rows,
            "state": "submitted",  # awaiting the data bureau's review
        },
    ]


def catalog_demo_seed(
    *, seed: int = 2021, people: int = 100, entities: int = 120, **_options
) -> str:
    """The seed step. Skips resources whose code exists; needs the departments (order 11)
    and the demo registries (order 20)."""
    orgs = {o.code: o.pk for o in Organization.objects.filter(code__contains="-")}
    made_systems = 0
    for code, org_code, name, description in SYSTEMS:
        if org_code in orgs and not SourceSystem.objects.filter(code=code).exists():
            source_system_register(
                principal=DEPARTMENT,
                organization_id=orgs[org_code],
                code=code,
                name=name,
                description=description,
            )
            made_systems += 1
    ids = demo_person_id_numbers(seed=seed, count=min(people, 100))
    names = {
        r["id_number"]: r["name"]
        for r in registry_records(kind="person", fields=["id_number", "name"], keys=ids, limit=100)
    }
    person_rows = [(n, names[n]) for n in ids if n in names]
    usccs = demo_entity_usccs(seed=seed, count=min(entities, 120))
    existing = set(DataResource.objects.values_list("code", flat=True))
    made = rows = 0
    for entry in _catalog(person_rows, usccs):
        values = entry["values"]
        entry_rng = random.Random(f"{seed}-{values['code']}")  # stable whatever exists
        if values["code"] in existing or entry["organization"] not in orgs:
            continue
        if (
            values.get("source_system")
            and not SourceSystem.objects.filter(code=values["source_system"]).exists()
        ):
            values = {**values, "source_system": ""}
        resource = resource_register(
            principal=DEPARTMENT,
            organization_id=orgs[entry["organization"]],
            values=values,
            fields=entry["fields"],
        )
        if entry["rows"] is not None:
            report = dataset_rows_replace(
                principal=DEPARTMENT,
                resource_id=resource.pk,
                rows=entry["rows"](entry_rng),
                file_name="演示数据",
            )
            rows += report.accepted
        resource_submit(principal=DEPARTMENT, code=resource.code)
        if entry["state"] == "published":
            resource_review(
                principal=BUREAU, resource_id=resource.pk, approve=True, note="演示数据审核通过"
            )
        made += 1
    if not made and not made_systems:
        return "已存在，跳过"
    return f"信息系统 {made_systems} 个，数据资源 {made} 个（数据集记录 {rows} 条）"
