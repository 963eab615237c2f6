"""Test accounts of 一网统管 (made through the identity services), for this app's tests,
the staff pages' tests and the browser tests."""

from __future__ import annotations

from digigov.support.identity.testing import staff_make

DUTY_OFFICER = "指挥中心值班员"
CITY_VIEWER = "驾驶舱查看人员（本市）"


def governance_staff(
    username: str,
    *,
    organization_code: str = "440000-zsj",
    roles: tuple[str, ...] = (DUTY_OFFICER,),
):
    """A civil servant holding governance roles (and a TOTP device as `account.device`)."""
    return staff_make(username, organization_code=organization_code, roles=list(roles))
