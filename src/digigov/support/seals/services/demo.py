"""Demo seed (order 47): official seals of the departments that issue licenses in the demo,
one application waiting for approval, and a 印章管理员 and a 印章审批人员 at 广州市市场监督
管理局 (with TOTP devices, password of the "staff" demo login)."""

from __future__ import annotations

from typing import Any

from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import LIVE_STATUSES, Seal, SealKind
from . import lifecycle

DEMO_SEAL_ORGANIZATIONS = [
    "440100-scjg",
    "440100-gat",
    "440100-rsj",
    "440100-mzt",
    "440100-wjw",
    "440100-zrzy",
    "440000-zsj",
]
# username -> (organization, roles, name, label for `digigov demo_logins`)
DEMO_SEAL_STAFF: dict[str, tuple[str, list[str], str, str]] = {
    "gz_scjg_seal_admin": ("440100-scjg", ["印章管理员"], "冯印管", "广州市场监管 印章管理员"),
    "gz_scjg_seal_approver": (
        "440100-scjg",
        ["印章审批人员"],
        "邓印审",
        "广州市场监管 印章审批（四眼）",
    ),
}


def _operator(organization: Organization, role: str, permissions: set[str]) -> Principal:
    return Principal(
        kind="operator",
        id=f"seed-{role}",
        label=f"演示数据（{'印章管理员' if role == 'admin' else '印章审批人员'}）",
        organization_id=organization.pk,
        permissions=frozenset(permissions),
    )


def _staff_accounts() -> dict[str, Any]:
    from digigov.support.identity import services as identity

    identity.roles_seed()
    made = {}
    for username, (org_code, roles, name, _label) in DEMO_SEAL_STAFF.items():
        account, _ = identity.demo_staff_account(
            username=username, org_code=org_code, roles=roles, name=name, add_roles=False
        )
        if account is not None:
            made[username] = account
    return made


def seals_demo_seed(**_options: Any) -> str:
    """Idempotent: a department that already has a live seal of the kind is left alone."""
    accounts = _staff_accounts()
    active = 0
    for code in DEMO_SEAL_ORGANIZATIONS:
        organization = Organization.objects.filter(code=code, is_active=True).first()
        if organization is None:
            continue
        if Seal.objects.filter(
            organization=organization, kind=SealKind.OFFICIAL, status__in=LIVE_STATUSES
        ).exists():
            continue
        seal = lifecycle.seal_apply(
            principal=_operator(organization, "admin", {lifecycle.APPLY}),
            kind=SealKind.OFFICIAL,
            purpose_note="演示：单位公章",
        )
        lifecycle.seal_approve(
            principal=_operator(organization, "approver", {lifecycle.APPROVE}),
            seal_id=seal.pk,
            note="演示数据",
        )
        active += 1
    waiting = 0
    admin = accounts.get("gz_scjg_seal_admin")
    if (
        admin is not None
        and not Seal.objects.filter(
            organization_id=admin.organization_id, kind=SealKind.APPROVAL, status__in=LIVE_STATUSES
        ).exists()
    ):
        lifecycle.seal_apply(
            principal=admin.as_principal(),
            kind=SealKind.APPROVAL,
            purpose_note="行政审批决定书加盖，替代实物印章",
        )
        waiting += 1
    if not active and not waiting:
        return "已存在，未改动"
    return f"启用 {active} 枚单位公章，{waiting} 枚待审批"
