"""OAuth2 bearer tokens (client credentials) for machine clients: scopes = token ∩ client."""

import pytest
from django.test import RequestFactory

from digigov.kernel.api.auth import BearerTokenAuth
from digigov.kernel.api.models import MachineClient
from digigov.kernel.audit.models import AuditEntry

from .factories import access_token, account, machine_client, oauth_application

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/entries"


def _authenticate(token: str):
    request = RequestFactory().get(URL, REMOTE_ADDR="198.51.100.7")
    return BearerTokenAuth().authenticate(request, token)


def _refused(client, token: str) -> None:
    before = AuditEntry.objects.filter(action="api.auth.fail").count()

    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    failures = AuditEntry.objects.filter(action="api.auth.fail").order_by("seq")
    assert failures.count() == before + 1
    assert failures.last().detail == {"method": "bearer"}


def test_client_credentials_token_gives_a_machine_principal_with_intersected_scopes():
    machine = machine_client(scopes=["audit:read", "registry:read"])
    token = access_token(oauth_application(machine), scope="audit:read registry:write openid")

    principal = _authenticate(token)

    assert principal.kind == "machine"
    assert principal.id == str(machine.pk)
    assert principal.scopes == frozenset({"audit:read"})
    assert principal.source_address == "198.51.100.7"


def test_bearer_token_with_the_scope_reads_the_audit_log(client):
    machine = machine_client(scopes=["audit:read"])
    token = access_token(oauth_application(machine), scope="audit:read")

    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200


def test_bearer_token_without_the_scope_is_403(client):
    machine = machine_client(scopes=["audit:read"])  # the client may, this token may not
    token = access_token(oauth_application(machine), scope="registry:read")

    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "scope_missing"


def test_token_stored_only_as_a_checksum_still_works():
    """django-oauth-toolkit's hashed token storage (RFC 9700): the token column is empty."""
    machine = machine_client(scopes=["audit:read"])
    token = access_token(oauth_application(machine), scope="audit:read", hashed=True)

    assert _authenticate(token).kind == "machine"


def test_expired_token_is_refused(client):
    machine = machine_client(scopes=["audit:read"])
    token = access_token(oauth_application(machine), scope="audit:read", seconds=-1)

    _refused(client, token)


def test_unknown_token_is_refused(client):
    _refused(client, "no-such-token")


def test_token_of_an_application_without_machine_client_is_refused(client):
    token = access_token(oauth_application(), scope="audit:read")

    _refused(client, token)


def test_token_of_an_inactive_machine_client_is_refused(client):
    machine = machine_client(scopes=["audit:read"])
    token = access_token(oauth_application(machine), scope="audit:read")
    MachineClient.objects.filter(pk=machine.pk).update(is_active=False)

    _refused(client, token)


def test_token_issued_to_a_person_gives_that_persons_principal():
    person = account(kind="citizen")
    token = access_token(oauth_application(), scope="openid profile", user=person)

    principal = _authenticate(token)

    assert principal.kind == "citizen"
    assert principal.id == str(person.pk)
    assert {"openid", "profile"} <= principal.scopes
