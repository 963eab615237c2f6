"""Principal: the value that says who is asking."""

import dataclasses

import pytest

from digigov.kernel.principals import ANONYMOUS, Principal


def test_anonymous():
    assert ANONYMOUS.kind == "anonymous"
    assert not ANONYMOUS.is_authenticated
    assert ANONYMOUS.actor == "anonymous"
    assert not ANONYMOUS.has_scope("audit:read")
    assert not ANONYMOUS.has_perm("audit.view_auditentry")


def test_actor_names_kind_and_id():
    assert Principal(kind="staff", id="12").actor == "staff:12"
    assert Principal(kind="machine", id="7").actor == "machine:7"
    assert Principal(kind="citizen").actor == "citizen"


def test_scopes_and_permissions():
    principal = Principal(
        kind="machine",
        id="1",
        scopes=frozenset({"registry:read"}),
        permissions=frozenset({"registries.view_person"}),
    )

    assert principal.is_authenticated
    assert principal.has_scope("registry:read") and not principal.has_scope("registry:pii")
    assert principal.has_perm("registries.view_person") and not principal.has_perm("x.y")


def test_is_immutable_and_hashable():
    principal = Principal(kind="staff", id="1")

    with pytest.raises(dataclasses.FrozenInstanceError):
        principal.kind = "machine"
    assert {principal, Principal(kind="staff", id="1")} == {principal}
