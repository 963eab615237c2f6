"""Demo civil servants of the data center (数据目录、共享交换、数据治理), created by a seed
step of the staff portal: the data layer cannot create accounts (identity sits above it).

One list for the three areas: the sharing and quality areas add the roles they need to these
accounts (or add accounts) here. username -> (organization, roles, name, label for
`digigov demo_logins`). Password: the staff demo password; each gets a TOTP device."""

from __future__ import annotations

from typing import Any

DATA_CENTER_DEMO_STAFF: dict[str, tuple[str, list[str], str, str]] = {
    "gd_data_reviewer": (
        "440000-zsj",
        ["数据资源审核人员"],
        "罗审核",
        "省政务服务数据管理局 数据资源审核",
    ),
    "gz_scjg_data_admin": (
        "440100-scjg",
        ["数据目录管理员", "数据共享申请人员", "数据共享审批人员"],
        "谢目录",
        "广州市场监管 数据目录管理、共享申请与审批",
    ),
    "gd_gat_data_admin": (
        "440000-gat",
        ["数据目录管理员", "数据共享审批人员"],
        "邓目录",
        "省公安厅 数据目录管理与共享审批（自然人基础库）",
    ),
    "gz_mzt_data_admin": (
        "440100-mzt",
        ["数据目录管理员", "数据共享申请人员"],
        "冯目录",
        "广州民政 数据目录管理、共享申请",
    ),
    "gz_scjg_data_steward": (
        "440100-scjg",
        ["数据治理人员"],
        "钟治理",
        "广州市场监管 数据治理（质量规则、质量问题）",
    ),
    "gd_data_steward": (
        "440000-zsj",
        ["数据治理人员"],
        "苏治理",
        "省政务服务数据管理局 数据治理（全省各部门）",
    ),
    "gd_data_analyst": (
        "440000-zsj",
        ["数据分析人员"],
        "方分析",
        "省政务服务数据管理局 数据分析工作台",
    ),
}


def data_center_demo_seed(**_options: Any) -> str:
    """The accounts above (with TOTP devices); an existing account gets any role added to its
    list since. Idempotent."""
    from digigov.support.identity import services as identity

    identity.roles_seed()
    made = identity.demo_staff_ensure(staff=DATA_CENTER_DEMO_STAFF)
    return f"新建 {len(made)} 个数据中心演示账号" if made else "已存在，未改动"
