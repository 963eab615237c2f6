"""粤政易 · 证照管理: the licenses of the clerk's organization (masked, searchable, paged),
issuing from the type's fields, the detail page with history and the status actions; who
gets in, and that refused actions change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from digigov.data.registries.selectors import person_brief
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.ids import mask_id_number
from digigov.support.identity import testing as identity_testing
from digigov.support.licenses.models import License
from digigov.support.licenses.services.issuance import license_issue
from digigov.support.licenses.testing import SYSTEM, issuer, type_make, world_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    world = world_make(people=8)
    type_make()  # TESTZ, a 市场监管 (scjg) type
    type_make("GATZ", name="公安测试证", issuing_function="gat")
    return world


def _issue(world, holder=0, code="TESTZ", organization="440100-scjg") -> License:
    return license_issue(
        principal=SYSTEM,
        type_code=code,
        issuer_id=issuer(organization).pk,
        holder_kind="person",
        holder_key=world.people[holder],
        data={"category": "甲"},
    )


def _clerk(client, username="scjg_clerk", organization="440100-scjg", roles=("制证人员",)):
    account = identity_testing.staff_make(
        username, organization_code=organization, roles=list(roles)
    )
    identity_testing.login(client, account)
    return account


def test_the_list_shows_own_licenses_masked_and_filters(world, client):
    mine = _issue(world)
    other = _issue(world, holder=1)
    foreign = _issue(world, holder=2, code="GATZ", organization="440100-gat")
    until = timezone.localdate() + dt.timedelta(days=30)
    from digigov.support.licenses.services.status import license_suspend

    license_suspend(principal=SYSTEM, address=other.address, until=until, reason="核查")
    _clerk(client)

    page = client.get("/staff/licenses/").content.decode()
    assert mine.number in page and other.number in page
    assert foreign.number not in page
    assert mine.holder_key not in page  # ID numbers masked in the list
    assert mine.holder_name not in page
    suspended = client.get("/staff/licenses/", {"status": "suspended"}).content.decode()
    assert other.number in suspended and mine.number not in suspended
    found = client.get("/staff/licenses/", {"q": mine.holder_key}).content.decode()
    assert mine.number in found and other.number not in found
    assert client.get("/staff/licenses/", {"page": "x", "status": "bogus"}).status_code == 200


def test_list_queries_do_not_grow_with_rows(world, client):
    _issue(world)
    _clerk(client)
    client.get("/staff/licenses/")
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/licenses/")
    for holder in range(1, 8):
        _issue(world, holder=holder)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/staff/licenses/").status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("citizen", 403), ("staff_no_otp", 302), ("staff_without_role", 403)],
)
def test_who_gets_in(world, client, who, status):
    if who == "citizen":
        identity_testing.login(client, identity_testing.citizen_make("citizen1", world.people[0]))
    elif who == "staff_no_otp":
        account = identity_testing.staff_make(
            "clerk2", organization_code="440100-scjg", roles=["制证人员"]
        )
        identity_testing.login(client, account, verified=False)
    elif who == "staff_without_role":
        _clerk(client, roles=("审批人员",))
    for path in ("/staff/licenses/", "/staff/licenses/new/"):
        assert client.get(path).status_code == status


def test_issue_from_the_types_fields(world, client):
    _clerk(client)
    form = client.get("/staff/licenses/new/", {"type": "TESTZ"}).content.decode()
    assert 'name="data_category"' in form and "GATZ" not in form  # only the clerk's line
    prefilled = client.get(
        "/staff/licenses/new/",
        {"type": "TESTZ", "holder_key": world.people[0], "prefill": "1"},
    )
    assert prefilled.status_code == 200
    assert person_brief(id_number=world.people[0]).name in prefilled.content.decode()
    assert AuditEntry.objects.filter(action="licenses.license.prefill").count() == 1

    bad = client.post(
        "/staff/licenses/new/",
        {"type": "TESTZ", "holder_key": world.people[0], "data_category": "丙"},
    )
    assert bad.status_code == 422
    assert "不在可选范围内" in bad.content.decode()
    assert License.objects.count() == 0

    response = client.post(
        "/staff/licenses/new/",
        {
            "type": "TESTZ",
            "holder_key": world.people[0],
            "data_category": "乙",
            "data_issued_on": "2026-02-03",
        },
    )
    license = License.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/licenses/{license.address}/"
    assert (license.source, license.data) == (
        "staff",
        {"category": "乙", "issued_on": "2026-02-03"},
    )


def test_another_lines_type_cannot_be_issued(world, client):
    _clerk(client)
    response = client.post(
        "/staff/licenses/new/",
        {"type": "GATZ", "holder_key": world.people[0], "data_category": "甲"},
    )
    assert response.status_code == 200  # the form, without that type
    assert License.objects.count() == 0


def test_detail_and_status_actions(world, client):
    license = _issue(world)
    _clerk(client)
    page = client.get(f"/staff/licenses/{license.address}/").content.decode()
    assert license.holder_key not in page  # masked by default, even on the detail page
    assert mask_id_number(license.holder_key) in page
    revealed = client.get(f"/staff/licenses/{license.address}/", {"reveal": "1"})
    assert license.holder_key in revealed.content.decode()  # on request; the read is audited
    assert "签发" in page and 'data-testid="license-history"' in page
    assert AuditEntry.objects.filter(
        action="licenses.license.read", object_id=license.address
    ).exists()

    base = f"/staff/licenses/{license.address}"
    until = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    client.post(f"{base}/suspend/", {"until": until, "reason": "暂扣三个月"})
    license.refresh_from_db()
    assert (license.status, license.suspended_until.isoformat()) == ("suspended", until)
    page = client.get(f"{base}/").content.decode()
    assert "暂停使用" in page and "暂扣三个月" in page

    past = client.post(f"{base}/suspend/", {"until": "2020-01-01", "reason": "x"}, follow=True)
    assert "未能暂停使用" in past.content.decode()
    client.post(f"{base}/resume/", {"reason": ""})
    license.refresh_from_db()
    assert license.status == "valid"

    renewed = client.post(f"{base}/renew/", {})
    new = License.objects.get(replaces=license)
    assert renewed["Location"] == f"/staff/licenses/{new.address}/"
    client.post(f"/staff/licenses/{new.address}/revoke/", {"reason": "依法吊销"})
    new.refresh_from_db()
    assert new.status == "revoked"


def test_another_departments_clerk_can_neither_see_nor_change(world, client):
    license = _issue(world)
    _clerk(client, username="gat_clerk", organization="440100-gat")
    assert client.get(f"/staff/licenses/{license.address}/").status_code == 403
    response = client.post(f"/staff/licenses/{license.address}/revoke/", {"reason": "越权"})
    assert response.status_code == 403
    license.refresh_from_db()
    assert license.status == "valid"
    assert AuditEntry.objects.filter(
        action="licenses.license.revoke", object_id=license.address, outcome="denied"
    ).exists()
