"""数据目录 commands: a department registers a resource (draft), edits it while it is a draft
or was sent back, submits it; the data bureau reviews it (four-eyes: never the submitter);
a published resource is retired, or sent back to draft by its department when no active
sharing grant uses it. Each change: one transaction, an audit entry and the event
`catalog.resource.<status>`. Refusals are audited outside the transaction and change nothing.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from digigov.data.registries.selectors import ENTITY_RECORD_FIELDS, PERSON_RECORD_FIELDS
from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.services import event_publish
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import DataResource, ResourceField, SourceSystem
from ..selectors.resources import (
    PROVINCE_CODE,
    resource_may_manage,
    resource_may_review,
)

Status = DataResource.Status
Storage = DataResource.Storage
Sensitivity = ResourceField.Sensitivity
Masking = ResourceField.Masking

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,59}$")
FIELD_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
MAX_FIELDS = 200
# The registry a base resource catalogues: its record fields, key and owning line.
REGISTRIES: dict[str, tuple[dict[str, str], str, str]] = {
    Storage.PERSON_REGISTRY: (PERSON_RECORD_FIELDS, "id_number", "gat"),
    Storage.ENTITY_REGISTRY: (ENTITY_RECORD_FIELDS, "uscc", "scjg"),
}
VALUE_FIELDS: dict[str, int] = {  # what `values` may hold, with the longest text allowed
    "code": 60,
    "name": 160,
    "description": 4000,
    "layer": 10,
    "storage": 20,
    "subject_class": 60,
    "industry_class": 60,
    "update_frequency": 10,
    "data_format": 40,
    "source_system": 60,
    "share_condition": 14,
    "share_terms": 300,
    "open_condition": 14,
    "grade": 10,
    "has_personal_info": 0,
    "key_field": 60,
    "api_url": 200,
}
FIELD_KEYS = (
    "name",
    "label",
    "data_type",
    "standard_element",
    "code_list",
    "sensitivity",
    "masking",
    "is_required",
)


# --- refusals ----------------------------------------------------------------------------


def _deny(principal: Principal, *, action: str, code: str, reason: str, message: str) -> None:
    """Audit a refusal (outside any transaction, so it survives) and raise."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=f"catalog.resource.{action}",
        object_type="catalog.resource",
        object_id=code,
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )
    raise PermissionDenied(message, code=f"catalog/{reason}")


def _require_manager(principal: Principal, *, action: str, code: str, organization_id: int):
    if not resource_may_manage(principal, organization_id):
        _deny(
            principal,
            action=action,
            code=code,
            reason="not_catalog_admin",
            message="只有本单位的数据目录管理员（或本单位系统）可以登记和维护本单位的数据资源",
        )


def _record(
    principal: Principal, *, action: str, resource: DataResource, detail: dict[str, Any]
) -> None:
    """The audit entry and domain event of a change, inside its transaction."""
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=f"catalog.resource.{action}",
        object_type="catalog.resource",
        object_id=resource.code,
        source_address=principal.source_address,
        detail={"status": resource.status, **detail},
    )
    event_publish(
        topic=f"catalog.resource.{resource.status}",
        payload={
            "resource_id": resource.pk,
            "code": resource.code,
            "organization_id": resource.organization_id,
            "status": resource.status,
            "action": action,
            "actor": principal.actor,
        },
    )


# --- validation --------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes", "是")
    return bool(value)


def _choice(errors: dict, name: str, value: str, choices, label: str, *, required=True) -> None:
    if not value:
        if required:
            errors.setdefault(name, []).append(f"请选择{label}")
    elif value not in choices.values:
        allowed = "、".join(f"{v}（{lab}）" for v, lab in choices.choices)
        errors.setdefault(name, []).append(f"{label}应为 {allowed} 之一")


def _clean_fields(rows: list[dict], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The fields as stored, with errors keyed fields[<index>].<key>."""
    cleaned: list[dict[str, Any]] = []
    if not isinstance(rows, list) or not rows:
        errors.setdefault("fields", []).append("至少登记一个数据项")
        return cleaned
    if len(rows) > MAX_FIELDS:
        errors.setdefault("fields", []).append(f"数据项不能超过 {MAX_FIELDS} 个")
        return cleaned
    seen: set[str] = set()
    for index, row in enumerate(rows):
        at = f"fields[{index}]"
        if not isinstance(row, dict):
            errors.setdefault(at, []).append("数据项应为对象")
            continue
        unknown = sorted(set(row) - set(FIELD_KEYS))
        if unknown:
            errors.setdefault(at, []).append("不认识的属性：" + "、".join(unknown))
        item = {
            "name": _text(row.get("name")),
            "label": _text(row.get("label")),
            "data_type": _text(row.get("data_type")) or ResourceField.DataType.STRING,
            "standard_element": _text(row.get("standard_element")),
            "code_list": _text(row.get("code_list")),
            "sensitivity": _text(row.get("sensitivity")) or Sensitivity.INTERNAL,
            "masking": _text(row.get("masking")) or Masking.NONE,
            "is_required": _flag(row.get("is_required", False)),
        }
        name = item["name"]
        if not FIELD_NAME_PATTERN.match(name):
            errors.setdefault(f"{at}.name", []).append(
                "字段名应以小写字母开头，只含小写字母、数字和下划线，最长 60 个字符"
            )
        elif name in seen:
            errors.setdefault(f"{at}.name", []).append(f"字段名“{name}”重复")
        seen.add(name)
        if not item["label"]:
            errors.setdefault(f"{at}.label", []).append("请填写中文名称")
        elif len(item["label"]) > 80:
            errors.setdefault(f"{at}.label", []).append("中文名称至多 80 个字符")
        for key, limit in (("standard_element", 80), ("code_list", 40)):
            if len(item[key]) > limit:
                errors.setdefault(f"{at}.{key}", []).append(f"至多 {limit} 个字符")
        _choice(errors, f"{at}.data_type", item["data_type"], ResourceField.DataType, "数据类型")
        _choice(errors, f"{at}.sensitivity", item["sensitivity"], Sensitivity, "敏感程度")
        _choice(errors, f"{at}.masking", item["masking"], Masking, "脱敏规则")
        if item["sensitivity"] == Sensitivity.PERSONAL and item["masking"] == Masking.NONE:
            errors.setdefault(f"{at}.masking", []).append(
                "个人信息数据项须设置脱敏规则（不能为“不脱敏”）"
            )
        cleaned.append(item)
    return cleaned


def _clean(
    *,
    values: dict[str, Any],
    fields: list[dict],
    organization: Organization,
    current: DataResource | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The resource's attributes and fields, checked together; ValidationFailed lists every
    problem by field (in Chinese)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(values, dict):
        raise ValidationFailed("资源属性应为对象")
    unknown = sorted(set(values) - set(VALUE_FIELDS))
    if unknown:
        errors["values"] = ["不认识的属性：" + "、".join(unknown)]
    data: dict[str, Any] = {
        name: _flag(values.get(name)) if limit == 0 else _text(values.get(name))
        for name, limit in VALUE_FIELDS.items()
    }
    for name, limit in VALUE_FIELDS.items():
        if limit and len(data[name]) > limit:
            errors.setdefault(name, []).append(f"至多 {limit} 个字符")
    if current is not None:
        if data["code"] and data["code"] != current.code:
            errors.setdefault("code", []).append("资源代码登记后不能修改")
        data["code"] = current.code
    code = data["code"]
    if not code:
        errors.setdefault("code", []).append("请填写资源代码")
    elif not CODE_PATTERN.match(code):
        errors.setdefault("code", []).append(
            "资源代码为 3-60 位字母、数字、点、连字符或下划线，以字母或数字开头"
        )
    elif current is None and DataResource.objects.filter(code=code).exists():
        errors.setdefault("code", []).append("资源代码已被使用")
    if not data["name"]:
        errors.setdefault("name", []).append("请填写资源名称")
    data["update_frequency"] = data["update_frequency"] or DataResource.Frequency.IRREGULAR
    data["open_condition"] = data["open_condition"] or DataResource.OpenCondition.NONE
    _choice(errors, "layer", data["layer"], DataResource.Layer, "资源层级")
    _choice(errors, "storage", data["storage"], Storage, "存储方式")
    _choice(
        errors, "update_frequency", data["update_frequency"], DataResource.Frequency, "更新周期"
    )
    _choice(
        errors, "share_condition", data["share_condition"], DataResource.ShareCondition, "共享属性"
    )
    _choice(
        errors, "open_condition", data["open_condition"], DataResource.OpenCondition, "开放属性"
    )
    _choice(errors, "grade", data["grade"], DataResource.Grade, "数据分级")
    cleaned_fields = _clean_fields(fields, errors)
    names = [f["name"] for f in cleaned_fields]

    # share and open conditions against the grade and personal information
    share, grade = data["share_condition"], data["grade"]
    if share in ("conditional", "none") and not data["share_terms"]:
        errors.setdefault("share_terms", []).append("有条件共享须写明共享条件，不予共享须写明依据")
    if grade == DataResource.Grade.CORE and share == DataResource.ShareCondition.UNCONDITIONAL:
        errors.setdefault("share_condition", []).append("核心数据不能无条件共享")
    if grade == DataResource.Grade.CORE and data["open_condition"] != "none":
        errors.setdefault("open_condition", []).append("核心数据不予开放")
    personal = any(f["sensitivity"] == Sensitivity.PERSONAL for f in cleaned_fields)
    if personal and not data["has_personal_info"]:
        errors.setdefault("has_personal_info", []).append(
            "有数据项的敏感程度为“个人信息”，请勾选“含个人信息”"
        )
    if data["has_personal_info"] and data["open_condition"] == "unconditional":
        errors.setdefault("open_condition", []).append("含个人信息的资源不能无条件开放")

    # the key field and where the rows live
    storage, key = data["storage"], data["key_field"]
    if key and key not in names:
        errors.setdefault("key_field", []).append("主键字段须是登记的数据项之一")
    if storage in REGISTRIES:
        known, registry_key, line = REGISTRIES[storage]
        if data["layer"] != DataResource.Layer.BASE:
            errors.setdefault("layer", []).append("基础库存储的资源层级须为“基础库”")
        if organization.function != line or organization.region_id != PROVINCE_CODE:
            errors.setdefault("storage", []).append(
                "基础库资源只能由其省级主管部门登记（自然人：省公安厅；法人：省市场监管局）"
            )
        strange = [n for n in names if n not in known]
        if strange:
            errors.setdefault("fields", []).append(
                "基础库没有这些数据项：" + "、".join(strange) + "（可用：" + "、".join(known) + "）"
            )
        if key != registry_key:
            errors.setdefault("key_field", []).append(f"基础库的主键字段须为 {registry_key}")
    elif data["layer"] == DataResource.Layer.BASE:
        errors.setdefault("layer", []).append("基础库资源须存储在自然人或法人基础库")
    if storage == Storage.DATASET and not key:
        errors.setdefault("key_field", []).append("上传数据集须指定主键字段（按主键查询）")
    if storage == Storage.API:
        if not data["api_url"]:
            errors.setdefault("api_url", []).append("部门接口资源须填写接口地址")
        else:
            try:
                URLValidator(schemes=["http", "https"])(data["api_url"])
            except DjangoValidationError:
                errors.setdefault("api_url", []).append("接口地址应为 http:// 或 https:// 网址")
    elif data["api_url"]:
        errors.setdefault("api_url", []).append("只有部门接口资源填写接口地址")

    # the source system belongs to the same department
    system_code = data.pop("source_system")
    data["source_system"] = None
    if system_code:
        system = SourceSystem.objects.filter(code=system_code).first()
        if system is None or system.organization_id != organization.pk:
            errors.setdefault("source_system", []).append("来源系统须是本单位已登记的信息系统")
        elif not system.is_active:
            errors.setdefault("source_system", []).append("来源系统已停用")
        else:
            data["source_system"] = system
    if errors:
        raise ValidationFailed("数据资源登记信息有误，请按提示修改", fields=errors)
    return data, cleaned_fields


def _fields_write(resource: DataResource, fields: list[dict[str, Any]]) -> None:
    resource.fields.all().delete()
    ResourceField.objects.bulk_create(
        ResourceField(resource=resource, position=position, **field)
        for position, field in enumerate(fields, 1)
    )


def _locked(code: str) -> DataResource:
    resource = (
        DataResource.objects.select_for_update().select_related("organization").filter(code=code)
    ).first()
    if resource is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    return resource


def _peek(code: str) -> DataResource:
    resource = DataResource.objects.select_related("organization").filter(code=code).first()
    if resource is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    return resource


def _conflict(resource: DataResource, message: str) -> Conflict:
    return Conflict(
        f"{message}（当前状态：{resource.get_status_display()}）",
        code="resource_status",
    )


# --- commands ----------------------------------------------------------------------------


def resource_register(
    *,
    principal: Principal,
    organization_id: int,
    values: dict[str, Any],
    fields: list[dict[str, Any]],
) -> DataResource:
    """A new resource of the department, as a draft."""
    code = _text((values or {}).get("code")) if isinstance(values, dict) else ""
    _require_manager(principal, action="register", code=code, organization_id=organization_id)
    organization = Organization.objects.filter(pk=organization_id, is_active=True).first()
    if organization is None:
        raise ValidationFailed("提供单位不存在", fields={"organization": ["提供单位不存在"]})
    data, cleaned = _clean(values=values, fields=fields, organization=organization, current=None)
    with transaction.atomic():
        resource = DataResource.objects.create(
            organization=organization, status=Status.DRAFT, **data
        )
        _fields_write(resource, cleaned)
        _record(
            principal,
            action="register",
            resource=resource,
            detail={"fields": len(cleaned), "storage": resource.storage},
        )
    return resource


def resource_update(
    *, principal: Principal, code: str, values: dict[str, Any], fields: list[dict[str, Any]]
) -> DataResource:
    """Replace the attributes and fields of a draft or a rejected resource (it becomes a
    draft again). The code cannot change."""
    current = _peek(code)
    _require_manager(principal, action="update", code=code, organization_id=current.organization_id)
    with transaction.atomic():
        resource = _locked(code)
        if resource.status not in (Status.DRAFT, Status.REJECTED):
            raise _conflict(resource, "只有草稿或已退回的数据资源可以修改")
        data, cleaned = _clean(
            values=values, fields=fields, organization=resource.organization, current=resource
        )
        for name, value in data.items():
            setattr(resource, name, value)
        resource.status = Status.DRAFT
        resource.save()
        _fields_write(resource, cleaned)
        _record(principal, action="update", resource=resource, detail={"fields": len(cleaned)})
    return resource


def resource_submit(*, principal: Principal, code: str) -> DataResource:
    """Send a draft (or a corrected rejected resource) to the data bureau for review."""
    current = _peek(code)
    _require_manager(principal, action="submit", code=code, organization_id=current.organization_id)
    with transaction.atomic():
        resource = _locked(code)
        if resource.status not in (Status.DRAFT, Status.REJECTED):
            raise _conflict(resource, "只有草稿或已退回的数据资源可以提交审核")
        if not resource.fields.exists():
            raise ValidationFailed("数据资源没有数据项，不能提交", code="resource_no_fields")
        resource.status = Status.SUBMITTED
        resource.submitted_by = principal.actor
        resource.review_note = ""
        resource.save(update_fields=["status", "submitted_by", "review_note", "updated_at"])
        _record(principal, action="submit", resource=resource, detail={})
    return resource


def resource_review(
    *, principal: Principal, resource_id: int, approve: bool, note: str = ""
) -> DataResource:
    """The data bureau publishes a submitted resource or sends it back with a reason."""
    current = DataResource.objects.select_related("organization").filter(pk=resource_id).first()
    if current is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    action = "publish" if approve else "reject"
    if principal.kind == "machine" or not resource_may_review(principal, current):
        _deny(
            principal,
            action=action,
            code=current.code,
            reason="not_reviewer",
            message="只有资源所在层级或上级的政务服务数据管理局审核人员可以审核数据资源",
        )
    if current.submitted_by == principal.actor:
        _deny(
            principal,
            action=action,
            code=current.code,
            reason="four_eyes",
            message="提交人不能审核自己提交的数据资源（四眼原则）",
        )
    note = _text(note)
    if not approve and not note:
        raise ValidationFailed("退回时须写明理由", fields={"note": ["请填写退回理由"]})
    if len(note) > 300:
        raise ValidationFailed("审核意见至多 300 个字符", fields={"note": ["至多 300 个字符"]})
    with transaction.atomic():
        resource = _locked(current.code)
        if resource.status != Status.SUBMITTED:
            raise _conflict(resource, "只有待审核的数据资源可以审核")
        if resource.submitted_by == principal.actor:  # resubmitted since the check above
            raise PermissionDenied("提交人不能审核自己提交的数据资源（四眼原则）", code="four_eyes")
        resource.status = Status.PUBLISHED if approve else Status.REJECTED
        resource.review_note = note
        resource.reviewed_by = principal.actor
        if approve:
            resource.published_at = timezone.now()
        resource.save(
            update_fields=["status", "review_note", "reviewed_by", "published_at", "updated_at"]
        )
        _record(principal, action=action, resource=resource, detail={"note": note})
    return resource


def resource_retire(*, principal: Principal, code: str, note: str = "") -> DataResource:
    """Take a published resource off the catalog (its department or the data bureau)."""
    current = _peek(code)
    if not (
        resource_may_manage(principal, current.organization_id)
        or (principal.kind != "machine" and resource_may_review(principal, current))
    ):
        _deny(
            principal,
            action="retire",
            code=code,
            reason="not_catalog_admin",
            message="只有本单位的数据目录管理员或数据管理机构可以下线数据资源",
        )
    note = _text(note)
    if not note or len(note) > 300:
        raise ValidationFailed("请写明下线理由（至多 300 个字符）", fields={"note": ["请填写理由"]})
    with transaction.atomic():
        resource = _locked(code)
        if resource.status != Status.PUBLISHED:
            raise _conflict(resource, "只有已发布的数据资源可以下线")
        resource.status = Status.RETIRED
        resource.review_note = note
        resource.save(update_fields=["status", "review_note", "updated_at"])
        _record(principal, action="retire", resource=resource, detail={"note": note})
    return resource


def _active_grants(resource_id: int) -> int | None:
    """Active sharing grants on the resource, from the sharing app; None when it cannot
    tell (then a published resource is not sent back: grants may depend on it)."""
    try:
        from digigov.data.sharing.selectors import grants_active_count
    except ImportError:
        return None
    return grants_active_count(resource_id=resource_id)


def resource_withdraw(*, principal: Principal, code: str, note: str = "") -> DataResource:
    """Send a published resource back to draft for changes: its department only, and only
    while no active sharing grant uses it (it must be submitted and reviewed again)."""
    current = _peek(code)
    _require_manager(
        principal, action="withdraw", code=code, organization_id=current.organization_id
    )
    with transaction.atomic():
        resource = _locked(code)
        if resource.status != Status.PUBLISHED:
            raise _conflict(resource, "只有已发布的数据资源可以撤回修改")
        grants = _active_grants(resource.pk)
        if grants is None:
            raise Conflict(
                "无法确认该资源是否有生效的共享授权，已发布资源暂不能撤回修改",
                code="resource_grants_unknown",
            )
        if grants:
            raise Conflict(
                f"该资源有 {grants} 项生效的共享授权，不能撤回修改；可待授权到期或撤销后再改",
                code="resource_in_use",
            )
        resource.status = Status.DRAFT
        resource.review_note = _text(note)[:300]
        resource.published_at = None
        resource.save(update_fields=["status", "review_note", "published_at", "updated_at"])
        _record(principal, action="withdraw", resource=resource, detail={"note": note})
    return resource
