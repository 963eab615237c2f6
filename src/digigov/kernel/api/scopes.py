"""Every scope a machine client can hold. Apps add theirs here when they add an API."""

KNOWN_SCOPES: dict[str, str] = {
    "registry:read": "查询基础库（脱敏）",
    "registry:pii": "查看基础库中的完整个人信息",
    "registry:write": "导入基础库",
    "audit:read": "查看审计日志",
    "services:apply": "代表用户申办、撤回、补正办件",
    "services:read": "查看办件",
    "services:items": "管理政务服务事项（草稿、审核、版本）",
    "services:supervise": "政务服务监督：办件统计、超期预警、好差评统计",
}
