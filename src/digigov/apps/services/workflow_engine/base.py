"""What the case services need from a workflow engine, and nothing more.

An engine runs BPMN processes by id. A running process is an opaque *instance* that the
caller persists with `serialize` (a JSON-compatible dict) and brings back with
`deserialize`. Human work shows up as `HumanTask`s (the BPMN user tasks that are ready);
their `properties` are the modeller's assignment and behaviour hints:

    role           the staff role (identity ROLES key) that may act
    line           the organization line (e.g. "scjg"); missing = the item's organization
    stage          accept | review | decide | finish: what completing the step means
    outcomes       "value=label|value=label": the choices a handler has
    distinct_from  step names whose completer may not complete this step (four-eyes)

End events carry a `result` property (approved | rejected | not_accepted): the case's
conclusion when the process ends there.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any


class EngineError(Exception):
    """Base of the engine's errors (the services turn them into domain errors)."""


class UnknownProcess(EngineError):
    pass


class UnknownTask(EngineError):
    """The task reference is not a ready human task of this instance."""


class StepNotReached(EngineError):
    """Send-back target that the case has not passed (or no longer keeps)."""


@dataclass(frozen=True)
class Step:
    """A human step of a process definition (a BPMN user task)."""

    name: str
    label: str
    properties: dict[str, str] = field(default_factory=dict)

    def outcomes(self) -> list[tuple[str, str]]:
        pairs = []
        for part in self.properties.get("outcomes", "").split("|"):
            if "=" in part:
                value, label = part.split("=", 1)
                pairs.append((value.strip(), label.strip()))
        return pairs


@dataclass(frozen=True)
class HumanTask(Step):
    """A ready user task of one running instance."""

    ref: str = ""


class WorkflowEngine(ABC):
    name: str = ""

    @abstractmethod
    def process_ids(self) -> list[str]: ...

    @abstractmethod
    def steps(self, process_id: str) -> list[Step]:
        """The human steps of a process, in document order."""

    @abstractmethod
    def start(self, process_id: str, data: dict[str, Any]) -> Any:
        """A new instance, advanced to its first human tasks."""

    @abstractmethod
    def ready_tasks(self, instance: Any) -> list[HumanTask]: ...

    @abstractmethod
    def complete(self, instance: Any, task_ref: str, data: dict[str, Any]) -> None:
        """Complete a ready human task with data and run the engine to the next wait."""

    @abstractmethod
    def reset_to(self, instance: Any, step_name: str) -> None:
        """Send back: reopen the latest passed instance of `step_name` (later work undone)."""

    @abstractmethod
    def cancel(self, instance: Any) -> None: ...

    @abstractmethod
    def is_completed(self, instance: Any) -> bool: ...

    @abstractmethod
    def result(self, instance: Any) -> str:
        """The `result` of the end event reached ("" while running or if none)."""

    @abstractmethod
    def data(self, instance: Any) -> dict[str, Any]: ...

    @abstractmethod
    def serialize(self, instance: Any) -> dict[str, Any]: ...

    @abstractmethod
    def deserialize(self, process_id: str, state: dict[str, Any]) -> Any: ...
