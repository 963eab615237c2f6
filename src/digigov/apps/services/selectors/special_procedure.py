"""特别程序 on a case's page: whether the principal may start or end one (the handling
organization's staff with services.handle_application, the rule `services/clock.py`
applies through `case_for`), the one in progress and the finished ones with the working
days each added to the deadline. A display read: the caller already holds the case's task,
and a refused action is audited by the service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from digigov.kernel.errors import NotFound
from digigov.kernel.principals import Principal

from ..models import Application, ClockPause
from .access import HANDLER, case_role

# Common 特别程序 (听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审 ...): suggestions only,
# the reason is free text.
REASON_SUGGESTIONS = (
    "专家评审",
    "听证",
    "检验检测",
    "现场勘查",
    "技术鉴定",
    "检疫",
    "招标",
    "拍卖",
    "公示",
)


@dataclass(frozen=True)
class SpecialProcedureRow:
    reason: str
    started_at: dt.datetime
    started_by: str
    ended_at: dt.datetime | None
    ended_by: str
    working_days: int


@dataclass(frozen=True)
class SpecialProcedureState:
    may_use: bool  # the principal may start or end a special procedure on this case
    is_clock_running: bool  # accepted and not closed: the statutory clock counts
    deadline: dt.date | None
    current: SpecialProcedureRow | None  # the special procedure in progress
    is_paused_otherwise: bool  # paused for another reason (补正)
    finished: list[SpecialProcedureRow] = field(default_factory=list)
    suggestions: tuple[str, ...] = REASON_SUGGESTIONS

    @property
    def can_start(self) -> bool:
        return (
            self.may_use
            and self.is_clock_running
            and self.current is None
            and not self.is_paused_otherwise
        )

    @property
    def can_stop(self) -> bool:
        return self.may_use and self.current is not None

    @property
    def paused_working_days(self) -> int:
        return sum(row.working_days for row in self.finished)


def _row(pause: ClockPause) -> SpecialProcedureRow:
    return SpecialProcedureRow(
        reason=pause.reason,
        started_at=pause.started_at,
        started_by=pause.started_by,
        ended_at=pause.ended_at,
        ended_by=pause.ended_by,
        working_days=pause.working_days,
    )


def special_procedure_state(*, principal: Principal, number: str) -> SpecialProcedureState:
    """The special procedures of a case the principal already reads (its task page)."""
    application = Application.objects.filter(number=number).first()
    if application is None:
        raise NotFound("办件不存在", code="services/application_not_found")
    pauses = list(
        ClockPause.objects.filter(application=application, kind=ClockPause.Kind.SPECIAL).order_by(
            "started_at", "pk"
        )
    )
    is_special = application.paused_since is not None and application.paused_reason == "special"
    open_pause = next((p for p in reversed(pauses) if p.ended_at is None), None)
    current = None
    if is_special:
        current = (
            _row(open_pause)
            if open_pause is not None
            else SpecialProcedureRow(
                reason="",
                started_at=application.paused_since,
                started_by="",
                ended_at=None,
                ended_by="",
                working_days=0,
            )
        )
    return SpecialProcedureState(
        may_use=principal.kind == "staff"
        and case_role(principal=principal, application=application) == HANDLER,
        is_clock_running=application.deadline is not None and not application.is_closed,
        deadline=application.deadline,
        current=current,
        is_paused_otherwise=application.paused_since is not None and not is_special,
        finished=[_row(p) for p in pauses if p.ended_at is not None],
    )
