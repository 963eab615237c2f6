"""Fixtures of the portal tests: accounts of every kind, made through the services."""

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from digigov.portals import testing
from digigov.support.identity.backends import SESSION_BACKEND


@pytest.fixture
def registry(db):
    return testing.registry_make()


@pytest.fixture
def citizen(registry):
    return testing.citizen_make(username="zhangsan", id_number=registry.id_numbers[0])


@pytest.fixture
def citizen_l1(db):
    return testing.citizen_make(username="lisi_l1")


@pytest.fixture
def enterprise(registry):
    return testing.enterprise_agent_make(username="boss_rep", uscc=registry.usccs[0])


@pytest.fixture
def staff(db):
    account = testing.staff_make(username="clerk01")
    account.device = testing.totp_device_make(account)
    return account


def _login(client, account, *, device=None):
    client.force_login(account, backend=SESSION_BACKEND)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def login(client):
    """login(account) signs the test client in; login(staff, verified=True) also passes the
    TOTP step (as django-otp records it in the session)."""

    def _do(account, *, verified: bool = False):
        return _login(client, account, device=account.device if verified else None)

    return _do


@pytest.fixture
def as_kind(request, client, login):
    """Parametrize with "anonymous", "citizen", "enterprise", "staff_no_otp", "staff"."""

    def _as(kind: str):
        if kind == "anonymous":
            return client
        if kind == "staff_no_otp":
            return login(request.getfixturevalue("staff"))
        if kind == "staff":
            return login(request.getfixturevalue("staff"), verified=True)
        return login(request.getfixturevalue(kind))

    return _as
