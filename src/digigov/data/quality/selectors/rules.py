"""Rules of a resource as the pages show them, and what a principal may do with them."""

from __future__ import annotations

from dataclasses import dataclass

from digigov.data.catalog.selectors.resources import resource_by_id, resource_field_list
from digigov.kernel.errors import NotFound, PermissionDenied
from digigov.kernel.principals import Principal

from ..models import QualityRule
from .access import RULES, VIEW, quality_scope

Kind = QualityRule.Kind


def rule_describe(rule: QualityRule, labels: dict[str, str]) -> str:
    """A short Chinese description: 有效性：公民身份号码（GB 11643）——法定代表人身份号码."""
    names = "、".join(labels.get(n, n) for n in rule.field_names)
    if rule.kind == Kind.COMPLETENESS:
        return f"完整性：“{names}”不能为空"
    if rule.kind == Kind.VALIDITY:
        what = rule.get_check_type_display()
        if rule.check_type == QualityRule.Check.ENUM:
            what = "取值为 " + "、".join(str(v) for v in rule.params.get("values", [])[:8])
        elif rule.check_type == QualityRule.Check.REGEX:
            what = f"符合 {rule.params.get('pattern', '')}"
        return f"有效性：“{names}”应为{what}"
    if rule.kind == Kind.UNIQUENESS:
        return f"唯一性：“{names}”不能重复"
    if rule.kind == Kind.REFERENCE:
        return f"关联一致性：“{names}”须存在于{rule.get_registry_display()}"
    days = rule.params.get("max_age_days")
    limit = f"（至多 {days} 天）" if days else ""
    return f"及时性：按更新周期{limit}按时更新"


@dataclass(frozen=True)
class RuleRow:
    rule: QualityRule
    description: str


@dataclass(frozen=True)
class ResourceRules:
    resource_id: int
    code: str
    name: str
    organization_name: str
    rules: list[RuleRow]
    fields: list[tuple[str, str]]  # (name, label) for the rule editor
    may_edit: bool


def field_labels(resource_id: int) -> dict[str, str]:
    return {f.name: f.label for f in resource_field_list(resource_id=resource_id)}


def quality_rules_for(*, principal: Principal, resource_id: int) -> ResourceRules:
    """A resource's rules, if the principal may see its quality at all."""
    scope = quality_scope(principal=principal, purpose=VIEW)
    resource = resource_by_id(resource_id=resource_id)
    if resource is None or not scope.covers(resource.organization):
        raise NotFound("数据资源不存在或无权查看", code="resource_unknown")
    try:
        may_edit = quality_scope(principal=principal, purpose=RULES).covers(resource.organization)
    except PermissionDenied:  # no rule-editing permission at all
        may_edit = False
    fields = resource_field_list(resource_id=resource.pk)
    labels = {f.name: f.label for f in fields}
    rules = QualityRule.objects.filter(resource_id=resource.pk).order_by("id")
    return ResourceRules(
        resource_id=resource.pk,
        code=resource.code,
        name=resource.name,
        organization_name=resource.organization.name,
        rules=[RuleRow(rule, rule_describe(rule, labels)) for rule in rules],
        fields=[(f.name, f.label) for f in fields],
        may_edit=may_edit,
    )
