"""The engine interface on SpiffWorkflow: the shipped processes run to their ends, parallel
branches are all required, send-back undoes later work, state survives serialization and
stays bounded on long cases."""

from __future__ import annotations

import json

import pytest

from ..workflow_engine import registry
from ..workflow_engine.base import StepNotReached, UnknownProcess, UnknownTask
from ..workflow_engine.contrib.spiff import SpiffEngine


@pytest.fixture(scope="module")
def engine():
    return SpiffEngine()


def _roundtrip(engine, process_id, instance):
    state = json.loads(json.dumps(engine.serialize(instance)))
    return engine.deserialize(process_id, state)


def _do(engine, process_id, instance, step, outcome):
    (task,) = [t for t in engine.ready_tasks(instance) if t.name == step]
    engine.complete(instance, task.ref, {step: outcome})
    return _roundtrip(engine, process_id, instance)


def _ready(engine, instance):
    return sorted(t.name for t in engine.ready_tasks(instance))


def test_the_three_processes_ship_as_bpmn(engine):
    assert {"general_approval", "restaurant_opening", "real_estate_registration"} <= set(
        engine.process_ids()
    )
    steps = {s.name: s for s in engine.steps("restaurant_opening")}
    assert steps["xf_check"].properties["line"] == "xf"
    assert steps["decide"].properties["distinct_from"] == "scjg_review"
    assert ("approve", "准予许可") in steps["decide"].outcomes()


@pytest.mark.parametrize(
    ("path", "result"),
    [
        ([("accept", "accepted"), ("review", "pass"), ("decide", "approve")], "approved"),
        ([("accept", "accepted"), ("review", "fail"), ("decide", "reject")], "rejected"),
        ([("accept", "not_accepted")], "not_accepted"),
    ],
)
def test_general_approval_runs_to_each_end(engine, path, result):
    instance = _roundtrip(engine, "general_approval", engine.start("general_approval", {}))
    for step, outcome in path:
        assert not engine.is_completed(instance)
        instance = _do(engine, "general_approval", instance, step, outcome)
    assert engine.is_completed(instance)
    assert engine.result(instance) == result
    assert engine.ready_tasks(instance) == []


def test_restaurant_parallel_tasks_are_all_required(engine):
    pid = "restaurant_opening"
    instance = _do(engine, pid, engine.start(pid, {}), "accept", "accepted")
    assert _ready(engine, instance) == ["cgj_sign", "scjg_review", "xf_check"]
    instance = _do(engine, pid, instance, "xf_check", "pass")
    instance = _do(engine, pid, instance, "scjg_review", "pass")
    assert _ready(engine, instance) == ["cgj_sign"]  # no decision before every department
    instance = _do(engine, pid, instance, "cgj_sign", "pass")
    assert _ready(engine, instance) == ["decide"]
    instance = _do(engine, pid, instance, "decide", "approve")
    assert engine.result(instance) == "approved"
    assert engine.data(instance)["xf_check"] == "pass"


def test_send_back_into_a_parallel_branch_waits_for_it_again(engine):
    pid = "restaurant_opening"
    instance = _do(engine, pid, engine.start(pid, {}), "accept", "accepted")
    for step in ("scjg_review", "xf_check", "cgj_sign"):
        instance = _do(engine, pid, instance, step, "pass")
    engine.reset_to(instance, "xf_check")
    instance = _roundtrip(engine, pid, instance)
    assert _ready(engine, instance) == ["xf_check"]  # the others keep their work
    instance = _do(engine, pid, instance, "xf_check", "pass")
    assert _ready(engine, instance) == ["decide"]
    with pytest.raises(StepNotReached):
        engine.reset_to(instance, "nonexistent")


def test_real_estate_registration_runs_through(engine):
    pid = "real_estate_registration"
    instance = engine.start(pid, {})
    for step, outcome in [("accept", "accepted"), ("review", "pass"), ("register", "approve")]:
        instance = _do(engine, pid, instance, step, outcome)
    assert _ready(engine, instance) == ["certify"]
    instance = _do(engine, pid, instance, "certify", "done")
    assert engine.result(instance) == "approved"


def test_unknown_process_and_task(engine):
    with pytest.raises(UnknownProcess):
        engine.start("no_such_process", {})
    instance = engine.start("general_approval", {})
    with pytest.raises(UnknownTask):
        engine.complete(instance, "00000000-0000-0000-0000-000000000000", {})
    with pytest.raises(UnknownTask):
        engine.complete(instance, "not-a-uuid", {})


def test_cancel_leaves_no_ready_task(engine):
    instance = engine.start("general_approval", {})
    engine.cancel(instance)
    instance = _roundtrip(engine, "general_approval", instance)
    assert engine.ready_tasks(instance) == []
    assert engine.is_completed(instance)
    assert engine.result(instance) == ""


def test_long_case_state_stays_bounded(engine):
    """The task tree is pruned and the spec is not stored: the 200th step's state is no
    bigger than the 10th's."""
    pid = "bench_loop"
    instance = engine.start(pid, {})
    sizes = {}
    for number in range(1, 201):
        instance = _do(engine, pid, instance, "step", "again")
        if number in (10, 200):
            sizes[number] = len(json.dumps(engine.serialize(instance)))
    assert sizes[200] <= sizes[10] * 1.1
    instance = _do(engine, pid, instance, "step", "done")
    assert engine.result(instance) == "approved"


def test_the_registry_swaps_engines():
    class Fake(SpiffEngine):
        name = "fake"

    registry.engine_register("fake", Fake)
    previous = registry.engine_use("fake")
    try:
        assert isinstance(registry.workflow_engine(), Fake)
    finally:
        registry.engine_use(previous)
    assert registry.workflow_engine().name == "spiff"
