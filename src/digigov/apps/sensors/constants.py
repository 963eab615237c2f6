"""Vocabularies of the sensors app, shared by the ingest, the selectors and the pages."""

from __future__ import annotations

REASONS: dict[str, str] = {
    "bad_topic": "主题不符合 gd/sensors/<区划代码>/<设备编码>/reading",
    "malformed": "消息不是合法的 JSON 对象，或 seq、ts、value 缺失或类型不符",
    "unknown_device": "设备未登记或已停用",
    "region_mismatch": "主题中的区划代码与设备登记的区划不一致",
    "out_of_range": "读数超出该类设备的量程",
    "stale": "读数时间早于允许范围（超过 24 小时）",
    "future": "读数时间晚于当前时间（超过 5 分钟）",
}
COUNTER_LABELS: dict[str, str] = {
    "received": "收到消息",
    "stored": "入库读数",
    "duplicate": "重复读数（已忽略）",
    **{f"rejected:{reason}": f"拒收：{label}" for reason, label in REASONS.items()},
}
