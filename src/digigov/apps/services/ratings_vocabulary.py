"""好差评 vocabulary, after the national rules (国务院办公厅《关于建立政务服务“好差评”制度
提高政务服务水平的意见》, 国办发〔2019〕51号): five grades, reasons chosen per grade, the
channel the rating came through. Codes are stable (the API and statistics use them); the
labels are what people read."""

from __future__ import annotations

GRADES: dict[int, str] = {
    5: "非常满意",
    4: "满意",
    3: "基本满意",
    2: "不满意",
    1: "非常不满意",
}

# A grade at or below this is a bad rating (差评): reasons required, rectification opened.
BAD_GRADE_MAX = 2

GOOD_REASONS: dict[str, str] = {
    "guide_accurate": "办事指南准确清晰",
    "zero_visit": "不用跑或最多跑一次",
    "fast": "办理快捷，提前办结",
    "materials_simple": "材料精简，免提交",
    "attitude_good": "服务热情周到",
    "system_easy": "系统好用，操作便捷",
}
BASIC_REASONS: dict[str, str] = {
    "done_basically": "基本办成",
    "waiting_long": "等候时间稍长",
    "guide_unclear": "指南部分内容不够清楚",
    "system_slow": "系统响应较慢",
}
BAD_REASONS: dict[str, str] = {
    "guide_inaccurate": "办事指南不准确",
    "multiple_visits": "多次跑动",
    "overdue": "超时办结",
    "attitude_bad": "服务态度差",
    "system_hard": "系统不好用",
    "extra_materials": "要求提供指南以外的材料",
    "no_one_time_notice": "未一次性告知",
    "result_unfair": "办理结果不合理",
}

CHANNELS: dict[str, str] = {
    "online": "政务服务网",
    "mobile": "粤省事 / 粤商通",
    "window": "窗口评价器",
    "kiosk": "自助终端",
    "sms": "短信",
    "hotline": "12345 热线",
}

# Working days the handling organization has to reply to a bad rating (整改反馈).
RECTIFICATION_DAYS = 5

MAX_COMMENT_LENGTH = 500


def reasons_for(grade: int) -> dict[str, str]:
    if grade <= BAD_GRADE_MAX:
        return BAD_REASONS
    if grade == 3:
        return BASIC_REASONS
    return GOOD_REASONS


def reason_label(code: str) -> str:
    for vocabulary in (BAD_REASONS, BASIC_REASONS, GOOD_REASONS):
        if code in vocabulary:
            return vocabulary[code]
    return code
