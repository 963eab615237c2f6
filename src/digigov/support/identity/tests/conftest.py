from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from digigov.support.identity import services
from digigov.support.identity.oidc import keyring

from . import factories


@pytest.fixture(autouse=True)
def _fresh_keyring():
    """The keyring caches keys per process; each test's database starts without them."""
    keyring.clear()
    yield
    keyring.clear()


@pytest.fixture
def citizen(db):
    return factories.verified_account(kind="citizen", name="张三", username="zhangsan")


@pytest.fixture
def staff_member(db):
    """A counter clerk who may verify people in person."""
    return factories.staff(roles=["窗口受理人员"], username="clerk")


@pytest.fixture
def staff_plain(db):
    """A civil servant with no role."""
    return factories.staff(roles=[], username="norole")


def otp_session_login(client, account):
    """Log a staff account in with a verified second factor (as after the TOTP step)."""
    device = services.totp_device_create(account_id=account.pk)
    client.force_login(account, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
