"""Registration (L1), the Principal of an account, and the tuned password hasher."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import ValidationFailed
from digigov.kernel.events.models import Event
from digigov.support.identity import services
from digigov.support.identity.constants import ROLES
from digigov.support.identity.hashers import OwaspArgon2PasswordHasher
from digigov.support.identity.models import Account
from digigov.support.identity.selectors import profile_get

from . import factories

pytestmark = pytest.mark.django_db


def test_register_creates_l1_account_with_sealed_phone_audit_and_event():
    account = services.account_register(
        username="lisi2025", password="Guangzhou#88", phone="13912345678", source_address="10.0.0.9"
    )
    assert account.kind == "citizen"
    assert account.real_name_level == 1
    assert "13912345678" not in account.phone_sealed  # stored as an SM4 token
    assert services.phone_open(account) == "13912345678"
    entry = AuditEntry.objects.get(action="identity.account.register")
    assert entry.object_id == str(account.pk)
    assert entry.source_address == "10.0.0.9"
    assert Event.objects.filter(topic="identity.account.registered").count() == 1


@pytest.mark.parametrize(
    ("username", "password", "phone", "field", "message"),
    [
        ("ab", "Guangzhou#88", "13912345678", "username", "4-30 位"),
        ("9start", "Guangzhou#88", "13912345678", "username", "字母开头"),
        ("lisi2025", "short", "13912345678", "password", "密码"),
        ("lisi2025", "12345678901", "13912345678", "password", "密码"),
        ("lisi2025", "Guangzhou#88", "1391234", "phone", "手机号码"),
        ("lisi2025", "Guangzhou#88", "23912345678", "phone", "手机号码"),
    ],
)
def test_register_rejects_bad_input_with_chinese_messages(
    username, password, phone, field, message
):
    with pytest.raises(ValidationFailed) as caught:
        services.account_register(username=username, password=password, phone=phone)
    assert field in caught.value.fields
    assert message in " ".join(caught.value.fields[field])
    assert not Account.objects.exists()


def test_register_refuses_a_taken_username_case_insensitively():
    factories.account(username="wangwu")
    with pytest.raises(ValidationFailed) as caught:
        services.account_register(username="WangWu", password="Guangzhou#88", phone="13912345678")
    assert caught.value.fields["username"] == ["该用户名已被注册"]
    assert Account.objects.count() == 1


def test_register_refuses_staff_kind():
    with pytest.raises(ValidationFailed):
        services.account_register(
            username="sneaky", password="Guangzhou#88", phone="13912345678", kind="staff"
        )
    assert not Account.objects.exists()


def test_registration_page_registers_logs_in_and_goes_to_realname(client):
    page = client.get(reverse("identity:register"))
    assert page.status_code == 200
    assert "注册账号" in page.content.decode()
    response = client.post(
        reverse("identity:register"),
        {
            "kind": "citizen",
            "username": "chenliu",
            "phone": "13712345678",
            "password": "Guangzhou#88",
            "password_again": "Guangzhou#88",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("identity:realname")
    assert client.session["_auth_user_id"] == str(Account.objects.get(username="chenliu").pk)


def test_registration_page_shows_field_errors_in_chinese(client):
    response = client.post(
        reverse("identity:register"),
        {
            "kind": "citizen",
            "username": "chenliu",
            "phone": "123",
            "password": "Guangzhou#88",
            "password_again": "Guangzhou#89",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "两次输入的密码不一致" in body
    assert not Account.objects.exists()


def test_principal_of_a_verified_citizen(citizen):
    principal = citizen.as_principal(source_address="1.2.3.4")
    assert principal.kind == "citizen"
    assert principal.id == str(citizen.pk)
    assert principal.person_id_number == citizen.id_number
    assert principal.region_code == "440106"
    assert principal.label == "张三"
    assert principal.source_address == "1.2.3.4"
    assert principal.permissions == frozenset()


def test_principal_of_staff_carries_role_permissions(staff_member):
    principal = staff_member.as_principal()
    assert principal.kind == "staff"
    assert principal.organization_id == staff_member.organization_id
    assert principal.region_code == "440106"
    assert principal.has_perm("identity.verify_in_person")


def test_staff_principal_without_second_factor_has_no_permissions(staff_member):
    staff_member.is_verified = lambda: False  # what django-otp sets on request.user
    assert staff_member.as_principal().permissions == frozenset()
    staff_member.is_verified = lambda: True
    assert staff_member.as_principal().has_perm("identity.verify_in_person")


def test_profile_is_masked(citizen):
    profile = profile_get(principal=citizen.as_principal())
    assert profile.real_name_level == 2
    assert profile.real_name_label == "L2 实名核验"
    assert profile.id_number_masked.startswith("4401")
    assert "*" in profile.id_number_masked
    assert profile.phone_masked == "138****5678"
    assert profile.kind_label == "个人"


def test_roles_are_seeded_with_permissions():
    counts = services.roles_seed()
    assert set(counts) == set(ROLES)
    assert {"窗口受理人员", "审批人员", "数据管理员", "系统管理员"} <= set(counts)
    assert all(count > 0 for count in counts.values())
    assert services.roles_seed() == counts  # idempotent


def test_argon2id_with_owasp_parameters_is_the_default_hasher():
    assert settings.PASSWORD_HASHERS[0].endswith("OwaspArgon2PasswordHasher")
    account = factories.account()
    hasher = identify_hasher(account.password)
    assert isinstance(hasher, OwaspArgon2PasswordHasher)
    assert account.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert account.check_password(factories.PASSWORD)


def test_every_role_permission_exists():
    """roles_seed() skips permissions of apps not installed; all of ours are installed."""
    from django.contrib.auth.models import Permission

    from digigov.support.identity.constants import ROLES

    for role, perms in ROLES.items():
        for perm in perms:
            app_label, codename = perm.split(".")
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), f"{role}: {perm}"
