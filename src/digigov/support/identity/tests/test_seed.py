"""`digigov seed --demo`, `digigov demo_logins`, `digigov totp_code`: deterministic,
idempotent demo data with a login for every role."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import get_application_model

from digigov.data.registries.services import demo_entity_usccs, demo_person_id_numbers
from digigov.kernel.audit.models import AuditEntry
from digigov.support.identity.models import Account, Delegation, EntityBinding, OidcSigningKey

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _snapshot() -> dict:
    return {
        "accounts": list(
            Account.objects.order_by("username").values_list(
                "username", "password", "kind", "real_name_level", "person_id", "organization_id"
            )
        ),
        "devices": list(
            TOTPDevice.objects.order_by("pk").values_list("user_id", "key", "confirmed")
        ),
        "bindings": EntityBinding.objects.count(),
        "delegations": Delegation.objects.count(),
        "keys": list(OidcSigningKey.objects.values_list("kid", flat=True)),
        "clients": get_application_model().objects.count(),
        # the registry app records each demo run itself; identity writes nothing new
        "audit": AuditEntry.objects.exclude(action__startswith="registry.").count(),
    }


def test_seed_demo_creates_every_role_and_is_idempotent():
    output = _run("seed", "--demo", "--people", "60", "--entities", "8")
    assert "完成" in output
    accounts = {a.username: a for a in Account.objects.all()}
    # the identity demo accounts, and the staff other apps' seed steps add for their paths
    assert {"citizen", "elder", "business", "staff", "admin"} <= set(accounts)
    assert all(
        a.kind == "staff" for n, a in accounts.items() if n not in ("citizen", "elder", "business")
    )
    people = demo_person_id_numbers(count=2)
    assert accounts["citizen"].person_id == people[0] and accounts["citizen"].real_name_level == 2
    assert accounts["elder"].person_id == people[1]
    assert accounts["citizen"].check_password("Citizen@2025")
    binding = EntityBinding.objects.get(account=accounts["business"])
    assert binding.entity_id == demo_entity_usccs(count=1)[0] and binding.role == "legal_rep"
    staff = accounts["staff"]
    assert staff.kind == "staff" and staff.organization.name == "广东省政务服务数据管理局"
    assert set(staff.groups.values_list("name", flat=True)) >= {"窗口受理人员"}
    assert accounts["admin"].is_superuser
    assert (
        TOTPDevice.objects.filter(user__username__in=["staff", "admin"], confirmed=True).count()
        == 2
    )
    assert Delegation.objects.get().grantor == accounts["elder"]
    demo = get_application_model().objects.get(client_id="digigov-demo")
    assert demo.redirect_uris == "http://127.0.0.1:8000/oidc/callback"
    assert demo.client_type == "public" and demo.skip_authorization
    assert OidcSigningKey.objects.filter(is_active=True).count() == 1

    before = _snapshot()
    again = _run("seed", "--demo", "--people", "60", "--entities", "8")
    assert "已存在" in again
    after = _snapshot()
    assert after == before  # nothing changed, not even the audit log


def test_seed_needs_demo_flag():
    with pytest.raises(CommandError):
        call_command("seed")


def test_demo_logins_and_totp_code_let_the_staff_demo_log_in(client):
    _run("seed", "--demo", "--people", "30", "--entities", "5")
    table = _run("demo_logins")
    for text in (
        "citizen",
        "Citizen@2025",
        "business",
        "Business@2025",
        "staff",
        "Staff@2025",
        "admin",
        "Admin@2025",
        "elder",
        "Elder@2025",
        "广东省政务服务数据管理局",
        "digigov totp_code staff",
    ):
        assert text in table
    secret = TOTPDevice.objects.get(user__username="staff")
    import base64

    assert base64.b32encode(secret.bin_key).decode() in table
    code = _run("totp_code", "staff").strip()
    assert len(code) == 6 and code.isdigit()
    client.post(reverse("identity:login"), {"username": "staff", "password": "Staff@2025"})
    response = client.post(reverse("identity:otp"), {"token": code})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_totp_code_for_an_unknown_account():
    with pytest.raises(CommandError):
        call_command("totp_code", "nobody")
