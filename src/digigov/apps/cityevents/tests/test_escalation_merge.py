"""SLA deadlines, escalation on timeout (idempotent, explicit `now`), the command, and
merging duplicate reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from digigov.apps.cityevents.models import CityEvent, EventReporter
from digigov.apps.cityevents.selectors.events import event_duplicate_candidates
from digigov.apps.cityevents.services import (
    city_event_act,
    city_event_merge,
    city_event_report,
    city_events_escalate,
)
from digigov.apps.cityevents.testing import photo
from digigov.data.registries.services import demo_person_id_numbers, registry_demo_generate
from digigov.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.support.identity.testing import citizen_make, principal_of

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _report(world, *, now=T0, ref="", reporter=None, source="sensor", offset=0.0):
    lng, lat = world.grid_point
    return city_event_report(
        source=source,
        event_type_code="env.noise",
        lng=lng + offset,
        lat=lat,
        title="噪声",
        external_ref=ref,
        reporter=reporter,
        photos=[photo()] if source == "citizen" else (),
        now=now,
    )


def test_stage_deadline_comes_from_the_sla(world):
    event = CityEvent.objects.get(pk=_report(world).id)
    sla = event.event_type.sla_hours["general"]["reported"]
    assert event.stage_due_at == T0 + dt.timedelta(hours=sla)


def test_escalation_raises_level_once_per_deadline(world, dispatcher):
    ref = _report(world)
    event = CityEvent.objects.get(pk=ref.id)
    late = event.stage_due_at + dt.timedelta(minutes=1)
    assert city_events_escalate(now=event.stage_due_at - dt.timedelta(minutes=1)).checked == 0
    result = city_events_escalate(now=late)
    assert (result.escalated, result.marked_overdue) == (1, 0)
    event.refresh_from_db()
    assert event.is_overdue and event.escalations == 1
    assert event.handling_level == "city"
    assert event.command_organization.code == "440100-zsj"
    assert Event.objects.filter(topic="cityevents.event.escalate").count() == 1
    # Idempotent: the same moment again changes nothing.
    assert city_events_escalate(now=late).escalated == 0
    event.refresh_from_db()
    assert event.escalations == 1
    # The old command centre is no longer responsible.
    with pytest.raises(PermissionDenied):
        city_event_act(principal=dispatcher, number=ref.number, action="register")
    # Past the new deadline: the province; then only marked.
    city_events_escalate(now=event.stage_due_at + dt.timedelta(minutes=1))
    event.refresh_from_db()
    assert event.handling_level == "province" and event.escalations == 2
    # At the top and already overdue: nothing more to do.
    assert city_events_escalate(now=event.stage_due_at + dt.timedelta(minutes=1)).checked == 0


def test_province_event_past_deadline_is_only_marked(world):
    lng, lat = world.grid_point
    ref = city_event_report(
        source="sensor",
        event_type_code="env.noise",
        lng=lng,
        lat=lat,
        title="重大噪声污染",
        level="especially_major",
        now=T0,
    )
    later = T0 + dt.timedelta(days=2)
    assert city_events_escalate(now=later).marked_overdue == 1
    assert city_events_escalate(now=later).checked == 0
    event = CityEvent.objects.get(pk=ref.id)
    assert event.is_overdue and event.handling_level == "province" and event.escalations == 0


def test_escalate_command_runs(world, capsys):
    _report(world, now=timezone.now() - dt.timedelta(days=3))
    call_command("cityevents_escalate")
    assert "升级 1" in capsys.readouterr().out
    call_command("cityevents_escalate")
    assert "升级 0" in capsys.readouterr().out


def test_duplicate_is_suggested_and_merged_with_its_reporter(world, dispatcher):
    registry_demo_generate(people=2, entities=1)
    citizen = citizen_make("ce_citizen", demo_person_id_numbers(count=1)[0])
    citizen_principal = principal_of(citizen)
    first = _report(world, ref="a")
    second = _report(
        world,
        now=T0 + dt.timedelta(hours=2),
        reporter=citizen_principal,
        source="citizen",
        offset=0.0005,  # about 50 m east
    )
    far = _report(world, ref="far", offset=0.05)
    duplicate = CityEvent.objects.get(pk=second.id)
    suggestions = event_duplicate_candidates(event=duplicate)
    assert [s["number"] for s in suggestions] == [first.number]
    assert far.number not in [s["number"] for s in suggestions]
    city_event_merge(principal=dispatcher, duplicate_number=second.number, into_number=first.number)
    duplicate.refresh_from_db()
    assert duplicate.stage == "merged" and duplicate.merged_into_id == first.id
    assert EventReporter.objects.filter(event_id=first.id, actor=citizen_principal.actor).exists()
    with pytest.raises(Conflict):
        city_event_merge(
            principal=dispatcher, duplicate_number=second.number, into_number=first.number
        )


def test_merge_refusals_change_nothing(world, dispatcher, handler, outsider):
    first, second = _report(world, ref="a"), _report(world, ref="b")
    for principal in (handler, outsider):
        with pytest.raises(PermissionDenied):
            city_event_merge(
                principal=principal, duplicate_number=second.number, into_number=first.number
            )
    with pytest.raises(ValidationFailed):
        city_event_merge(
            principal=dispatcher, duplicate_number=first.number, into_number=first.number
        )
    assert set(CityEvent.objects.values_list("stage", flat=True)) == {"reported"}


def test_closed_event_is_not_escalated(world, dispatcher):
    open_ref = _report(world, ref="open")
    rejected = _report(world, ref="rejected")
    city_event_act(
        principal=dispatcher, number=rejected.number, action="reject", note="重复", now=T0
    )
    result = city_events_escalate(now=T0 + dt.timedelta(days=30))
    assert (result.checked, result.escalated) == (1, 1)
    assert CityEvent.objects.get(pk=rejected.id).escalations == 0
    assert CityEvent.objects.get(pk=open_ref.id).escalations == 1
