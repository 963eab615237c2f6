"""Indicator 18 (电子印章覆盖率): departments with an active seal / active departments."""

from __future__ import annotations

import pytest

from digigov.kernel.errors import NotFound
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.regions.services import towns_synthesize

from ..selectors.seals import seal_coverage
from ..services import lifecycle
from ..testing import admin_principal, organizations_make, seal_make

pytestmark = pytest.mark.django_db


def _departments(**filters) -> int:
    return Organization.objects.filter(is_active=True, **filters).exclude(level="town").count()


def test_no_seals_no_coverage():
    organizations_make()
    coverage = seal_coverage()
    assert coverage.numerator == 0
    assert coverage.denominator == _departments()
    assert coverage.percentage == 0.0


def test_only_active_seals_count_and_a_department_counts_once():
    seal_make("440100-scjg")
    seal_make("440100-scjg", kind="contract")  # same department again
    seal_make("440100-gat")
    seal_make("440100-rsj", active=False)  # applied only
    suspended = seal_make("440100-mzt")
    lifecycle.seal_suspend(
        principal=admin_principal("440100-mzt", id="77"), seal_id=suspended.pk, reason="x"
    )

    coverage = seal_coverage()

    assert coverage.numerator == 2
    assert coverage.percentage == round(100 * 2 / _departments(), 1)


def test_region_filter_counts_the_region_and_below():
    seal_make("440100-scjg")
    seal_make("440000-zsj")  # provincial: outside Guangzhou
    guangzhou = seal_coverage(region_code="440100")

    assert guangzhou.numerator == 1
    assert guangzhou.denominator == _departments(region__code__startswith="4401")
    assert guangzhou.region_code == "440100"
    assert seal_coverage(region_code="440000").numerator == 2
    with pytest.raises(NotFound):
        seal_coverage(region_code="999999")


def test_town_governments_are_not_departments():
    organizations_make()
    towns_synthesize(per_county=1)
    organizations_seed(county_level=False, town_level=True)
    assert Organization.objects.filter(level="town").exists()

    coverage = seal_coverage()

    assert coverage.denominator == _departments()
    assert coverage.denominator < Organization.objects.filter(is_active=True).count()


def test_inactive_departments_are_left_out():
    seal_make("440100-scjg")
    before = seal_coverage()
    Organization.objects.filter(code="440100-scjg").update(is_active=False)
    after = seal_coverage()
    assert (after.numerator, after.denominator) == (before.numerator - 1, before.denominator - 1)
