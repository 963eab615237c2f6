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
    "catalog:read": "数据目录：检索数据资源与系统清单（已发布资源及本单位资源）",
    "catalog:write": "数据目录：登记、修改、提交本单位数据资源与信息系统，上传数据集",
    "sharing:request": "共享交换：为本单位申请共享数据、查看需求清单",
    "exchange:read": "共享交换：按本单位的共享授权查询数据（按主键、条件、批量导出）",
    "exchange:verify": "共享交换：数据核验（自然人姓名与身份证号是否一致、法人是否存续）",
}
