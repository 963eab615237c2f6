"""A machine client gets a token by OAuth2 client credentials and calls the API with it."""

import base64

import pytest
from django.core.management import call_command

from digigov.kernel.api.models import MachineClient
from digigov.kernel.api.services import machine_client_create, machine_client_oauth_enable
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import ValidationFailed
from digigov.kernel.principals import Principal

pytestmark = pytest.mark.django_db
OPERATOR = Principal(kind="operator", id="test")


def _token(client, credentials, scope: str):
    basic = base64.b64encode(
        f"{credentials.client_id}:{credentials.client_secret}".encode()
    ).decode()
    return client.post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": scope},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )


def test_client_credentials_token_calls_the_api_within_the_clients_scopes(client):
    machine = machine_client_create(actor=OPERATOR, name="审计抽查系统", scopes=["audit:read"])
    credentials = machine_client_oauth_enable(actor=OPERATOR, machine_client_id=machine.pk)

    response = _token(client, credentials, "audit:read")
    assert response.status_code == 200, response.content
    token = response.json()["access_token"]

    listed = client.get("/api/v1/audit/entries", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert listed.status_code == 200
    assert listed.json()["count"] >= 2  # the client's creation and its OAuth enablement


def test_token_scope_beyond_the_client_is_refused_by_the_api(client):
    machine = machine_client_create(actor=OPERATOR, name="只读区划", scopes=["registry:read"])
    credentials = machine_client_oauth_enable(actor=OPERATOR, machine_client_id=machine.pk)
    token = _token(client, credentials, "audit:read").json()["access_token"]

    response = client.get("/api/v1/audit/entries", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "scope_missing"
    assert AuditEntry.objects.filter(action="api.scope.denied").exists()


def test_wrong_secret_gets_no_token(client):
    machine = machine_client_create(actor=OPERATOR, name="错误密钥", scopes=["audit:read"])
    credentials = machine_client_oauth_enable(actor=OPERATOR, machine_client_id=machine.pk)
    forged = type(credentials)(client_id=credentials.client_id, client_secret="wrong")
    assert _token(client, forged, "audit:read").status_code == 401


def test_oauth_cannot_be_enabled_twice():
    machine = machine_client_create(actor=OPERATOR, name="重复开通", scopes=["audit:read"])
    machine_client_oauth_enable(actor=OPERATOR, machine_client_id=machine.pk)
    with pytest.raises(ValidationFailed):
        machine_client_oauth_enable(actor=OPERATOR, machine_client_id=machine.pk)


def test_api_client_command_prints_key_and_oauth_credentials(capsys, client):
    call_command("api_client", "create", "命令行客户端", "--scopes", "audit:read", "--oauth")
    out = capsys.readouterr().out
    key = next(line.split("：", 1)[1] for line in out.splitlines() if line.startswith("API 密钥"))
    assert MachineClient.objects.get(name="命令行客户端").oauth_application_id
    response = client.get("/api/v1/audit/entries", HTTP_X_API_KEY=key.strip())
    assert response.status_code == 200
