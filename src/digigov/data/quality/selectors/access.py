"""Who may see and do what in 数据治理 and the analytics workspace.

A department's staff work on their own organization's resources; the data bureau (职能条线
"zsj": 政务服务数据管理局) sees every department of its region, the provincial bureau all of
them. Machines have no access here (the quality API takes staff sessions only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import PermissionDenied, Unauthenticated
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_code_prefix

SYSTEM_KINDS = frozenset({"system", "operator"})
BUREAU_FUNCTION = "zsj"

# Each purpose and the permissions that grant it (any one of them).
VIEW = "view"
RULES = "rules"
RUN = "run"
ISSUES = "issues"
WORKSPACE = "workspace"
PERMISSIONS: dict[str, frozenset[str]] = {
    VIEW: frozenset(
        {
            "quality.manage_rules",
            "quality.handle_issue",
            "catalog.register_resource",
            "catalog.review_resource",
        }
    ),
    RULES: frozenset({"quality.manage_rules", "catalog.register_resource"}),
    RUN: frozenset({"quality.manage_rules", "quality.handle_issue", "catalog.register_resource"}),
    ISSUES: frozenset({"quality.handle_issue", "quality.manage_rules"}),
    WORKSPACE: frozenset({"quality.use_workspace"}),
}
REFUSALS = {
    VIEW: "只有数据资源提供部门的数据管理人员和数据管理机构可以查看数据质量",
    RULES: "只有资源提供部门的数据目录管理员和数据管理机构可以维护质量规则",
    RUN: "只有资源提供部门的数据管理人员和数据管理机构可以发起质量检查",
    ISSUES: "只有资源提供部门的数据治理人员可以处理质量问题",
    WORKSPACE: "只有授权的数据分析人员可以使用数据分析工作台",
}


@dataclass(frozen=True)
class Scope:
    """The organizations whose resources a principal may see for a purpose."""

    is_all: bool
    region_prefix: str  # "" unless the scope is a data bureau's region
    organization_id: int | None  # the principal's own
    is_bureau: bool

    def organization_filter(self, field: str = "organization") -> Q:
        if self.is_all:
            return Q()
        if self.region_prefix:
            return Q(**{f"{field}__region_id__startswith": self.region_prefix})
        return Q(**{f"{field}_id": self.organization_id})

    def covers(self, organization: Organization) -> bool:
        if self.is_all:
            return True
        if self.region_prefix:
            return organization.region_id.startswith(self.region_prefix)
        return organization.pk == self.organization_id


def refuse(principal: Principal, *, action: str, object_type: str, object_id: str, reason: str):
    """Audit a refusal (outside the refused work's transaction) and raise."""
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )
    raise PermissionDenied(reason, code="quality_forbidden")


def quality_scope(*, principal: Principal, purpose: str = VIEW, action: str = "") -> Scope:
    """The principal's scope for a purpose; refuses (audited when `action` is given)."""
    if principal.kind in SYSTEM_KINDS:
        return Scope(is_all=True, region_prefix="", organization_id=None, is_bureau=True)
    if not principal.is_authenticated:
        raise Unauthenticated()
    allowed = principal.kind == "staff" and bool(principal.permissions & PERMISSIONS[purpose])
    organization = (
        Organization.objects.filter(pk=principal.organization_id).first()
        if allowed and principal.organization_id
        else None
    )
    if organization is None:
        if action:
            refuse(
                principal,
                action=action,
                object_type="quality",
                object_id="",
                reason=REFUSALS[purpose],
            )
        raise PermissionDenied(REFUSALS[purpose], code="quality_forbidden")
    if organization.function == BUREAU_FUNCTION:
        prefix = region_code_prefix(organization.region_id)
        return Scope(
            is_all=len(prefix) <= 2,
            region_prefix="" if len(prefix) <= 2 else prefix,
            organization_id=organization.pk,
            is_bureau=True,
        )
    return Scope(is_all=False, region_prefix="", organization_id=organization.pk, is_bureau=False)
