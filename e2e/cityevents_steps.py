"""Steps shared by the city-event browser tests: staff accounts with an authenticator, and
acting on an event's page as the person responsible for its stage."""

from __future__ import annotations

from pathlib import Path

from digigov.kernel.organizations.models import Organization
from digigov.portals.testing import PASSWORD, totp_device_make
from digigov.support.identity import services as identity


def event_staff_make(username: str, organization_code: str, role: str):
    """A civil servant of the organization with one role; returns their TOTP device."""
    account = identity.staff_account_create(
        actor=None,
        username=username,
        password=PASSWORD,
        real_name=username,
        organization_id=Organization.objects.get(code=organization_code).pk,
        roles=[role],
    )
    return totp_device_make(account)


def event_act(page, base_url: str, number: str, action_label: str, *, photo: Path | None = None):
    """Open the event's page and submit the action's form (with a photo where one is needed)."""
    page.goto(f"{base_url}/staff/events/{number}/")
    form = page.locator("form", has=page.get_by_role("button", name=action_label, exact=True))
    if photo is not None:
        form.get_by_label("现场照片").set_input_files(str(photo))
    with page.expect_navigation():
        form.get_by_role("button", name=action_label, exact=True).click()
