"""X-API-Key: the machine client it belongs to, or 401 in the shape and an audit entry."""

import pytest
from django.utils import timezone

from digigov.kernel.api import services
from digigov.kernel.api.models import ApiKey, MachineClient
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import ValidationFailed

from .factories import OPERATOR, api_key, machine_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/entries"


def _failures() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="api.auth.fail").order_by("seq"))


def _assert_refused(client, key: str) -> None:
    before = len(_failures())

    response = client.get(URL, HTTP_X_API_KEY=key, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    failures = _failures()
    assert len(failures) == before + 1
    entry = failures[-1]
    assert (entry.actor, entry.outcome, entry.object_id) == ("anonymous", "denied", URL)
    assert entry.source_address == "203.0.113.9"
    assert entry.detail == {"method": "api_key"}
    assert key not in str(entry.detail)  # the presented secret is never logged


def test_valid_key_authenticates_the_machine_client(client):
    machine = machine_client(scopes=["audit:read"])
    key = api_key(machine)

    response = client.get(URL, HTTP_X_API_KEY=key)

    assert response.status_code == 200
    assert not _failures()


def test_wrong_secret_with_a_real_prefix_is_refused(client):
    key = api_key(machine_client(scopes=["audit:read"]))
    prefix, secret = key.rsplit("_", 1)[0], key.rsplit("_", 1)[1]

    _assert_refused(client, f"{prefix}_{secret[::-1]}")


@pytest.mark.parametrize("key", ["nonsense", "dg_", "dg_00000000_abc", "Bearer x"])
def test_malformed_or_unknown_key_is_refused(client, key):
    _assert_refused(client, key)


def test_revoked_key_is_refused(client):
    machine = machine_client(scopes=["audit:read"])
    key = api_key(machine)
    stored = ApiKey.objects.get(client=machine)
    services.api_key_revoke(actor=OPERATOR, key_id=stored.pk)

    _assert_refused(client, key)
    assert AuditEntry.objects.filter(action="api.key.revoke", object_id=str(stored.pk)).exists()


def test_expired_key_is_refused(client):
    machine = machine_client(scopes=["audit:read"])
    key = api_key(machine, days_valid=30)
    ApiKey.objects.filter(client=machine).update(
        expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )

    _assert_refused(client, key)


def test_key_without_expiry_works(client):
    key = api_key(machine_client(scopes=["audit:read"]), days_valid=None)

    assert client.get(URL, HTTP_X_API_KEY=key).status_code == 200


def test_key_of_an_inactive_client_is_refused(client):
    machine = machine_client(scopes=["audit:read"])
    key = api_key(machine)
    MachineClient.objects.filter(pk=machine.pk).update(is_active=False)

    _assert_refused(client, key)


def test_only_the_digest_of_a_key_is_stored():
    machine = machine_client(scopes=["audit:read"])
    key = api_key(machine)
    stored = ApiKey.objects.get(client=machine)

    assert stored.digest == crypto.digest(key.encode()).hex()  # SM3
    assert key.split("_", 2)[2] not in stored.digest + stored.prefix
    issued = AuditEntry.objects.get(action="api.key.issue", object_id=str(stored.pk))
    assert key not in str(issued.detail)


def test_machine_principal_carries_client_identity_and_scopes():
    machine = machine_client(scopes=["audit:read", "registry:read"])

    principal = services.machine_principal(machine, source_address="10.1.1.1")

    assert principal.kind == "machine"
    assert principal.actor == f"machine:{machine.pk}"
    assert principal.scopes == frozenset({"audit:read", "registry:read"})
    assert principal.label == machine.name
    assert principal.source_address == "10.1.1.1"
    narrowed = services.machine_principal(machine, scopes=frozenset({"registry:read", "x"}))
    assert narrowed.scopes == frozenset({"registry:read"})


def test_client_with_unknown_scope_is_refused_and_not_created():
    with pytest.raises(ValidationFailed) as excinfo:
        services.machine_client_create(actor=OPERATOR, name="坏系统", scopes=["root:all"])

    assert "root:all" in excinfo.value.message
    assert excinfo.value.fields == {"scopes": ["未知：root:all"]}
    assert not MachineClient.objects.filter(name="坏系统").exists()


def test_client_names_are_unique():
    machine_client(scopes=[], name="市数据局共享平台")

    with pytest.raises(ValidationFailed) as excinfo:
        machine_client(scopes=[], name="市数据局共享平台")

    assert "name" in excinfo.value.fields
    assert MachineClient.objects.filter(name="市数据局共享平台").count() == 1


def test_client_creation_is_audited():
    machine = machine_client(scopes=["audit:read"])

    entry = AuditEntry.objects.get(action="api.client.create", object_id=str(machine.pk))
    assert entry.actor == OPERATOR.actor
    assert entry.detail == {"scopes": ["audit:read"]}
