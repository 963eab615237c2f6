"""粤政易 · 事项审核: the review list, the diff against the published version, publish
(four-eyes) and reject, and who may see the page."""

from __future__ import annotations

import pytest

from digigov.apps.services.models import ServiceItem
from digigov.apps.services.services import items as svc
from digigov.apps.services.testing import DRAFTER, item_make
from digigov.portals import testing

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(db):
    item_make(code="GD-T-REV", name="社会保障卡申领", promised_days=10)
    svc.item_draft_edit(
        principal=DRAFTER, code="GD-T-REV", changes={"promised_days": 5}, change_note="压缩时限"
    )
    svc.item_submit_review(principal=DRAFTER, code="GD-T-REV")


@pytest.fixture
def reviewer(login):
    account = testing.staff_make(username="reviewer01", roles=("事项审核人员",))
    account.device = testing.totp_device_make(account)
    return login(account, verified=True)


def test_list_diff_and_publish(reviewer, in_review):
    listing = reviewer.get("/staff/items/").content.decode()
    assert "社会保障卡申领" in listing and "压缩时限" in listing
    detail = reviewer.get("/staff/items/GD-T-REV/")
    page = detail.content.decode()
    assert detail.status_code == 200
    assert "承诺办结时限（工作日）" in page and ">10<" in page and ">5<" in page
    response = reviewer.post("/staff/items/GD-T-REV/decide/", {"decision": "publish"})
    assert response.status_code == 302
    assert ServiceItem.objects.get(code="GD-T-REV").published.promised_days == 5


def test_reject_needs_comment(reviewer, in_review):
    reviewer.post("/staff/items/GD-T-REV/decide/", {"decision": "reject", "comment": ""})
    item = ServiceItem.objects.get(code="GD-T-REV")
    assert item.versions.get(number=2).status == "in_review"
    reviewer.post("/staff/items/GD-T-REV/decide/", {"decision": "reject", "comment": "依据不足"})
    assert item.versions.get(number=2).status == "rejected"


@pytest.mark.parametrize("kind", ["anonymous", "citizen", "staff_no_otp", "staff"])
def test_others_cannot_review(as_kind, kind, in_review):
    client = as_kind(kind)  # "staff" here is a window clerk without the review permission
    response = client.get("/staff/items/")
    assert response.status_code in (302, 403)
    client.post("/staff/items/GD-T-REV/decide/", {"decision": "publish"})
    assert ServiceItem.objects.get(code="GD-T-REV").published.number == 1
