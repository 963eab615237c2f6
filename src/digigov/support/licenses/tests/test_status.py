"""Status commands: suspend until a date, resume, revoke, renew, replace; their bits in the
issuer's status lists; the automatic end of a suspension; who may; bad transitions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.kernel.principals import Principal

from ..models import License, StatusList
from ..selectors.licenses import issued_licenses
from ..selectors.status import license_effective_status
from ..services import status
from ..services.issuance import license_issue
from ..testing import SYSTEM, issuer, type_make, world_make
from ..vc import bit_get

TODAY = timezone.localdate


@pytest.fixture
def world(db):
    return world_make()


@pytest.fixture
def license(world):
    type_make()
    return license_issue(
        principal=SYSTEM,
        type_code="TESTZ",
        issuer_id=issuer().pk,
        holder_kind="person",
        holder_key=world.people[0],
        data={"category": "甲"},
    )


def _staff(code="440100-scjg", perms=("licenses.manage_license_status",)):
    return Principal(
        kind="staff", id="77", organization_id=issuer(code).pk, permissions=frozenset(perms)
    )


def _bit(license: License, purpose: str) -> bool:
    status_list = StatusList.objects.get(
        issuer_id=license.issuer_id, purpose=purpose, sequence=license.status_sequence
    )
    return bit_get(bytes(status_list.bits), license.status_index)


def _version(license: License, purpose: str) -> int:
    return StatusList.objects.get(
        issuer_id=license.issuer_id, purpose=purpose, sequence=license.status_sequence
    ).version


def _snapshot(license: License) -> tuple:
    fresh = License.objects.get(pk=license.pk)
    return (
        fresh.status,
        fresh.suspended_until,
        _version(license, "revocation"),
        _version(license, "suspension"),
        License.objects.count(),
        Event.objects.exclude(topic="licenses.license.issued").count(),
    )


def test_suspend_sets_the_suspension_bit_and_reads_suspended_until_its_date(license):
    before = _version(license, "suspension")
    until = TODAY() + dt.timedelta(days=90)

    status.license_suspend(principal=_staff(), address=license.address, until=until, reason="扣分")

    fresh = License.objects.get(pk=license.pk)
    assert (fresh.status, fresh.suspended_until, fresh.status_reason) == (
        "suspended",
        until,
        "扣分",
    )
    assert license_effective_status(fresh) == "suspended"
    assert license_effective_status(fresh, today=until) == "suspended"
    assert license_effective_status(fresh, today=until + dt.timedelta(days=1)) == "valid"
    assert _bit(license, "suspension") and not _bit(license, "revocation")
    assert _version(license, "suspension") == before + 1
    event = Event.objects.get(topic="licenses.license.suspended")
    assert event.payload["address"] == license.address
    assert event.payload["until"] == until.isoformat()
    assert AuditEntry.objects.filter(
        action="licenses.license.suspend", object_id=license.address, outcome="success"
    ).exists()


def test_a_lapsed_suspension_reads_valid_everywhere_and_the_sweep_resumes_it(license):
    status.license_suspend(principal=SYSTEM, address=license.address, until=TODAY(), reason="暂扣")
    License.objects.filter(pk=license.pk).update(suspended_until=TODAY() - dt.timedelta(days=1))
    fresh = License.objects.get(pk=license.pk)
    assert license_effective_status(fresh) == "valid"
    staff = _staff(perms=("licenses.view_license",))
    page = issued_licenses(principal=staff, status="valid")
    assert [row.address for row in page.rows] == [license.address]
    assert issued_licenses(principal=staff, status="suspended").total == 0
    assert _bit(license, "suspension")  # still set until the sweep

    call_command("licenses_status_sweep")

    fresh = License.objects.get(pk=license.pk)
    assert (fresh.status, fresh.suspended_until) == ("valid", None)
    assert not _bit(license, "suspension")
    resumed = Event.objects.get(topic="licenses.license.resumed")
    assert resumed.payload["automatic"] is True
    assert status.license_suspensions_sweep() == 0  # nothing left to do


def test_a_suspension_date_in_the_past_is_refused_and_changes_nothing(license):
    before = _snapshot(license)
    with pytest.raises(ValidationFailed) as caught:
        status.license_suspend(
            principal=SYSTEM,
            address=license.address,
            until=TODAY() - dt.timedelta(days=1),
            reason="扣分",
        )
    assert caught.value.code == "license_suspend_until_past"
    assert _snapshot(license) == before


def test_resuming_a_valid_license_is_refused(license):
    before = _snapshot(license)
    with pytest.raises(Conflict) as caught:
        status.license_resume(principal=SYSTEM, address=license.address)
    assert caught.value.code == "license_not_suspended"
    assert _snapshot(license) == before


def test_resume_clears_the_suspension_bit(license):
    until = TODAY() + dt.timedelta(days=10)
    status.license_suspend(principal=SYSTEM, address=license.address, until=until, reason="核查")
    status.license_resume(principal=_staff(), address=license.address, reason="核查完毕")
    fresh = License.objects.get(pk=license.pk)
    assert (fresh.status, fresh.suspended_until) == ("valid", None)
    assert not _bit(license, "suspension")
    assert _version(license, "suspension") == 3  # created 1, suspended 2, resumed 3


def test_revoke_is_final_and_clears_a_suspension(license):
    until = TODAY() + dt.timedelta(days=10)
    status.license_suspend(principal=SYSTEM, address=license.address, until=until, reason="核查")
    status.license_revoke(principal=_staff(), address=license.address, reason="以欺骗手段取得")
    fresh = License.objects.get(pk=license.pk)
    assert fresh.status == "revoked"
    assert _bit(license, "revocation") and not _bit(license, "suspension")
    before = _snapshot(license)
    with pytest.raises(Conflict) as caught:
        status.license_revoke(principal=SYSTEM, address=license.address, reason="再次吊销")
    assert caught.value.code == "license_status_final"
    with pytest.raises(Conflict):
        status.license_renew(principal=SYSTEM, address=license.address)
    assert _snapshot(license) == before
    assert Event.objects.filter(topic="licenses.license.revoked").count() == 1


def test_revoke_needs_a_reason(license):
    before = _snapshot(license)
    with pytest.raises(ValidationFailed) as caught:
        status.license_revoke(principal=SYSTEM, address=license.address, reason="  ")
    assert caught.value.code == "license_reason_required"
    assert _snapshot(license) == before


def test_renew_issues_a_new_license_with_a_new_validity_and_replaces_the_old(license):
    License.objects.filter(pk=license.pk).update(
        valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2024, 12, 31)
    )
    assert license_effective_status(License.objects.get(pk=license.pk)) == "expired"
    start = TODAY()

    new = status.license_renew(principal=_staff(), address=license.address, valid_from=start)

    old = License.objects.get(pk=license.pk)
    assert old.status == "replaced"
    assert _bit(old, "revocation")
    assert new.replaces_id == old.pk
    assert new.address != old.address
    assert (new.holder_key, new.data) == (old.holder_key, old.data)
    assert new.valid_from == start
    assert new.valid_until == start.replace(year=start.year + 5) - dt.timedelta(days=1)
    assert new.status == "valid" and not _bit(new, "revocation")
    renewed = Event.objects.get(topic="licenses.license.renewed")
    assert renewed.payload["new_address"] == new.address
    assert Event.objects.filter(
        topic="licenses.license.issued", payload__address=new.address
    ).exists()


def test_replace_keeps_data_and_validity_with_a_new_number(license):
    new = status.license_replace(principal=SYSTEM, address=license.address, reason="遗失补领")
    old = License.objects.get(pk=license.pk)
    assert old.status == "replaced" and old.status_reason == "遗失补领"
    assert new.number != old.number
    assert (new.valid_from, new.valid_until, new.data) == (
        old.valid_from,
        old.valid_until,
        old.data,
    )
    assert Event.objects.filter(topic="licenses.license.replaced").count() == 1


def test_a_suspended_license_cannot_be_replaced(license):
    until = TODAY() + dt.timedelta(days=10)
    status.license_suspend(principal=SYSTEM, address=license.address, until=until, reason="暂扣")
    before = _snapshot(license)
    with pytest.raises(Conflict) as caught:
        status.license_replace(principal=SYSTEM, address=license.address, reason="遗失")
    assert caught.value.code == "license_suspended"
    assert _snapshot(license) == before


@pytest.mark.parametrize(
    "who",
    [
        "anonymous",
        "citizen_holder",
        "staff_other_department",
        "staff_without_permission",
        "machine_without_scope",
        "machine_other_department",
    ],
)
def test_who_may_not_change_status(license, who):
    scjg, gat = issuer().pk, issuer("440100-gat").pk
    principal = {
        "anonymous": Principal(kind="anonymous"),
        "citizen_holder": Principal(kind="citizen", id="5", person_id_number=license.holder_key),
        "staff_other_department": _staff("440100-gat"),
        "staff_without_permission": _staff(perms=("licenses.issue_license",)),
        "machine_without_scope": Principal(
            kind="machine", id="3", organization_id=scjg, scopes=frozenset({"licenses:issue"})
        ),
        "machine_other_department": Principal(
            kind="machine", id="4", organization_id=gat, scopes=frozenset({"licenses:manage"})
        ),
    }[who]
    before = _snapshot(license)
    with pytest.raises(PermissionDenied):
        status.license_revoke(principal=principal, address=license.address, reason="无权")
    assert _snapshot(license) == before
    assert AuditEntry.objects.filter(
        action="licenses.license.revoke", object_id=license.address, outcome="denied"
    ).exists()


def test_the_issuers_system_with_the_scope_may(license):
    machine = Principal(
        kind="machine",
        id="3",
        organization_id=issuer().pk,
        scopes=frozenset({"licenses:manage"}),
    )
    status.license_revoke(principal=machine, address=license.address, reason="注销登记")
    assert License.objects.get(pk=license.pk).status == "revoked"


def test_a_full_list_moves_new_licenses_to_the_next_sequence(license, world):
    from ..services.issuance import STATUS_LIST_FILL_LIMIT

    StatusList.objects.filter(issuer_id=license.issuer_id).update(next_index=STATUS_LIST_FILL_LIMIT)
    second = license_issue(
        principal=SYSTEM,
        type_code="TESTZ",
        issuer_id=issuer().pk,
        holder_kind="person",
        holder_key=world.people[1],
        data={"category": "乙"},
    )
    assert (license.status_sequence, second.status_sequence) == (1, 2)
    assert set(
        StatusList.objects.filter(issuer_id=license.issuer_id, sequence=2).values_list(
            "purpose", flat=True
        )
    ) == {"revocation", "suspension"}
    status.license_revoke(principal=SYSTEM, address=second.address, reason="注销")
    assert _bit(second, "revocation") and not _bit(license, "revocation")
