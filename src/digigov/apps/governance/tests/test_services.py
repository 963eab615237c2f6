"""Reports and topics: validation, audit, and the board's view of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import PermissionDenied, ValidationFailed
from digigov.support.identity.testing import principal_of

from ..selectors.indicators import indicator_board, indicator_history, progress
from ..services.compute import indicators_backfill, indicators_compute
from ..services.reports import indicator_report
from ..services.topics import TopicInput, topic_save

pytestmark = pytest.mark.django_db


def test_progress_from_baseline_to_target():
    assert progress(value=Decimal(70), baseline=Decimal(60), target=Decimal(80)) == 50.0
    assert progress(value=Decimal(5), baseline=None, target=Decimal(10)) == 50.0
    assert progress(value=Decimal(50), baseline=Decimal(60), target=Decimal(80)) == -50.0
    assert progress(value=None, baseline=Decimal(60), target=Decimal(80)) is None


def test_report_is_validated_audited_and_shown(officer):
    principal = principal_of(officer)
    with pytest.raises(ValidationFailed) as bad:
        indicator_report(
            principal=principal, number=16, value="120", source="",
            as_of=timezone.localdate() + dt.timedelta(days=1),
        )  # fmt: skip
    assert set(bad.value.fields) == {"value", "source", "as_of"}
    as_of = timezone.localdate() - dt.timedelta(days=3)
    indicator_report(
        principal=principal, number=16, value="75.5", source="省财政厅预算单位台账", as_of=as_of
    )
    row = indicator_board(principal=principal).rows[15]
    assert (row.status, row.value, row.source) == (
        "reported",
        Decimal("75.5"),
        "省财政厅预算单位台账",
    )
    assert row.progress == 27.5  # (75.5 - 70) / (90 - 70)
    history = indicator_history(principal=principal, number=16)
    assert [(p.day, p.value) for p in history] == [(as_of, Decimal("75.5"))]
    entry = AuditEntry.objects.filter(action="governance.indicator.report").get()
    assert entry.outcome == "success" and entry.detail["value"] == "75.5"


def test_report_refused_without_permission_is_audited(gz_viewer):
    with pytest.raises(PermissionDenied):
        indicator_report(
            principal=principal_of(gz_viewer), number=15, value="1", source="x",
            as_of=dt.date(2026, 1, 1),
        )  # fmt: skip
    assert AuditEntry.objects.filter(
        action="governance.indicator.report", outcome="denied"
    ).exists()


def test_topic_sectors_feed_indicator_10(officer):
    principal = principal_of(officer)
    topic_save(
        principal=principal, code="transport",
        data=TopicInput(name="交通运输", function="social", sectors=["jtt", "gjj", "cl", "fy", "ybj"]),
    )  # fmt: skip
    indicators_compute(numbers=[10])
    row = indicator_board(principal=principal).rows[9]
    assert row.value == Decimal("95.7") and row.numerator == 22  # 22 of the 23 lines
    with pytest.raises(ValidationFailed):
        topic_save(principal=principal, code="x", data=TopicInput(name="短", function="economy"))


def test_backfill_keeps_history_only_where_inputs_carry_dates(regions):
    results = indicators_backfill(days=3)
    assert [r.day for r in results][-1] == timezone.localdate()
    assert 17 in results[0].skipped and not results[-1].skipped
    with pytest.raises(ValidationFailed):
        indicators_compute(day=timezone.localdate() + dt.timedelta(days=1))


def test_definitions_sync_is_idempotent_and_repairs_drift(regions):
    from ..models import Indicator
    from ..services.topics import definitions_sync

    assert definitions_sync() == 0  # the migration loaded them
    Indicator.objects.filter(number=6).update(target=Decimal("9.9"), note="")
    assert definitions_sync() == 1
    six = Indicator.objects.get(number=6)
    assert six.target == Decimal("9.5") and six.note.startswith("平台口径")
    assert Indicator.objects.get(number=10).baseline is None
