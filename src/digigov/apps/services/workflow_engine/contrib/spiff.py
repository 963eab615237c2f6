"""SpiffWorkflow 3.x as the workflow engine.

Two things keep long cases cheap (SpiffWorkflow's task tree grows with every step, and its
serializer writes the whole tree and the whole process spec every time):

* the process spec is parsed once per process and never serialized: the stored state holds
  the task tree only, and deserialization re-attaches the cached spec;
* after each step the tree is pruned above the unfinished work, keeping the latest passed
  instance of every human step (so a case can still be sent back to any step it passed)
  and dropping older loop iterations. The state, and so the cost of a step, stays bounded
  by the process's shape instead of growing with the number of steps taken.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from ..base import HumanTask, Step, StepNotReached, UnknownProcess, UnknownTask, WorkflowEngine

PROCESSES_DIR = Path(__file__).resolve().parent.parent.parent / "processes"
STATE_FORMAT = "digigov-spiff-1"


class _StatelessSpecConverter(BpmnWorkflowConverter):
    """Serializes a workflow without its spec; restores it onto the cached spec."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _properties(task_spec) -> dict[str, str]:
    return dict((getattr(task_spec, "extensions", None) or {}).get("properties", {}))


def _step_of(task_spec) -> Step:
    return Step(
        name=task_spec.name,
        label=task_spec.bpmn_name or task_spec.name,
        properties=_properties(task_spec),
    )


class SpiffEngine(WorkflowEngine):
    name = "spiff"

    def __init__(self, directories: list[Path] | None = None) -> None:
        self._files: dict[str, Path] = {}
        for directory in directories or [PROCESSES_DIR]:
            for path in sorted(Path(directory).glob("*.bpmn")):
                self._files[path.stem] = path
        self._specs: dict[str, tuple[Any, dict]] = {}
        self._lock = threading.Lock()
        registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
        _StatelessSpecConverter(BpmnWorkflow, registry)
        self._registry = registry

    # ------------------------------------------------------------------ definitions

    def add_file(self, path: Path) -> None:
        """Make a process file known (its process id is the file name)."""
        self._files[Path(path).stem] = Path(path)

    def process_ids(self) -> list[str]:
        return sorted(self._files)

    def _spec(self, process_id: str) -> tuple[Any, dict]:
        cached = self._specs.get(process_id)
        if cached is not None:
            return cached
        path = self._files.get(process_id)
        if path is None:
            raise UnknownProcess(process_id)
        with self._lock:
            if process_id not in self._specs:
                parser = SpiffBpmnParser(validator=BpmnValidator())
                parser.add_bpmn_file(str(path))
                self._specs[process_id] = (
                    parser.get_spec(process_id),
                    parser.get_subprocess_specs(process_id),
                )
        return self._specs[process_id]

    def steps(self, process_id: str) -> list[Step]:
        spec, _ = self._spec(process_id)
        return [_step_of(ts) for ts in spec.task_specs.values() if ts.manual]

    # ------------------------------------------------------------------ running

    def start(self, process_id: str, data: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = self._spec(process_id)
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.data.update(data)
        workflow.task_tree.data.update(data)
        workflow.do_engine_steps()
        self._prune(workflow)
        return workflow

    def ready_tasks(self, instance: BpmnWorkflow) -> list[HumanTask]:
        tasks = []
        for task in instance.get_tasks(state=TaskState.READY, manual=True):
            step = _step_of(task.task_spec)
            tasks.append(
                HumanTask(
                    name=step.name, label=step.label, properties=step.properties, ref=str(task.id)
                )
            )
        return tasks

    def _ready_task(self, instance: BpmnWorkflow, task_ref: str):
        try:
            task = instance.get_task_from_id(UUID(task_ref))
        except (ValueError, KeyError, TypeError, TaskNotFoundException):
            task = None
        if task is None or not task.task_spec.manual or task.state != TaskState.READY:
            raise UnknownTask(task_ref)
        return task

    def complete(self, instance: BpmnWorkflow, task_ref: str, data: dict[str, Any]) -> None:
        task = self._ready_task(instance, task_ref)
        task.data.update(data)
        task.run()
        instance.do_engine_steps()
        self._prune(instance)

    def reset_to(self, instance: BpmnWorkflow, step_name: str) -> None:
        passed = [
            task
            for task in instance.get_tasks(state=TaskState.COMPLETED, spec_name=step_name)
            if task.task_spec.manual
        ]
        if not passed:
            raise StepNotReached(step_name)
        latest = max(passed, key=lambda task: task.last_state_change)
        since = latest.last_state_change
        instance.reset_from_task_id(latest.id)
        # A join that fired after the target step was passed must wait for it again (the
        # other parallel branches keep their work).
        for task in list(instance.get_tasks(state=TaskState.COMPLETED)):
            if (
                isinstance(task.task_spec, UnstructuredJoin)
                and task.last_state_change > since
                and task.id in instance.tasks
            ):
                task.reset_branch(None)
        instance.do_engine_steps()

    def cancel(self, instance: BpmnWorkflow) -> None:
        instance.cancel()

    def is_completed(self, instance: BpmnWorkflow) -> bool:
        return bool(instance.completed)

    def result(self, instance: BpmnWorkflow) -> str:
        if not instance.completed:
            return ""
        for task in instance.get_tasks(state=TaskState.COMPLETED):
            value = _properties(task.task_spec).get("result")
            if value:
                return value
        return ""

    def data(self, instance: BpmnWorkflow) -> dict[str, Any]:
        if instance.completed:
            return dict(instance.data)
        merged: dict[str, Any] = {}
        for task in instance.get_tasks(state=TaskState.COMPLETED):
            merged.update(task.data)
        return merged

    # ------------------------------------------------------------------ persistence

    def serialize(self, instance: BpmnWorkflow) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "process_id": instance.spec.name,
            "workflow": self._registry.convert(instance),
        }

    def deserialize(self, process_id: str, state: dict[str, Any]) -> BpmnWorkflow:
        spec, subprocess_specs = self._spec(process_id)
        if state.get("format") != STATE_FORMAT:
            raise UnknownProcess(f"unsupported state format for {process_id}")
        return self._registry.restore(
            dict(state["workflow"]), spec=spec, subprocess_specs=subprocess_specs
        )

    # ------------------------------------------------------------------ pruning

    @staticmethod
    def _prune(workflow: BpmnWorkflow) -> None:
        """Drop finished history above the open work, keeping the latest instance of each
        human step (see the module docstring). Parallel branches below the open work's
        common ancestor are kept whole, so joins still see their inputs."""
        if workflow.completed or workflow.subprocesses:
            return
        open_tasks = [
            t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)
        ]
        if not open_tasks:
            return
        # lowest common ancestor of the open tasks
        common: list | None = None
        for task in open_tasks:
            chain = []
            node = task
            while node is not None:
                chain.append(node)
                node = node.parent
            chain.reverse()
            if common is None:
                common = chain
            else:
                length = 0
                for a, b in zip(common, chain, strict=False):
                    if a is not b:
                        break
                    length += 1
                common = common[:length]
        if not common or len(common) < 3:
            return
        # Walk up from one above the common ancestor; cut above the first human step seen
        # for the second time (an older loop iteration).
        seen = {t.task_spec.name for t in common[-2:] if t.task_spec.manual}
        keep_from = len(common) - 2
        for index in range(len(common) - 3, -1, -1):
            node = common[index]
            if node.task_spec.manual:
                if node.task_spec.name in seen:
                    break
                seen.add(node.task_spec.name)
            keep_from = index
        else:
            return  # reached the root: nothing to cut
        if keep_from == 0:
            return
        new_root = common[keep_from]
        kept: set[UUID] = set()
        stack = [new_root]
        while stack:
            node = stack.pop()
            kept.add(node.id)
            stack.extend(node.children)
        new_root._parent = None
        workflow.tasks = {key: task for key, task in workflow.tasks.items() if key in kept}
        workflow.task_tree = new_root
        if workflow.last_task is not None and workflow.last_task.id not in kept:
            workflow.last_task = None
