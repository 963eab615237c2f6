"""政务服务监督 in a browser: a workflow case accepted by the Guangzhou market-regulation
window runs past its deadline; after the daily warning run a Guangzhou supervisor signs in
with an authenticator code and finds it in the red (超期) list, and not the case still on
time."""

import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

import pytest
from browser_steps import login
from django.contrib.auth import get_user_model
from django.utils import timezone

from digigov.apps.services.models import Application, CaseTask
from digigov.apps.services.services.applications import application_submit
from digigov.apps.services.services.clock import clock_warnings_refresh
from digigov.apps.services.services.workflow import task_complete
from digigov.apps.services.testing import item_make, organizations_ready
from digigov.kernel.organizations.models import Organization
from digigov.portals.testing import PASSWORD, citizen_make, totp_code, totp_device_make
from digigov.support.identity import services as identity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

_keys = itertools.count(1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _staff(username: str, organization_code: str, role: str):
    identity.roles_seed()
    return identity.staff_account_create(
        actor=None,
        username=username,
        password=PASSWORD,
        real_name=username,
        organization_id=Organization.objects.get(code=organization_code).pk,
        roles=[role],
    )


def _accepted_case(
    *, code: str, name: str, promised_days: int, applicant, clerk, accepted_on: dt.date
) -> Application:
    """A workflow case filed online by the citizen and accepted at the window through the
    workflow task service (the 受理 step), which starts its statutory clock. The clock
    counts from `accepted_on`: as in the clock tests (clock_cases.accept), the acceptance
    time is set beforehand, since a browser test cannot wait weeks for a deadline."""
    item_make(
        code=code,
        name=name,
        organization_code="440100-scjg",
        approval_mode="workflow",
        workflow_process="general_approval",
        promised_days=promised_days,
        statutory_days=max(20, promised_days),
    )
    application = application_submit(
        principal=applicant.as_principal(),
        item_code=code,
        form_data={"phone": "13800138000"},
        idempotency_key=f"e2e-supervision-{next(_keys)}",
    )
    accepted_at = dt.datetime.combine(accepted_on, dt.time(10), tzinfo=SHANGHAI)
    Application.objects.filter(pk=application.pk).update(accepted_at=accepted_at)
    task = CaseTask.objects.get(application=application, spec_name="accept", status="open")
    task_complete(principal=clerk.as_principal(), task_id=task.pk, outcome="accepted")
    application.refresh_from_db()
    assert application.status == "accepted" and application.deadline is not None
    return application


def test_supervisor_sees_the_late_case_in_red(open_browser, base_url, registry, screenshot):
    organizations_ready()
    applicant = citizen_make(username="late_applicant", id_number=registry.id_numbers[0])
    clerk = get_user_model().objects.get(pk=_staff("e2e_clerk", "440100-scjg", "窗口受理人员").pk)
    today = timezone.localdate()
    three_weeks_ago = today - dt.timedelta(days=21)
    late = _accepted_case(
        code="E2E-LATE-440100",
        name="食品生产许可",
        promised_days=2,
        applicant=applicant,
        clerk=clerk,
        accepted_on=three_weeks_ago,
    )
    on_time = _accepted_case(
        code="E2E-ONTIME-440100",
        name="食品生产许可延续",
        promised_days=60,
        applicant=applicant,
        clerk=clerk,
        accepted_on=three_weeks_ago,
    )
    assert late.deadline < today < on_time.deadline
    # The daily warning run (`digigov services_clock`).
    result = clock_warnings_refresh()
    assert result["red"] == 1
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (late.warning, on_time.warning) == ("red", "")

    supervisor = _staff("e2e_gz_supervisor", "440100-zsj", "政务服务监督人员")
    device = totp_device_make(supervisor)
    page = open_browser().page
    page.goto(f"{base_url}/staff/supervision/")
    login(page, base_url, username="e2e_gz_supervisor", password=PASSWORD)
    assert "/login/otp/" in page.url
    page.get_by_label("动态验证码").fill(totp_code(device))
    with page.expect_navigation():
        page.get_by_role("button", name="验证").click()
    assert page.url == f"{base_url}/staff/supervision/"
    assert page.get_by_role("heading", level=1).inner_text() == "政务服务监督"
    assert "广州市政务服务数据管理局" in page.locator(".lead").first.inner_text()

    assert page.get_by_test_id("red-count").inner_text() == "1"
    red = page.locator("section", has=page.get_by_role("heading", name="红牌超期办件"))
    red_rows = red.get_by_role("row").filter(has_text=late.number)
    assert red_rows.count() == 1
    assert "食品生产许可" in red_rows.inner_text()
    assert "广州市市场监督管理局" in red_rows.inner_text()
    assert late.deadline.isoformat() in red_rows.inner_text()
    assert re.search(r"超期 \d+ 天", red_rows.inner_text()), red_rows.inner_text()
    assert on_time.number not in red.inner_text()
    screenshot(page, "supervision-red")

    # Drill down: the red figure opens the list of overdue cases.
    with page.expect_navigation():
        page.get_by_test_id("red-count").get_by_role("link").click()
    assert page.url.startswith(f"{base_url}/staff/supervision/cases/?state=red")
    listing = page.locator("main").inner_text()
    assert late.number in listing
    assert on_time.number not in listing
