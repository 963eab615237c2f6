"""Background work of 一网统管: the daily recomputation of the indicators. The project's
task framework (django-tasks) is not installed yet; a scheduler (cron, systemd timer) runs
`digigov indicators_compute` or calls this function."""

from __future__ import annotations

from .services.compute import ComputeResult, indicators_compute


def indicators_compute_task() -> ComputeResult:
    return indicators_compute(actor="task:indicators_compute")
