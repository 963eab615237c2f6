"""授权用证 through the API: a registered third party asks, learns nothing until the holder
grants, reads the license only while the grant lasts (each read shown to the holder), and
never reads another client's grant. Refused calls change nothing."""

# ruff: noqa: F811 (pytest fixtures are imported from test_wallet_support)

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digigov.kernel.errors import PermissionDenied

from ..models import Authorization, LicenseUse
from ..selectors.wallet import license_uses, wallet_authorizations
from ..services.use import authorizations_expire
from .test_wallet_support import (  # noqa: F401 (fixtures)
    OPERATOR,
    citizen,
    client_make,
    issue,
    login,
    other_citizen,
    principal_of,
    world,
)

URL = "/api/v1/licenses/authorizations"


def _ask(client, headers, holder_key, **overrides):
    body = {
        "holder_kind": "person",
        "holder_key": holder_key,
        "license_type": "TESTZ",
        "purpose": "开立个人账户",
        "days": 30,
    }
    body.update(overrides)
    return client.post(URL, body, content_type="application/json", **headers)


@pytest.fixture
def bank(world):
    return client_make("某某银行")


def test_request_is_pending_whether_or_not_the_holder_has_the_license(client, world, bank):
    _bank, headers = bank
    issue(world.people[0])
    with_license = _ask(client, headers, world.people[0])
    without = _ask(client, headers, world.people[2])
    assert with_license.status_code == without.status_code == 201
    strip = {"id", "requested_at"}
    assert {k: v for k, v in with_license.json().items() if k not in strip} == {
        k: v for k, v in without.json().items() if k not in strip
    }
    assert with_license.json()["status"] == "pending"
    # asking again while pending returns the same request
    assert _ask(client, headers, world.people[0]).json()["id"] == with_license.json()["id"]


@pytest.mark.parametrize("who", ["anonymous", "no_scope", "citizen"])
def test_only_use_clients_may_ask(client, world, citizen, who):
    headers = {}
    if who == "no_scope":
        _c, headers = client_make(scopes=("services:read",))
    elif who == "citizen":
        login(client, citizen)
    response = _ask(client, headers, world.people[0])
    assert response.status_code == (401 if who == "anonymous" else 403)
    assert not Authorization.objects.exists()


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"days": 91}, "days"),
        ({"days": 0}, "days"),
        ({"holder_key": "440101199001011234"}, "holder_key"),
        ({"license_type": "NOPE"}, "license_type"),
        ({"license_type": "TESTE"}, "license_type"),  # an entity's license for a person
        ({"purpose": " "}, "purpose"),
        ({"holder_kind": "robot"}, "holder_kind"),
    ],
)
def test_bad_requests_are_refused_field_by_field(client, world, bank, overrides, field):
    _bank, headers = bank
    overrides = dict(overrides)
    response = _ask(client, headers, overrides.pop("holder_key", world.people[0]), **overrides)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not Authorization.objects.exists()


def test_grant_read_withdraw(client, world, bank, citizen):
    bank_client, headers = bank
    license = issue(world.people[0])
    authorization_id = _ask(client, headers, world.people[0]).json()["id"]
    read_url = f"{URL}/{authorization_id}/license"

    # before the holder decides: nothing to read
    assert client.get(read_url, **headers).status_code == 409
    pending = wallet_authorizations(principal=principal_of(citizen))
    assert [c.address for c in pending[0].candidates] == [license.address]

    login(client, citizen)
    granted = client.post(
        f"/api/v1/licenses/wallet/authorizations/{authorization_id}/grant",
        {"address": license.address},
        content_type="application/json",
    )
    assert granted.status_code == 200 and granted.json()["status"] == "granted"
    client.logout()

    status = client.get(f"{URL}/{authorization_id}", **headers).json()
    assert status["status"] == "granted" and status["expires_at"]
    view = client.get(read_url, **headers)
    assert view.status_code == 200
    body = view.json()
    assert body["address"] == license.address and body["data"] == {"category": "甲"}
    assert body["envelope"]["signature"] == license.signature
    use = LicenseUse.objects.get()
    assert (use.kind, use.client_id, use.authorization_id) == (
        "third_party",
        bank_client.pk,
        authorization_id,
    )
    uses = license_uses(principal=principal_of(citizen), address=license.address)
    assert uses[0].user_label == "某某银行" and uses[0].purpose == "开立个人账户"

    # another client cannot see it, and its attempt is not a use
    _other, other_headers = client_make("另一家银行")
    assert client.get(read_url, **other_headers).status_code == 404
    assert client.get(f"{URL}/{authorization_id}", **other_headers).status_code == 404
    assert LicenseUse.objects.count() == 1

    login(client, citizen)
    withdrawn = client.post(f"/api/v1/licenses/wallet/authorizations/{authorization_id}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "revoked"
    client.logout()
    assert client.get(read_url, **headers).status_code == 409
    assert LicenseUse.objects.count() == 1


def test_holder_may_refuse(client, world, bank, citizen):
    _bank, headers = bank
    issue(world.people[0])
    authorization_id = _ask(client, headers, world.people[0]).json()["id"]
    login(client, citizen)
    refused = client.post(
        f"/api/v1/licenses/wallet/authorizations/{authorization_id}/refuse",
        {"reason": "不需要"},
        content_type="application/json",
    )
    assert refused.json()["status"] == "refused"
    client.logout()
    assert client.get(f"{URL}/{authorization_id}", **headers).json()["status"] == "refused"
    assert client.get(f"{URL}/{authorization_id}/license", **headers).status_code == 409


@pytest.mark.parametrize("who", ["anonymous", "other_citizen", "bank"])
def test_only_the_holder_grants(client, world, bank, other_citizen, who):
    _bank, headers = bank
    license = issue(world.people[0])
    authorization_id = _ask(client, headers, world.people[0]).json()["id"]
    if who == "other_citizen":
        login(client, other_citizen)
    extra = headers if who == "bank" else {}
    response = client.post(
        f"/api/v1/licenses/wallet/authorizations/{authorization_id}/grant",
        {"address": license.address},
        content_type="application/json",
        **extra,
    )
    assert response.status_code in (401, 404)
    authorization = Authorization.objects.get()
    assert authorization.status == "pending" and authorization.license_id is None


def test_grant_needs_a_valid_license_of_the_holder_and_type(client, world, bank, citizen):
    _bank, headers = bank
    theirs = issue(world.people[1])
    authorization_id = _ask(client, headers, world.people[0]).json()["id"]
    login(client, citizen)
    response = client.post(
        f"/api/v1/licenses/wallet/authorizations/{authorization_id}/grant",
        {"address": theirs.address},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert Authorization.objects.get().status == "pending"


def test_expired_grants_read_as_expired_and_the_sweep_marks_them(client, world, bank, citizen):
    _bank, headers = bank
    license = issue(world.people[0])
    authorization_id = _ask(client, headers, world.people[0], days=1).json()["id"]
    login(client, citizen)
    client.post(
        f"/api/v1/licenses/wallet/authorizations/{authorization_id}/grant",
        {"address": license.address},
        content_type="application/json",
    )
    client.logout()
    Authorization.objects.filter(pk=authorization_id).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(f"{URL}/{authorization_id}/license", **headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "licenses/authorization_expired"
    assert client.get(f"{URL}/{authorization_id}", **headers).json()["status"] == "expired"
    assert not LicenseUse.objects.exists()
    with pytest.raises(PermissionDenied):
        authorizations_expire(principal=principal_of(citizen))
    assert authorizations_expire(principal=OPERATOR) == 1
    assert Authorization.objects.get().status == "expired"


def test_the_expire_command_marks_ended_grants(client, world, bank, citizen):
    from io import StringIO

    from django.core.management import call_command

    _bank, headers = bank
    license = issue(world.people[0])
    authorization_id = _ask(client, headers, world.people[0], days=1).json()["id"]
    login(client, citizen)
    client.post(
        f"/api/v1/licenses/wallet/authorizations/{authorization_id}/grant",
        {"address": license.address},
        content_type="application/json",
    )
    out = StringIO()
    call_command("licenses_authorizations_expire", stdout=out)
    assert "0 项" in out.getvalue()  # not ended yet
    Authorization.objects.filter(pk=authorization_id).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    call_command("licenses_authorizations_expire", stdout=out)
    assert "1 项" in out.getvalue()
    assert Authorization.objects.get().status == "expired"
