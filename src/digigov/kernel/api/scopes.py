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
    "seals:use": "电子印章：查看本单位印章、对 PDF 文件签章（用章）",
    "licenses:use": "授权用证：经持证人授权后查看其电子证照",
    "licenses:issue": "签发电子证照（本单位证照类型）",
    "licenses:manage": "变更本单位电子证照状态：暂停、恢复、吊销、延续、补发",
}
