"""卡包: whose licenses a principal sees, with which effective status, and that another
holder's license is "not found" and audited."""

# ruff: noqa: F811 (pytest fixtures are imported from test_wallet_support)

from __future__ import annotations

import datetime as dt

import pytest

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import Principal
from digigov.support.identity import services as identity
from digigov.support.identity import testing as accounts

from ..models import License
from ..selectors.wallet import license_uses, wallet_license, wallet_list
from ..services.status import license_revoke, license_suspend
from ..testing import SYSTEM
from .test_wallet_support import (  # noqa: F401 (fixtures)
    citizen,
    expired_issue,
    issue,
    legal_rep,
    other_citizen,
    principal_of,
    world,
)


def test_citizen_sees_own_licenses_with_effective_status(world, citizen):
    me = world.people[0]
    valid = issue(me)
    suspended = issue(me)
    lapsed = issue(me)
    revoked = issue(me)
    expired = expired_issue(me)
    issue(world.people[1])  # someone else's
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    license_suspend(principal=SYSTEM, address=suspended.address, until=tomorrow, reason="违章")
    license_suspend(principal=SYSTEM, address=lapsed.address, until=tomorrow, reason="违章")
    # the suspension's date passes: it reads as valid without anybody lifting it
    License.objects.filter(pk=lapsed.pk).update(
        suspended_until=dt.date.today() - dt.timedelta(days=1)
    )
    license_revoke(principal=SYSTEM, address=revoked.address, reason="注销")

    cards = {c.address: c for c in wallet_list(principal=principal_of(citizen))}

    assert set(cards) == {x.address for x in (valid, suspended, lapsed, revoked, expired)}
    assert cards[valid.address].status == "valid"
    assert cards[suspended.address].status == "suspended"
    assert cards[suspended.address].suspended_until == tomorrow
    assert cards[lapsed.address].status == "valid"
    assert cards[revoked.address].status == "revoked"
    assert cards[expired.address].status == "expired"
    assert cards[expired.address].status_label == "已过期"


def test_detail_shows_face_data_and_audits_the_read(world, citizen):
    license = issue(world.people[0], data={"category": "乙", "issued_on": "2026-01-02"})
    detail = wallet_license(principal=principal_of(citizen), address=license.address)
    assert [(r.label, r.value) for r in detail.face] == [("类别", "乙"), ("发证日期", "2026-01-02")]
    assert detail.holder_key_masked != world.people[0]  # masked in the header
    assert AuditEntry.objects.filter(
        action="licenses.license.view", object_id=license.address, outcome="success"
    ).exists()


def test_another_persons_license_is_not_found_and_audited(world, citizen, other_citizen):
    theirs = issue(world.people[1])
    with pytest.raises(NotFound):
        wallet_license(principal=principal_of(citizen), address=theirs.address)
    with pytest.raises(NotFound):
        license_uses(principal=principal_of(citizen), address=theirs.address)
    assert AuditEntry.objects.filter(
        action="licenses.license.view", object_id=theirs.address, outcome="denied"
    ).exists()
    # the holder does see it
    assert wallet_license(principal=principal_of(other_citizen), address=theirs.address)


def test_real_name_is_required(world):
    unverified = accounts.citizen_make("l1only")  # L1: no verified ID number
    with pytest.raises(PermissionDenied) as caught:
        wallet_list(principal=principal_of(unverified))
    assert caught.value.code == "licenses/real_name_required"


@pytest.mark.parametrize(
    "principal",
    [
        Principal(kind="anonymous"),
        Principal(kind="staff", id="1", permissions=frozenset({"licenses.issue_license"})),
        Principal(kind="machine", id="1", scopes=frozenset({"licenses:use"})),
    ],
)
def test_only_holders_open_a_wallet(world, principal):
    issue(world.people[0])
    with pytest.raises((PermissionDenied, Unauthenticated)):
        wallet_list(principal=principal)


def test_legal_rep_sees_the_entitys_licenses_only(world, legal_rep):
    ours = issue(world.usccs[0], code="TESTE")
    theirs = issue(world.usccs[1], code="TESTE")
    principal = principal_of(legal_rep)
    cards = wallet_list(principal=principal, uscc=world.usccs[0])
    assert [c.address for c in cards] == [ours.address]
    with pytest.raises(PermissionDenied):
        wallet_list(principal=principal, uscc=world.usccs[1])
    with pytest.raises(PermissionDenied):
        wallet_license(principal=principal, address=theirs.address, uscc=world.usccs[1])
    with pytest.raises(NotFound):
        wallet_license(principal=principal, address=theirs.address, uscc=world.usccs[0])


def _agent(legal_rep, world, username: str, id_number: str, scopes: list[str]):
    agent = accounts.enterprise_make(username, id_number)
    identity.entity_agent_authorise(
        principal=principal_of(legal_rep),
        uscc=world.usccs[0],
        agent_id_number=id_number,
        agent_name=agent.real_name,
        scopes=scopes,
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=30),
    )
    return agent


def test_agent_needs_the_license_scope(world, legal_rep):
    issue(world.usccs[0], code="TESTE")
    applying_only = _agent(legal_rep, world, "agent1", world.people[3], ["apply"])
    with pytest.raises(PermissionDenied) as caught:
        wallet_list(principal=principal_of(applying_only), uscc=world.usccs[0])
    assert caught.value.code == "licenses/not_entity_agent"
    using = _agent(legal_rep, world, "agent2", world.people[4], ["apply", "license"])
    assert len(wallet_list(principal=principal_of(using), uscc=world.usccs[0])) == 1


# --- /api/v1/licenses/wallet ---------------------------------------------------------------

WALLET = "/api/v1/licenses/wallet"


def test_wallet_api_needs_a_holder(client, world, citizen):
    issue(world.people[0])
    assert client.get(WALLET).status_code == 401
    from .test_wallet_support import client_make

    _bank, headers = client_make()
    assert client.get(WALLET, **headers).status_code == 403


def test_wallet_api_lists_shows_and_downloads_own_licenses(client, world, citizen):
    from ..models import LicenseUse
    from .test_wallet_support import login

    mine = issue(world.people[0])
    theirs = issue(world.people[1])
    login(client, citizen)
    cards = client.get(WALLET).json()
    assert [c["address"] for c in cards] == [mine.address]
    detail = client.get(f"{WALLET}/{mine.address}").json()
    assert detail["face"][0] == {"key": "category", "label": "类别", "value": "甲"}
    assert client.get(f"{WALLET}/{theirs.address}").status_code == 404
    shown = client.post(
        f"{WALLET}/{mine.address}/show", {"fields": ["category"]}, content_type="application/json"
    )
    assert shown.status_code == 201 and "/verify/s/" in shown.json()["url"]
    download = client.get(f"{WALLET}/{mine.address}/download?format=json")
    assert download.status_code == 200 and download.json()["signature"] == mine.signature
    assert client.get(f"{WALLET}/{theirs.address}/download?format=json").status_code == 404
    assert list(LicenseUse.objects.values_list("license__address", "kind")) == [
        (mine.address, "download")
    ]
    uses = client.get(f"{WALLET}/{mine.address}").json()["uses"]
    assert [u["kind"] for u in uses] == ["download"]


def test_wallet_list_queries_do_not_grow_with_the_licenses(
    client, world, citizen, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .test_wallet_support import login

    issue(world.people[0])
    login(client, citizen)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(WALLET).json()) == 1
    for _ in range(4):
        issue(world.people[0])
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(WALLET).json()) == 5
