"""Background work of 城市事件. The platform has no task runner installed yet (django-tasks
is planned): the function is what a periodic task will call; until then cron runs
`digigov cityevents_escalate`."""

from __future__ import annotations

from .services.events import EscalationResult, city_events_escalate


def cityevents_escalate_task() -> EscalationResult:
    return city_events_escalate()
