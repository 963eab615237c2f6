"""Who sees which dashboard. Staff holding governance.view_province see the province and
every city; staff holding only governance.view_dashboard see their own city (the city of
their organization's region). Machine clients need the scope governance:read and see the
province. Refusals are audited."""

from __future__ import annotations

from dataclasses import dataclass

from digigov.kernel.audit.services import audit_as
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_get

from ..constants import PROVINCE_CODE, SCOPE_READ, VIEW_DASHBOARD, VIEW_PROVINCE


@dataclass(frozen=True)
class DashboardScope:
    province: bool  # may see the province and every city
    city_code: str  # the one city otherwise

    def allows(self, region_code: str) -> bool:
        if self.province:
            return True
        return bool(self.city_code) and region_code[:4] == self.city_code[:4]

    @property
    def home(self) -> str:
        return PROVINCE_CODE if self.province else self.city_code


def _deny(principal: Principal, reason: str, region_code: str = "") -> None:
    audit_as(
        principal,
        action="governance.dashboard.access",
        object_type="regions.Region",
        object_id=region_code,
        outcome="denied",
        detail={"reason": reason},
    )


def dashboard_scope(*, principal: Principal) -> DashboardScope:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind == "machine":
        if principal.has_scope(SCOPE_READ):
            return DashboardScope(province=True, city_code="")
        _deny(principal, "scope")
        raise PermissionDenied("客户端缺少授权范围：governance:read", code="scope_missing")
    if principal.kind != "staff":
        _deny(principal, "not_staff")
        raise PermissionDenied("仅公职人员可以查看一网统管驾驶舱", code="governance/forbidden")
    if principal.has_perm(VIEW_PROVINCE):
        return DashboardScope(province=True, city_code="")
    region = principal.region_code
    if principal.has_perm(VIEW_DASHBOARD) and region and region != PROVINCE_CODE:
        return DashboardScope(province=False, city_code=region[:4] + "00")
    _deny(principal, "permission")
    raise PermissionDenied("无权查看一网统管驾驶舱", code="governance/forbidden")


def region_for(*, principal: Principal, region_code: str):
    """The region of a dashboard the principal may open (city or county within the scope),
    or NotFound / PermissionDenied (audited)."""
    scope = dashboard_scope(principal=principal)
    region = region_get(region_code) if region_code.isdigit() and len(region_code) == 6 else None
    if region is None or region.level not in ("province", "city", "county"):
        raise NotFound("行政区划不存在", code="governance/unknown_region")
    if not scope.allows(region.code):
        _deny(principal, "other_city", region.code)
        raise PermissionDenied("只能查看本市的驾驶舱", code="governance/other_city")
    return region
