"""Login, the staff second factor, lockout, session expiry, logout: each audited."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from digigov.kernel.audit.models import AuditEntry
from digigov.support.identity.decorators import (
    citizen_required,
    enterprise_required,
    staff_required,
)
from digigov.support.identity.selectors import totp_current_code

from . import factories
from .conftest import otp_session_login

pytestmark = pytest.mark.django_db
LOGIN = "/login/"


def _login(client, username, password=factories.PASSWORD, **extra):
    return client.post(
        LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR="203.0.113.7"
    )


def test_login_page_is_chinese_and_named(client):
    assert reverse("identity:login") == LOGIN
    assert reverse("identity:logout") == "/logout/"
    body = client.get(LOGIN).content.decode()
    assert "统一身份认证登录" in body and "用户名" in body and "密码" in body


def test_citizen_login_redirects_to_next_and_is_audited(client, citizen):
    response = _login(client, "zhangsan", next="/citizen/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/citizen/profile/"
    assert client.session["_auth_user_id"] == str(citizen.pk)
    entry = AuditEntry.objects.filter(action="identity.login", outcome="success").get()
    assert entry.actor == f"citizen:{citizen.pk}"
    assert entry.source_address == "203.0.113.7"


def test_login_refuses_an_offsite_next(client, citizen):
    response = _login(client, "zhangsan", next="https://evil.example/steal")
    assert response["Location"] == reverse("citizen:home")


def test_failed_login_is_audited_and_says_so_in_chinese(client, citizen):
    response = _login(client, "zhangsan", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="identity.login", outcome="failure")
    assert entry.detail["username"] == "zhangsan"
    assert entry.source_address == "203.0.113.7"


def test_lockout_after_repeated_failures_with_a_chinese_page(client, citizen):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert _login(client, "zhangsan", "wrong").status_code == 401
    locked = _login(client, "zhangsan", "wrong")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "登录已暂时锁定" in body and "15 分钟" in body
    # even the right password is refused while locked
    again = _login(client, "zhangsan")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="identity.lockout", outcome="denied").count() >= 1
    # another address is not locked out (lockout is per account and address)
    other = client.post(
        LOGIN, {"username": "zhangsan", "password": factories.PASSWORD}, REMOTE_ADDR="198.51.100.1"
    )
    assert other.status_code == 302


def test_logout_is_post_only_and_audited(client, citizen):
    client.force_login(citizen)
    assert client.get("/logout/").status_code == 200  # a confirmation page, no logout
    assert "_auth_user_id" in client.session
    response = client.post("/logout/", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="identity.logout")
    assert entry.actor == f"citizen:{citizen.pk}" and entry.source_address == "203.0.113.9"


def test_idle_session_expires(client, citizen):
    _login(client, "zhangsan")
    me = "/api/v1/identity/me"
    assert client.get(me).status_code == 200
    later = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    with (
        mock.patch("django.contrib.sessions.backends.db.timezone.now", return_value=later),
        mock.patch("django.contrib.sessions.backends.base.timezone.now", return_value=later),
    ):
        # activity within the idle window extends the session (SESSION_SAVE_EVERY_REQUEST)
        assert client.get(me).status_code == 200
    much_later = later + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    with (
        mock.patch("django.contrib.sessions.backends.db.timezone.now", return_value=much_later),
        mock.patch("django.contrib.sessions.backends.base.timezone.now", return_value=much_later),
    ):
        assert client.get(me).status_code == 200
    idle = much_later + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)
    with mock.patch("django.contrib.sessions.backends.db.timezone.now", return_value=idle):
        response = client.get(me)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # back-off is tested on its own below
def test_staff_password_alone_does_not_log_in(client, staff_member):
    services_device = TOTPDevice.objects.create(user=staff_member, name="t", confirmed=True)
    response = _login(client, "clerk", next="/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:otp"))
    assert "_auth_user_id" not in client.session  # no session before the second factor
    assert client.get("/staff/")["Location"].startswith(reverse("identity:login"))
    page = client.get(response["Location"])
    assert "动态验证码" in page.content.decode()
    wrong = client.post(
        reverse("identity:otp"),
        {"token": "000000" if totp_current_code(username="clerk") != "000000" else "111111"},
    )
    assert wrong.status_code == 401
    assert "_auth_user_id" not in client.session
    right = client.post(reverse("identity:otp"), {"token": totp_current_code(username="clerk")})
    assert right.status_code == 302
    assert right["Location"] == "/staff/"
    assert client.session["_auth_user_id"] == str(staff_member.pk)
    assert client.get("/staff/").status_code == 200
    assert AuditEntry.objects.filter(action="identity.login.password").count() == 1
    assert AuditEntry.objects.filter(action="identity.otp.verify", outcome="denied").count() == 1
    assert AuditEntry.objects.filter(action="identity.login", outcome="success").count() == 1
    assert services_device.pk


def test_staff_without_a_device_enrols_first(client, staff_member):
    _login(client, "clerk")
    page = client.get(reverse("identity:otp"))
    body = page.content.decode()
    assert "绑定身份验证器" in body
    assert "otpauth://totp/" in body
    assert "data:image/svg+xml" in body  # the QR code, served inline
    device = TOTPDevice.objects.get(user=staff_member)
    assert not device.confirmed
    # reloading keeps the same secret
    client.get(reverse("identity:otp"))
    assert TOTPDevice.objects.filter(user=staff_member).count() == 1
    response = client.post(reverse("identity:otp"), {"token": totp_current_code(username="clerk")})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.session["_auth_user_id"] == str(staff_member.pk)


def test_wrong_codes_make_the_next_attempt_wait(client, staff_member):
    TOTPDevice.objects.create(user=staff_member, name="t", confirmed=True)
    _login(client, "clerk")
    code = totp_current_code(username="clerk")
    client.post(reverse("identity:otp"), {"token": "000000" if code != "000000" else "111111"})
    response = client.post(reverse("identity:otp"), {"token": code})
    assert response.status_code == 401
    assert "请稍等片刻" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_otp_step_needs_the_password_step_first(client):
    response = client.get(reverse("identity:otp"))
    assert response["Location"].startswith(reverse("identity:login"))


@override_settings(DIGIGOV_OTP_PENDING_SECONDS=0)
def test_pending_second_factor_expires(client, staff_member):
    TOTPDevice.objects.create(user=staff_member, name="t", confirmed=True)
    _login(client, "clerk")
    response = client.post(reverse("identity:otp"), {"token": totp_current_code(username="clerk")})
    assert response["Location"].startswith(reverse("identity:login"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("guard", "kind"),
    [(citizen_required, "citizen"), (enterprise_required, "enterprise"), (staff_required, "staff")],
)
def test_decorators(rf, guard, kind, citizen, staff_member):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    view = guard(lambda request: HttpResponse("ok"))
    business = factories.account(kind="enterprise")
    accounts = {"citizen": citizen, "enterprise": business, "staff": staff_member}

    def call(user, *, verified=True):
        request = rf.get("/somewhere/?x=1")
        request.user = user
        user.is_verified = lambda: verified
        return view(request)

    anonymous = call(AnonymousUser())
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/login/?next=%2Fsomewhere%2F%3Fx%3D1"
    for other_kind, account in accounts.items():
        response = call(account)
        if other_kind == kind:
            assert response.status_code == 200
        else:  # signed in as another kind: told so, not sent to a login page it passed
            assert response.status_code == 403
            assert "账号类型不符" in response.content.decode()
    if kind == "staff":
        assert call(staff_member, verified=False)["Location"].startswith(reverse("identity:otp"))


def test_admin_needs_the_second_factor(client, staff_member):
    staff_member.is_superuser = staff_member.is_staff = True
    staff_member.save()
    client.force_login(staff_member)
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"
    response = client.get(response["Location"])  # the admin's login is ours
    assert response["Location"] == f"{reverse('identity:otp')}?next=/admin/"
    otp_session_login(client, staff_member)
    assert client.get("/admin/").status_code == 200
    listing = client.get("/admin/identity/account/?kind__exact=staff")
    assert listing.status_code == 200
    assert "clerk" in listing.content.decode()
