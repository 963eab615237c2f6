"""The calculators against records made through the owning areas' services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from digigov.apps.services.testing import item_make, organizations_ready
from digigov.kernel.audit.services import audit_record

from ..models import IndicatorValue
from ..services.compute import indicators_compute

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _regions():
    organizations_ready()


def _value(number: int, region: str = "440000", day: dt.date | None = None, department: str = ""):
    return IndicatorValue.objects.get(
        indicator__number=number, region_id=region, department=department,
        day=day or timezone.localdate(),
    )  # fmt: skip


def test_nothing_recorded_yet_is_no_data_never_a_number():
    item_make(code="X-1", item_type="public_service")  # regions and departments, no permit
    result = indicators_compute()
    assert result.indicators == 16
    for number in (1, 3, 5, 6, 7, 8, 9, 11, 17):
        assert _value(number).value is None, number
    assert _value(1).denominator == 0
    # the seeded topics cover real sectors: indicator 10 has a figure
    assert _value(10).value == Decimal("78.3")  # 18 of the 23 department lines


def test_zero_visit_and_one_window_by_region_and_department():
    item_make(code="GZ-1", visits=0, organization_code="440100-scjg")
    item_make(code="GZ-2", visits=1, organization_code="440100-scjg", is_window_accepted=False)
    item_make(code="SZ-1", visits=0, organization_code="440300-gat")
    item_make(code="SZ-2", visits=0, organization_code="440300-gat", item_type="benefit")
    indicators_compute()
    zero = _value(1)
    assert (zero.numerator, zero.denominator, zero.value) == (2, 3, Decimal("66.7"))
    assert _value(1, "440100").value == Decimal("50.0")
    assert _value(1, "440300").value == Decimal("100.0")
    assert _value(1, "440500").value is None  # 汕头: no permit item
    assert _value(1, department="scjg").value == Decimal("50.0")
    window = _value(2)
    assert (window.numerator, window.denominator) == (3, 4)


def test_daily_active_accounts_from_login_events():
    for account in ("citizen:1", "citizen:2", "citizen:1", "staff:9"):
        audit_record(actor=account, action="identity.login", object_type="Account")
    audit_record(actor="citizen:3", action="identity.login", outcome="failure")
    indicators_compute()
    citizens = _value(7)
    assert citizens.numerator == 2 and citizens.denominator == 30  # two accounts today
    assert citizens.value == Decimal("0.000007")  # 2 / 30 days, in 万名
    assert _value(9).numerator == 1
    assert _value(8).value is None


def test_past_day_recomputed_as_of_that_day():
    item_make(code="GZ-1", visits=0)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    result = indicators_compute(day=yesterday)
    assert 17 in result.skipped and 3 in result.skipped  # no timestamps: today only
    assert _value(1, day=yesterday).value is None  # the item was published today
    assert not IndicatorValue.objects.filter(indicator__number=17, day=yesterday).exists()
