"""Helpers and fixtures of the wallet, use and authorisation tests; no tests here. Test
modules import what they use with `from .test_wallet_support import *`."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.principals import Principal
from digigov.support.identity import testing as accounts
from digigov.support.identity.testing import login, principal_of  # noqa: F401 (re-exported)

from ..services.issuance import license_issue
from ..testing import SYSTEM, issuer, type_make, world_make

OPERATOR = Principal(kind="operator", id="test")
_serial = itertools.count(1)

ENTITY_FIELDS = [
    {"key": "name", "label": "名称", "type": "string", "required": True, "source": "holder.name"},
    {"key": "scope", "label": "经营范围", "type": "string", "required": False},
]


@pytest.fixture
def world(db):
    world = world_make()
    type_make()  # TESTZ: person, fields category (甲/乙, required) and issued_on
    type_make("TESTE", name="测试执照", holder_kind="entity", fields=ENTITY_FIELDS)
    return world


def issue(holder_key: str, *, code: str = "TESTZ", **overrides):
    """A license issued by 440100-scjg through the issuing service."""
    holder_kind = "entity" if code == "TESTE" else "person"
    data = {"name": "x", "scope": "软件开发"} if code == "TESTE" else {"category": "甲"}
    values = {
        "principal": SYSTEM,
        "type_code": code,
        "issuer_id": issuer().pk,
        "holder_kind": holder_kind,
        "holder_key": holder_key,
        "data": data,
    }
    values.update(overrides)
    return license_issue(**values)


def expired_issue(holder_key: str):
    today = dt.date.today()
    return issue(
        holder_key,
        valid_from=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=1),
    )


@pytest.fixture
def citizen(world):
    return accounts.citizen_make(f"wallet{next(_serial)}", world.people[0])


@pytest.fixture
def other_citizen(world):
    return accounts.citizen_make(f"other{next(_serial)}", world.people[1])


@pytest.fixture
def legal_rep(world):
    return accounts.legal_rep_make(f"rep{next(_serial)}", world.usccs[0])


def client_make(name: str = "", *, scopes=("licenses:use",)):
    """A registered third party and its API key headers."""
    client = machine_client_create(
        actor=OPERATOR, name=name or f"银行{next(_serial)}", scopes=list(scopes)
    )
    key = api_key_issue(actor=OPERATOR, client_id=client.pk).key
    return client, {"HTTP_X_API_KEY": key}
