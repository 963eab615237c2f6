"""Quality rules as data: created, changed and switched on or off by the owning department's
catalog staff and the data bureau, each change checked, audited and announced
(`quality.rule.changed`). `quality_rules_suggest` proposes rules from the catalog's field
metadata; `quality_rules_adopt` saves the proposals a resource does not have yet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from digigov.data.catalog.selectors.resources import resource_by_id, resource_field_list
from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from ..models import QualityRule
from ..selectors.access import RULES, quality_scope, refuse
from .checks import MAX_AGE_DAYS

Kind = QualityRule.Kind
CheckType = QualityRule.Check
MAX_WEIGHT = 10
MAX_ENUM_VALUES = 200
MAX_PATTERN = 200
MAX_RULES = 100  # per resource
# Nested quantifiers ((a+)+, (a*)*, (a|a)+ ...) backtrack exponentially: refused, since a
# pattern runs against every row.
_NESTED_QUANTIFIER = re.compile(r"\([^)]*[+*}][^)]*\)\s*[+*{]")


@dataclass(frozen=True)
class RuleDraft:
    kind: str
    field_names: list[str] = field(default_factory=list)
    check_type: str = ""
    registry: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    weight: int = 1
    reason: str = ""  # why it is proposed (for the suggestion list)

    def same_as(self, rule: QualityRule) -> bool:
        return (
            self.kind == rule.kind
            and list(self.field_names) == list(rule.field_names)
            and self.check_type == rule.check_type
            and self.registry == rule.registry
        )


def _resource_for(principal: Principal, resource_id: int, action: str):
    resource = resource_by_id(resource_id=resource_id)
    if resource is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    scope = quality_scope(principal=principal, purpose=RULES, action=action)
    if not scope.covers(resource.organization):
        refuse(
            principal,
            action=action,
            object_type="catalog.resource",
            object_id=resource.code,
            reason="只能维护本单位数据资源的质量规则",
        )
    return resource


def _clean(resource, draft: RuleDraft) -> RuleDraft:
    """The draft checked against the resource; ValidationFailed lists every problem."""
    errors: dict[str, list[str]] = {}
    fields = {f.name: f for f in resource_field_list(resource_id=resource.pk)}
    names = [str(n).strip() for n in (draft.field_names or []) if str(n).strip()]
    params: dict[str, Any] = {}
    if draft.kind not in Kind.values:
        raise ValidationFailed(
            "规则类型无效", fields={"kind": ["应为完整性、有效性、唯一性、及时性或关联一致性"]}
        )
    unknown = [n for n in names if n not in fields]
    if unknown:
        errors["field_names"] = ["不是该资源登记的数据项：" + "、".join(unknown)]
    if len(set(names)) != len(names):
        errors.setdefault("field_names", []).append("数据项不能重复")
    if draft.kind in (Kind.COMPLETENESS, Kind.VALIDITY, Kind.REFERENCE) and len(names) != 1:
        errors.setdefault("field_names", []).append("此类规则须指定一个数据项")
    if draft.kind == Kind.UNIQUENESS:
        if not names and resource.key_field:
            names = [resource.key_field]
        if not names:
            errors.setdefault("field_names", []).append("请指定不能重复的数据项（资源未设主键）")
        elif len(names) > 5:
            errors.setdefault("field_names", []).append("至多 5 个数据项组合")
    if draft.kind == Kind.TIMELINESS:
        if names:
            errors.setdefault("field_names", []).append("及时性规则针对整个资源，不指定数据项")
        days = (draft.params or {}).get("max_age_days")
        if days not in (None, ""):
            try:
                days = int(days)
            except (TypeError, ValueError):
                days = 0
            if not 1 <= days <= 3660:
                errors["params"] = ["允许的最长未更新天数应为 1 至 3660"]
            else:
                params["max_age_days"] = days
        elif resource.update_frequency not in MAX_AGE_DAYS:
            errors["params"] = ["资源的更新周期为“不定期”，请填写允许的最长未更新天数"]
    check = draft.check_type if draft.kind == Kind.VALIDITY else ""
    if draft.kind == Kind.VALIDITY:
        if check not in CheckType.values:
            errors["check_type"] = ["请选择校验方式"]
        elif check == CheckType.ENUM:
            raw = (draft.params or {}).get("values", [])
            if isinstance(raw, str):
                raw = re.split(r"[,，、\n]", raw)
            values = (
                [str(v).strip() for v in raw if str(v).strip()] if isinstance(raw, list) else []
            )
            if not values:
                errors["params"] = ["请列出允许的取值"]
            elif len(values) > MAX_ENUM_VALUES or any(len(v) > 100 for v in values):
                errors["params"] = [f"至多 {MAX_ENUM_VALUES} 个取值，每个至多 100 个字符"]
            params["values"] = values
        elif check == CheckType.REGEX:
            pattern = str((draft.params or {}).get("pattern", "")).strip()
            if not pattern:
                errors["params"] = ["请填写正则表达式"]
            elif len(pattern) > MAX_PATTERN:
                errors["params"] = [f"正则表达式至多 {MAX_PATTERN} 个字符"]
            elif _NESTED_QUANTIFIER.search(pattern):
                errors["params"] = ["正则表达式不能嵌套重复（如 (a+)+），以免检查耗时失控"]
            else:
                try:
                    re.compile(pattern)
                except re.error as error:
                    errors["params"] = [f"正则表达式无效：{error}"]
            params["pattern"] = pattern
    registry = draft.registry if draft.kind == Kind.REFERENCE else ""
    if draft.kind == Kind.REFERENCE and registry not in QualityRule.Registry.values:
        errors["registry"] = ["请选择关联的基础库"]
    try:
        weight = int(draft.weight)
    except (TypeError, ValueError):
        weight = 0
    if not 1 <= weight <= MAX_WEIGHT:
        errors["weight"] = [f"权重应为 1 至 {MAX_WEIGHT} 的整数"]
    if errors:
        raise ValidationFailed("质量规则有误，请按提示修改", fields=errors)
    return RuleDraft(
        kind=draft.kind,
        field_names=names,
        check_type=check,
        registry=registry,
        params=params,
        weight=weight,
    )


def _record(principal: Principal, *, action: str, rule: QualityRule, resource, detail) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=f"quality.rule.{action}",
        object_type="quality.rule",
        object_id=str(rule.pk),
        source_address=principal.source_address,
        detail={"resource": resource.code, **detail},
    )
    event_publish(
        topic="quality.rule.changed",
        payload={
            "rule_id": rule.pk,
            "resource_id": resource.pk,
            "action": action,
            "actor": principal.actor,
        },
    )


def _snapshot(draft: RuleDraft | QualityRule) -> dict[str, Any]:
    return {
        "kind": draft.kind,
        "field_names": list(draft.field_names),
        "check_type": draft.check_type,
        "registry": draft.registry,
        "params": draft.params,
        "weight": draft.weight,
    }


def quality_rule_create(*, principal: Principal, resource_id: int, draft: RuleDraft) -> QualityRule:
    resource = _resource_for(principal, resource_id, "quality.rule.create")
    cleaned = _clean(resource, draft)
    with transaction.atomic():
        if QualityRule.objects.filter(resource_id=resource.pk).count() >= MAX_RULES:
            raise ValidationFailed(
                f"每个资源至多 {MAX_RULES} 条质量规则", code="quality_rules_full"
            )
        rule = QualityRule.objects.create(
            resource_id=resource.pk, created_by=principal.actor, **_snapshot(cleaned)
        )
        _record(principal, action="create", rule=rule, resource=resource, detail=_snapshot(rule))
    return rule


def _rule(rule_id: int) -> QualityRule:
    rule = QualityRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("质量规则不存在", code="quality_rule_unknown")
    return rule


def quality_rule_update(*, principal: Principal, rule_id: int, draft: RuleDraft) -> QualityRule:
    """Change a rule's fields, check, parameters or weight (its kind stays)."""
    current = _rule(rule_id)
    resource = _resource_for(principal, current.resource_id, "quality.rule.update")
    if draft.kind != current.kind:
        raise ValidationFailed("规则类型不能修改，请新建规则", fields={"kind": ["不能修改"]})
    cleaned = _clean(resource, draft)
    with transaction.atomic():
        rule = QualityRule.objects.select_for_update().get(pk=current.pk)
        before = _snapshot(rule)
        for name, value in _snapshot(cleaned).items():
            setattr(rule, name, value)
        rule.save()
        _record(
            principal,
            action="update",
            rule=rule,
            resource=resource,
            detail={"before": before, "after": _snapshot(rule)},
        )
    return rule


def quality_rule_activate(*, principal: Principal, rule_id: int, is_active: bool) -> QualityRule:
    """Switch a rule on or off; a rule switched off no longer counts, and the next run
    closes its issues."""
    current = _rule(rule_id)
    resource = _resource_for(principal, current.resource_id, "quality.rule.activate")
    with transaction.atomic():
        rule = QualityRule.objects.select_for_update().get(pk=current.pk)
        if rule.is_active == is_active:
            return rule
        rule.is_active = is_active
        rule.save(update_fields=["is_active", "updated_at"])
        _record(
            principal,
            action="enable" if is_active else "disable",
            rule=rule,
            resource=resource,
            detail={},
        )
    return rule


def _looks_like(field, *, words: tuple[str, ...], names: tuple[str, ...]) -> bool:
    element = (field.standard_element or "") + (field.label or "")
    return any(w in element for w in words) or field.name in names


def quality_rules_suggest(*, resource) -> list[RuleDraft]:
    """Default rules from the catalog's metadata: required -> completeness; a GB/T 2260
    code list -> region validity; an ID number or USCC element -> ID/USCC validity (and,
    for a USCC outside the entity registry itself, a reference to it); dates and numbers
    -> type validity; the key field -> uniqueness; a regular update frequency ->
    timeliness."""
    drafts: list[RuleDraft] = []
    is_registry = resource.storage.startswith("registry.")
    for item in resource_field_list(resource_id=resource.pk):
        one = [item.name]
        if item.is_required:
            drafts.append(RuleDraft(Kind.COMPLETENESS, one, reason="数据项必填"))
        if "2260" in (item.code_list or ""):
            drafts.append(
                RuleDraft(Kind.VALIDITY, one, CheckType.REGION, reason="代码集 GB/T 2260")
            )
        elif _looks_like(
            item, words=("身份号码", "身份证"), names=("id_number", "legal_rep_id_number")
        ):
            drafts.append(
                RuleDraft(Kind.VALIDITY, one, CheckType.ID_NUMBER, reason="标准数据元：身份号码")
            )
        elif _looks_like(item, words=("统一社会信用代码",), names=("uscc",)):
            drafts.append(
                RuleDraft(Kind.VALIDITY, one, CheckType.USCC, reason="标准数据元：统一社会信用代码")
            )
            if resource.storage != "registry.entity":
                drafts.append(
                    RuleDraft(
                        Kind.REFERENCE, one, registry="entity", reason="统一社会信用代码应已登记"
                    )
                )
        elif item.data_type == "date":
            drafts.append(RuleDraft(Kind.VALIDITY, one, CheckType.DATE, reason="数据类型：日期"))
        elif item.data_type == "integer" and not is_registry:
            drafts.append(RuleDraft(Kind.VALIDITY, one, CheckType.INTEGER, reason="数据类型：整数"))
        elif item.data_type == "decimal" and not is_registry:
            drafts.append(RuleDraft(Kind.VALIDITY, one, CheckType.DECIMAL, reason="数据类型：小数"))
    if resource.key_field:
        drafts.append(RuleDraft(Kind.UNIQUENESS, [resource.key_field], reason="主键字段"))
    if resource.update_frequency in MAX_AGE_DAYS:
        drafts.append(
            RuleDraft(
                Kind.TIMELINESS, reason=f"更新周期：{resource.get_update_frequency_display()}"
            )
        )
    return drafts


def quality_rules_adopt(*, principal: Principal, resource_id: int) -> list[QualityRule]:
    """Save the suggested rules the resource does not have yet (one transaction)."""
    resource = _resource_for(principal, resource_id, "quality.rule.adopt")
    existing = list(QualityRule.objects.filter(resource_id=resource.pk))
    wanted = [
        _clean(resource, d)
        for d in quality_rules_suggest(resource=resource)
        if not any(d.same_as(rule) for rule in existing)
    ]
    made: list[QualityRule] = []
    with transaction.atomic():
        for draft in wanted:
            rule = QualityRule.objects.create(
                resource_id=resource.pk, created_by=principal.actor, **_snapshot(draft)
            )
            _record(
                principal, action="create", rule=rule, resource=resource, detail=_snapshot(rule)
            )
            made.append(rule)
    return made
