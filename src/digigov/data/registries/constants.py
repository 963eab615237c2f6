"""Code lists the registries keep: ethnic groups (GB/T 3304), entity types and statuses, and
the USCC registration-authority codes (GB 32100 positions 1-2) that go with each type."""

from __future__ import annotations

# GB/T 3304-1991 中国各民族名称, in the standard's order.
ETHNICITIES: tuple[str, ...] = (
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
)
ETHNICITY_SET = frozenset(ETHNICITIES)

GENDER_LABELS = {"M": "男", "F": "女"}
# What a registry file may say for gender.
GENDER_INPUTS = {"M": "M", "F": "F", "男": "M", "女": "F", "1": "M", "2": "F"}

# Which USCC prefixes (登记管理部门 + 机构类别) fit each entity type.
USCC_PREFIXES_BY_TYPE: dict[str, tuple[str, ...]] = {
    "有限责任公司": ("91",),
    "股份有限公司": ("91",),
    "个人独资企业": ("91",),
    "合伙企业": ("91",),
    "个体工商户": ("92",),
    "农民专业合作社": ("93",),
    "事业单位": ("12",),
    "社会组织": ("51", "52", "53"),
}

# Region levels a person's household or an entity's registered place may name.
RECORD_REGION_LEVELS = frozenset({"county", "town"})

# The purpose recorded when a caller does not give one.
DEFAULT_PURPOSE = "接口查询"
