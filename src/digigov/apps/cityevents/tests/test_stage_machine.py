"""The closed loop 上报 -> 立案 -> 派遣 -> 处置 -> 核查 -> 结案, its side paths, and who may act."""

from __future__ import annotations

import pytest

from digigov.apps.cityevents.models import CityEvent, EventTransition, RefusalCount
from digigov.apps.cityevents.selectors.events import ACTIONS
from digigov.apps.cityevents.services import city_event_act, city_event_report
from digigov.apps.cityevents.testing import photo
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import Conflict, PermissionDenied, Unauthenticated, ValidationFailed
from digigov.kernel.events.models import Event
from digigov.kernel.principals import ANONYMOUS

pytestmark = pytest.mark.django_db

STAGE_AFTER = {
    "reported": [],
    "registered": ["register"],
    "dispatched": ["register", "dispatch"],
    "handled": ["register", "dispatch", "handle"],
    "verified": ["register", "dispatch", "handle", "verify"],
    "closed": ["register", "dispatch", "handle", "verify", "close"],
    "rejected": ["reject"],
}


def _report(world, ref="t-1"):
    lng, lat = world.grid_point
    return city_event_report(
        source="sensor",
        event_type_code="env.noise",
        lng=lng,
        lat=lat,
        title="夜间施工噪声",
        external_ref=ref,
    )


def _who(action, dispatcher, handler, world):
    return {"command": dispatcher, "handling": handler, "verifier": world.worker_principal}[
        ACTIONS[action][3]
    ]


def _drive(number, actions, dispatcher, handler, world):
    for action in actions:
        city_event_act(
            principal=_who(action, dispatcher, handler, world),
            number=number,
            action=action,
            note="理由" if action in ("reject", "return", "verify_fail") else "",
            photos=[photo(len(action))] if action in ("handle", "verify", "verify_fail") else [],
        )


def test_full_loop_records_timeline_audit_and_events(world, dispatcher, handler):
    ref = _report(world)
    event = CityEvent.objects.get(pk=ref.id)
    assert event.grid_id == world.grid.pk
    assert event.region_id == world.grid.code  # resolved down to the village grid
    assert event.command_organization.code == "440106-zsj"
    assert event.handling_organization.code == "440100-stt"
    _drive(ref.number, STAGE_AFTER["closed"], dispatcher, handler, world)
    event.refresh_from_db()
    assert event.stage == "closed" and event.closed_at is not None
    assert list(event.timeline.values_list("action", flat=True)) == [
        "report",
        "register",
        "dispatch",
        "handle",
        "verify",
        "close",
    ]
    assert event.photos.filter(purpose="handling").count() == 1
    assert event.photos.filter(purpose="verification").count() == 1
    audited = set(AuditEntry.objects.filter(object_id=ref.number).values_list("action", flat=True))
    assert {"cityevents.event.register", "cityevents.event.close"} <= audited
    assert Event.objects.filter(topic="cityevents.event.close").count() == 1


@pytest.mark.parametrize("start", list(STAGE_AFTER))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_from_every_stage(world, dispatcher, handler, start, action):
    ref = _report(world)
    _drive(ref.number, STAGE_AFTER[start], dispatcher, handler, world)
    before = EventTransition.objects.count()
    legal = ACTIONS[action][0] == start
    kwargs = {
        "principal": _who(action, dispatcher, handler, world),
        "number": ref.number,
        "action": action,
        "note": "理由",
        "photos": [photo(9)],
    }
    if legal:
        result = city_event_act(**kwargs)
        assert result.stage == ACTIONS[action][1]
        assert EventTransition.objects.count() == before + 1
    else:
        with pytest.raises(Conflict) as raised:
            city_event_act(**kwargs)
        assert raised.value.code == "cityevents/wrong_stage"
        assert CityEvent.objects.get(pk=ref.id).stage == start
        assert EventTransition.objects.count() == before


def test_return_and_failed_verification_paths(world, dispatcher, handler):
    ref = _report(world)
    _drive(ref.number, ["register", "dispatch", "return"], dispatcher, handler, world)
    assert CityEvent.objects.get(pk=ref.id).stage == "registered"
    _drive(ref.number, ["dispatch", "handle", "verify_fail"], dispatcher, handler, world)
    assert CityEvent.objects.get(pk=ref.id).stage == "dispatched"


@pytest.mark.parametrize("who", ["anonymous", "no_role", "outsider", "handler"])
def test_only_the_responsible_may_register_and_refusals_are_counted(
    world, dispatcher, who, request
):
    ref = _report(world)
    principal = ANONYMOUS if who == "anonymous" else request.getfixturevalue(who)
    denied_before = AuditEntry.objects.filter(outcome="denied").count()
    with pytest.raises((PermissionDenied, Unauthenticated)):
        city_event_act(principal=principal, number=ref.number, action="register")
    assert CityEvent.objects.get(pk=ref.id).stage == "reported"
    assert EventTransition.objects.filter(event_id=ref.id).count() == 1
    assert AuditEntry.objects.filter(outcome="denied").count() == denied_before + 1
    if who != "anonymous":
        assert RefusalCount.objects.get(code="cityevents/not_responsible").count == 1


def test_only_the_grid_worker_verifies(world, dispatcher, handler, outsider):
    ref = _report(world)
    _drive(ref.number, ["register", "dispatch", "handle"], dispatcher, handler, world)
    for principal in (dispatcher, outsider, handler):
        with pytest.raises(PermissionDenied):
            city_event_act(
                principal=principal, number=ref.number, action="verify", photos=[photo()]
            )
    city_event_act(
        principal=world.worker_principal, number=ref.number, action="verify", photos=[photo()]
    )
    assert CityEvent.objects.get(pk=ref.id).stage == "verified"


@pytest.mark.parametrize("action", ["handle", "verify"])
def test_photo_evidence_is_required_at_handling_and_verification(
    world, dispatcher, handler, action
):
    ref = _report(world)
    steps = ["register", "dispatch"] + (["handle"] if action == "verify" else [])
    _drive(ref.number, steps, dispatcher, handler, world)
    stage = CityEvent.objects.get(pk=ref.id).stage
    with pytest.raises(ValidationFailed) as raised:
        city_event_act(
            principal=_who(action, dispatcher, handler, world), number=ref.number, action=action
        )
    assert raised.value.code == "cityevents/photo_required"
    assert CityEvent.objects.get(pk=ref.id).stage == stage


def test_rejection_needs_a_reason(world, dispatcher):
    ref = _report(world)
    with pytest.raises(ValidationFailed) as raised:
        city_event_act(principal=dispatcher, number=ref.number, action="reject")
    assert raised.value.code == "cityevents/note_required"
    city_event_act(principal=dispatcher, number=ref.number, action="reject", note="非城市事件")
    assert CityEvent.objects.get(pk=ref.id).stage == "rejected"
