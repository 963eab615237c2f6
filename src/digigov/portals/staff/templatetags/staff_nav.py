"""The workbench's sections, each shown only to those who can use it: a clerk sees the
window and the inbox, a data steward the quality pages; nobody is offered a page that
would answer 403. The pages still check for themselves."""

from __future__ import annotations

from django import template
from django.urls import reverse

from digigov.kernel.principals import request_principal

register = template.Library()

# (nav key, url name, label, any of these permissions; an "app." entry means any permission
# of that app; None: every civil servant — the catalog is for browsing)
SECTIONS: tuple[tuple[str, str, str, frozenset[str] | None], ...] = (
    ("home", "staff:home", "工作台", None),
    ("window", "staff:window", "窗口收件", frozenset({"services.receive_application"})),
    ("tasks", "staff:tasks", "审批任务", frozenset({"services.handle_application"})),
    (
        "items",
        "staff:items",
        "事项审核",
        frozenset({"services.edit_item_draft", "services.review_item", "services.manage_rules"}),
    ),
    (
        "supervision",
        "staff:supervision",
        "政务服务监督",
        frozenset({"services.supervise_application"}),
    ),
    (
        "rectifications",
        "staff:rectifications",
        "差评整改",
        frozenset({"services.handle_application", "services.supervise_application"}),
    ),
    ("licenses", "staff:licenses", "证照管理", frozenset({"licenses."})),
    ("seals", "staff:seals", "电子印章", frozenset({"seals."})),
    (
        "quality",
        "staff:quality",
        "数据治理",
        frozenset(
            {
                "quality.manage_rules",
                "quality.handle_issue",
                "catalog.register_resource",
                "catalog.review_resource",
            }
        ),
    ),
    ("workspace", "staff:workspace", "数据分析", frozenset({"quality.use_workspace"})),
    ("catalog", "staff:catalog", "数据目录", None),
    (
        "sharing",
        "staff:sharing_needs",
        "共享交换",
        frozenset({"sharing.", "catalog.review_resource"}),
    ),
    ("sensors", "staff:sensors_devices", "感知终端", frozenset({"sensors."})),
    ("governance", "staff:governance", "一网统管", frozenset({"governance."})),
    ("cityevents", "staff:cityevents", "城市事件", frozenset({"cityevents."})),
    (
        "opendata",
        "staff:opendata",
        "开放广东",
        frozenset(
            {
                "opendata.publish_dataset",
                "opendata.review_dataset",
                "opendata.answer_request",
                "opendata.moderate_comment",
            }
        ),
    ),
)


# what each section is for, on the workbench's cards
PURPOSES: dict[str, str] = {
    "cityevents": "城市事件上报、立案、派遣、处置、核查、结案；网格与网格员。",
    "window": "综合窗口代办收件：核验身份、代填申请、收取材料。",
    "tasks": "待办、已办任务：受理、审查、决定，退回补正、加签、转办。",
    "items": "政务服务事项的起草、审核与发布，秒批规则维护。",
    "supervision": "办件统计、超期预警与好差评监督。",
    "rectifications": "差评回访与整改。",
    "licenses": "签发电子证照，暂停、恢复、吊销、换发。",
    "seals": "电子印章的申请、审批、用章与用章记录。",
    "quality": "数据质量规则、检查报告与问题整改。",
    "workspace": "在脱敏快照上进行只读数据分析。",
    "catalog": "数据目录：系统清单、数据清单，资源登记与审核。",
    "sharing": "共享申请、审批、授权与访问记录（需求清单）。",
    "sensors": "物联感知设备登记、读数、告警规则与告警处置，数据接入统计。",
    "governance": "一网统管驾驶舱：21 项指标、事件分布、告警、专题与看数。",
    "opendata": "开放广东：发布开放数据集、审核、有条件开放申请、数据需求与评论审核。",
}


def _allowed(permissions: frozenset[str], wanted: frozenset[str] | None) -> bool:
    if wanted is None:
        return True
    return any(
        perm.startswith(entry) if entry.endswith(".") else perm == entry
        for entry in wanted
        for perm in permissions
    )


@register.simple_tag(takes_context=True)
def staff_sections(context) -> list[dict[str, str]]:
    request = context.get("request")
    permissions = request_principal(request).permissions if request is not None else frozenset()
    return [
        {"key": key, "url": reverse(url_name), "label": label, "purpose": PURPOSES.get(key, "")}
        for key, url_name, label, wanted in SECTIONS
        if _allowed(permissions, wanted)
    ]
