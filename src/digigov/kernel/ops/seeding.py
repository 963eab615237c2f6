"""Demo seeding steps, registered by each app in its AppConfig.ready() so that
`digigov seed --demo` (kernel.ops) runs them all without importing the layers above it.

A step is `fn(*, seed: int, people: int, entities: int) -> str`: idempotent, deterministic
for a seed, returning a short Chinese summary of what it did ("已存在，跳过" when nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Step = Callable[..., str]


@dataclass(frozen=True)
class SeedStep:
    order: int  # lower runs first: kernel 10-19, data 20-29, support 30-39, apps 40-49
    label: str
    run: Step


_STEPS: dict[str, SeedStep] = {}


def seed_step(name: str, *, order: int, label: str) -> Callable[[Step], Step]:
    def register(fn: Step) -> Step:
        _STEPS[name] = SeedStep(order=order, label=label, run=fn)
        return fn

    return register


def seed_steps() -> list[SeedStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.label))
