"""Vocabularies of 一网通办, shared by models, services, selectors, pages and the API."""

from __future__ import annotations

# 事项类型 (the national catalogue's ten kinds plus public services)
ITEM_TYPES: dict[str, str] = {
    "permit": "行政许可",
    "confirmation": "行政确认",
    "benefit": "行政给付",
    "ruling": "行政裁决",
    "reward": "行政奖励",
    "registration": "行政登记",
    "other_power": "其他行政权力",
    "public_service": "公共服务",
}

SUBJECT_KINDS: dict[str, str] = {
    "person": "自然人",
    "entity": "法人",
    "both": "自然人和法人",
}

APPROVAL_MODES: dict[str, str] = {
    "instant": "秒批（无人干预自动审批）",
    "commitment": "告知承诺",
    "workflow": "流程审批",
}

# 到现场次数
VISITS: dict[int, str] = {0: "零跑动", 1: "最多跑一次", 2: "需多次到现场"}

CROSS_REGION_SCOPES: dict[str, str] = {
    "province": "全省通办",
    "cross_province": "跨省通办",
    "bay_area": "湾区通办",
}

# 个人生命周期 (citizen life events) and 企业生命周期 (enterprise life cycle)
LIFE_EVENTS: dict[str, str] = {
    "birth": "出生",
    "schooling": "上学",
    "employment": "就业",
    "marriage": "婚育",
    "housing": "住房",
    "travel": "出行",
    "medical": "医疗",
    "social_security": "社保",
    "retirement": "退休",
    "assistance": "救助",
    "after_death": "身后",
}
ENTERPRISE_STAGES: dict[str, str] = {
    "start": "开办",
    "change": "变更",
    "operation": "经营",
    "construction": "工程建设",
    "credit": "信用",
    "closure": "注销",
}

# Application channels: where the case came in.
CHANNELS: dict[str, str] = {
    "online": "网上申办",
    "window": "窗口受理",
    "kiosk": "自助终端",
    "api": "系统对接",
}

# Fields of an item version that may differ between regions sharing one standard (同事同标).
# Everything else is the standard and is copied from the standard item.
LOCAL_FIELDS: tuple[str, ...] = (
    "implementing_body",
    "place",
    "office_hours",
    "consult_phone",
    "complaint_phone",
    "promised_days",
    "fees",
)

# Material sources
MATERIAL_SOURCES: dict[str, str] = {"license": "电子证照（免提交）", "upload": "上传"}

# 好差评 (national 政务服务“好差评”管理办法: five grades)
RATING_GRADES: dict[int, str] = {
    5: "非常满意",
    4: "满意",
    3: "基本满意",
    2: "不满意",
    1: "非常不满意",
}
