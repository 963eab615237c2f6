"""Issuance: the signed canonical document, the address, the status position, the event."""

from __future__ import annotations

import base64

import pytest

from digigov.kernel.crypto import services as crypto
from digigov.kernel.errors import PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.kernel.principals import Principal

from ..canonical import canonical_bytes, document_parse
from ..models import License
from ..services.issuance import license_issue
from ..testing import SYSTEM, issuer, type_make, world_make


@pytest.fixture
def world(db):
    return world_make()


def _issue(world, principal=SYSTEM, **overrides):
    type_make()
    values = {
        "principal": principal,
        "type_code": "TESTZ",
        "issuer_id": issuer().pk,
        "holder_kind": "person",
        "holder_key": world.people[0],
        "data": {"category": "甲", "issued_on": "2026-01-02"},
    }
    values.update(overrides)
    return license_issue(**values)


def test_issue_signs_the_canonical_document_with_the_issuers_sm2_key(world):
    license = _issue(world)
    assert license.address.startswith("440100-scjg-TESTZ-")
    assert license.algorithm == "sm2"
    document = document_parse(license.signed_payload)
    assert document["holder"]["key"] == world.people[0]
    assert document["data"] == {"category": "甲", "issued_on": "2026-01-02"}
    assert canonical_bytes(document).decode() == license.signed_payload
    signature = base64.b64decode(license.signature)
    assert crypto.verify(key_id=license.key_id, data=canonical_bytes(document), signature=signature)
    document["data"]["category"] = "乙"
    assert not crypto.verify(
        key_id=license.key_id, data=canonical_bytes(document), signature=signature
    )
    assert Event.objects.filter(topic="licenses.license.issued").count() == 1


def test_two_licenses_get_distinct_status_positions(world):
    first = _issue(world)
    second = _issue(world, holder_key=world.people[1])
    assert (first.status_sequence, first.status_index) != (
        second.status_sequence,
        second.status_index,
    )


def test_bad_data_is_rejected_field_by_field_and_nothing_is_stored(world):
    with pytest.raises(ValidationFailed) as caught:
        _issue(world, data={"category": "丙", "unknown": 1, "issued_on": "2026-13-01"})
    assert set(caught.value.fields) == {"category", "unknown", "issued_on"}
    assert License.objects.count() == 0


def test_staff_of_another_department_may_not_issue(world):
    stranger = Principal(
        kind="staff",
        id="9",
        organization_id=issuer("440100-gat").pk,
        permissions=frozenset({"licenses.issue_license"}),
    )
    with pytest.raises(PermissionDenied):
        _issue(world, principal=stranger)
    assert License.objects.count() == 0
