"""Steps shared by the city-event browser tests: staff accounts with an authenticator, and
acting on an event's page as the person responsible for its stage."""

from __future__ import annotations

from pathlib import Path

from browser_steps import staff_login

from digigov.kernel.organizations.models import Organization
from digigov.portals.testing import PASSWORD, totp_code, totp_device_make
from digigov.support.identity import services as identity


def event_staff_make(username: str, organization_code: str, role: str, *, real_name: str = ""):
    """A civil servant of the organization with one role; returns their TOTP device."""
    account = identity.staff_account_create(
        actor=None,
        username=username,
        password=PASSWORD,
        real_name=real_name or username,
        organization_id=Organization.objects.get(code=organization_code).pk,
        roles=[role],
    )
    return totp_device_make(account)


def event_staff_page(
    open_browser,
    base_url: str,
    username: str,
    device,
    *,
    password: str = PASSWORD,
    next_path: str = "/staff/events/",
    **browser,
):
    """A new browser (`browser`: e.g. viewport=PHONE) logged in as the staff member."""
    page = open_browser(**browser).page
    staff_login(
        page,
        base_url,
        username=username,
        password=password,
        code=totp_code(device),
        next_path=next_path,
    )
    return page


def event_act(page, base_url: str, number: str, action_label: str, *, photo: Path | None = None):
    """Open the event's page and submit the action's form (with a photo where one is needed)."""
    page.goto(f"{base_url}/staff/events/{number}/")
    form = page.locator("form", has=page.get_by_role("button", name=action_label, exact=True))
    if photo is not None:
        form.get_by_label("现场照片").set_input_files(str(photo))
    with page.expect_navigation():
        form.get_by_role("button", name=action_label, exact=True).click()
