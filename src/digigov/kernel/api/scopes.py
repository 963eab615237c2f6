"""Every scope a machine client can hold. Apps add theirs here when they add an API."""

KNOWN_SCOPES: dict[str, str] = {
    "registry:read": "查询基础库（脱敏）",
    "registry:pii": "查看基础库中的完整个人信息",
    "registry:write": "导入基础库",
    "audit:read": "查看审计日志",
}
