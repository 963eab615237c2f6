"""Published license keys (active and retired) and key rotation: who may rotate, Ed25519 by
rotation, the operator command, the issuer document credentials point at."""

from __future__ import annotations

import base64

import pytest
from django.core.management import CommandError, call_command

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.support.identity import testing as identity_testing

from ..services.issuance import KEY_PURPOSE, license_issue
from ..services.keys import license_key_rotate
from ..testing import SYSTEM, issuer, type_make, world_make
from ..vc import ed25519_multikey


@pytest.fixture
def world(db):
    return world_make()


def _issue(world):
    type_make()
    return license_issue(
        principal=SYSTEM,
        type_code="TESTZ",
        issuer_id=issuer().pk,
        holder_kind="person",
        holder_key=world.people[0],
        data={"category": "甲"},
    )


def _license_keys() -> list:
    return crypto.public_keys(purpose=KEY_PURPOSE, owner="org:440100-scjg")


def test_keys_endpoint_lists_active_and_retired_keys_with_their_department(world, client):
    old = _issue(world)
    new_key = license_key_rotate(principal=SYSTEM, issuer_id=issuer().pk, algorithm="ed25519")

    response = client.get("/api/v1/licenses/keys")

    assert response.status_code == 200
    keys = {k["key_id"]: k for k in response.json()}
    assert set(keys) == {old.key_id, new_key}
    retired, active = keys[old.key_id], keys[new_key]
    assert (retired["algorithm"], retired["is_active"]) == ("sm2", False)
    assert retired["retired_at"] is not None and retired["created_at"] is not None
    assert retired["public_key_multibase"] == ""
    assert (active["algorithm"], active["is_active"], active["retired_at"]) == (
        "ed25519",
        True,
        None,
    )
    assert active["issuer_code"] == "440100-scjg"
    assert active["issuer_name"] == issuer().name
    der = base64.b64decode(active["public_key_der"])
    assert active["public_key_multibase"] == ed25519_multikey(der)
    assert active["verification_method"].endswith(f"/api/v1/licenses/issuers/440100-scjg#{new_key}")
    only = client.get("/api/v1/licenses/keys", {"issuer": "440100-gat"}).json()
    assert only == []


def test_issuer_document(world, client):
    _issue(world)
    response = client.get("/api/v1/licenses/issuers/440100-scjg")
    assert response.status_code == 200
    body = response.json()
    assert body["id"].endswith("/api/v1/licenses/issuers/440100-scjg")
    assert body["name"] == issuer().name and len(body["keys"]) == 1
    assert client.get("/api/v1/licenses/issuers/000000-none").status_code == 404


def test_the_organizations_system_administrator_may_rotate(world):
    admin = identity_testing.staff_make(
        "scjg_admin", organization_code="440100-scjg", roles=["系统管理员"]
    )
    key_id = license_key_rotate(
        principal=identity_testing.principal_of(admin), issuer_id=issuer().pk, algorithm="ed25519"
    )
    assert [k.key_id for k in _license_keys() if k.is_active] == [key_id]
    event = Event.objects.get(topic="licenses.key.rotated")
    assert event.payload["algorithm"] == "ed25519"
    assert AuditEntry.objects.filter(action="licenses.key.rotate", outcome="success").exists()


@pytest.mark.parametrize(
    ("organization", "roles"),
    [("440100-gat", ["系统管理员"]), ("440100-scjg", ["制证人员"])],
)
def test_others_may_not_rotate(world, organization, roles):
    _issue(world)
    before = [(k.key_id, k.is_active) for k in _license_keys()]
    account = identity_testing.staff_make("someone", organization_code=organization, roles=roles)
    with pytest.raises(PermissionDenied):
        license_key_rotate(principal=identity_testing.principal_of(account), issuer_id=issuer().pk)
    assert [(k.key_id, k.is_active) for k in _license_keys()] == before
    assert AuditEntry.objects.filter(action="licenses.key.rotate", outcome="denied").exists()


def test_an_unknown_algorithm_is_refused(world):
    _issue(world)
    before = [(k.key_id, k.is_active) for k in _license_keys()]
    with pytest.raises(ValidationFailed):
        license_key_rotate(principal=SYSTEM, issuer_id=issuer().pk, algorithm="rsa")
    assert [(k.key_id, k.is_active) for k in _license_keys()] == before


def test_rotate_command(world, capsys):
    call_command("licenses_key_rotate", "440100-scjg", "--algorithm", "ed25519")
    assert "ed25519" in capsys.readouterr().out
    assert [k.algorithm for k in _license_keys() if k.is_active] == ["ed25519"]
    with pytest.raises(CommandError):
        call_command("licenses_key_rotate", "000000-none")
