"""The back office shows accounts with their filters, masks identities, never shows a
private key, and lets nobody forge a delegation or binding by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from digigov.support.identity import services
from digigov.support.identity.models import OidcSigningKey

from . import factories
from .conftest import otp_session_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = factories.staff(roles=["系统管理员"], username="root")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    otp_session_login(client, admin)
    return client


def test_account_list_filters(admin_client, citizen):
    for query in (
        "",
        "?kind__exact=citizen",
        "?real_name_level__exact=2",
        "?organization__level__exact=province",
    ):
        response = admin_client.get(f"/admin/identity/account/{query}")
        assert response.status_code == 200
    body = admin_client.get("/admin/identity/account/?kind__exact=citizen").content.decode()
    assert "zhangsan" in body
    assert citizen.id_number not in body  # masked in the list
    detail = admin_client.get(f"/admin/identity/account/{citizen.pk}/change/").content.decode()
    assert citizen.id_number not in detail


def test_oidc_key_admin_never_shows_the_private_key(admin_client):
    key = services.oidc_key_ensure()
    body = admin_client.get(f"/admin/identity/oidcsigningkey/{key.pk}/change/").content.decode()
    assert key.kid in body
    assert key.private_key_sealed not in body
    assert "PRIVATE" not in body
    assert admin_client.get("/admin/identity/oidcsigningkey/add/").status_code == 403
    assert OidcSigningKey.objects.count() == 1


def test_delegations_are_masked_and_read_only(admin_client, citizen):
    relative = factories.verified_account(name="张小明")
    delegation = services.delegation_grant(
        principal=citizen.as_principal(),
        agent_id_number=relative.id_number,
        agent_name="张小明",
        scopes=["apply"],
        expires_at=timezone.now() + dt.timedelta(days=10),
    )
    listing = admin_client.get("/admin/identity/delegation/").content.decode()
    assert relative.id_number not in listing and "张小明" not in listing
    detail = admin_client.get(f"/admin/identity/delegation/{delegation.pk}/change/")
    assert detail.status_code == 200
    assert relative.id_number not in detail.content.decode()
    assert admin_client.get("/admin/identity/delegation/add/").status_code == 403
    assert admin_client.get("/admin/identity/entitybinding/add/").status_code == 403


def test_back_office_account_edits_are_audited(admin_client):
    from digigov.kernel.audit.models import AuditEntry
    from digigov.support.identity.models import Account

    org = factories.organization()
    response = admin_client.post(
        "/admin/identity/account/add/",
        {
            "username": "newclerk",
            "kind": "staff",
            "organization": org.pk,
            "password1": "Guangzhou#88",
            "password2": "Guangzhou#88",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = Account.objects.get(username="newclerk")
    assert account.kind == "staff" and account.organization == org
    entry = AuditEntry.objects.get(action="identity.account.create")
    assert entry.object_id == str(account.pk)
    assert "password1" not in entry.detail["fields"]
