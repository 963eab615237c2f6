"""限时办结: the statutory clock of a case, in working days (kernel.workdays: statutory
holidays and 调休 working days).

- The deadline is the time limit (承诺时限, else 法定时限) in working days counted from the
  day after acceptance, plus the working days of every finished pause.
- Correction (补正, through case_transition) and special procedures (特别程序: hearing,
  inspection, expert review; started and stopped by the handling staff here) pause the
  clock; a pause before acceptance does not count, since the clock has not started.
- Warnings (`clock_warnings_refresh`, run daily by `digigov services_clock`): red once the
  deadline has passed, yellow when the working days left are at most
  max(ClockSetting.yellow_days, yellow_percent % of the limit); defaults 2 days and 20 %.
  A paused clock's days left stand still. Each change publishes services.application.warning.

The four hooks (clock_start, clock_pause, clock_resume, clock_stop) are called by
cases.case_transition inside its transaction, before it saves the application.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import Conflict, PermissionDenied, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal
from digigov.kernel.workdays.selectors import WorkCalendar, calendar

from ..models import Application, ClockPause, ClockSetting
from ..selectors.access import HANDLER, case_for
from ..selectors.supervision import clock_setting, days_left, limit_days, warning_level

S = Application.Status
MAX_REASON_LENGTH = 300


def _limit(application: Application) -> int:
    version = application.item_version
    return limit_days(promised_days=version.promised_days, statutory_days=version.statutory_days)


def _deadline(application: Application, work_calendar: WorkCalendar) -> dt.date | None:
    if application.accepted_at is None:
        return None
    paused = (
        0
        if application.pk is None
        else (
            application.clock_pauses.filter(ended_at__isnull=False).aggregate(
                days=Sum("working_days")
            )["days"]
            or 0
        )
    )
    return work_calendar.add(
        timezone.localdate(application.accepted_at), _limit(application) + paused
    )


def _warning_payload(application: Application, previous: str, left: int | None) -> dict[str, Any]:
    return {
        "application_id": application.pk,
        "number": application.number,
        "warning": application.warning,
        "previous": previous,
        "deadline": application.deadline.isoformat() if application.deadline else None,
        "days_left": left,
        "handling_organization_id": application.handling_organization_id,
        "handling_region_code": application.handling_region_id,
    }


def _warning_apply(
    application: Application,
    *,
    work_calendar: WorkCalendar,
    today: dt.date,
    setting: ClockSetting | None = None,
) -> None:
    """Set the case's warning for today (the caller saves), publishing a change."""
    left = days_left(
        deadline=application.deadline,
        paused_since=application.paused_since,
        today=today,
        work_calendar=work_calendar,
    )
    level = (
        Application.Warning.NONE
        if left is None
        else warning_level(
            days_left=left, limit=_limit(application), setting=setting or clock_setting()
        )
    )
    if level != application.warning:
        previous = application.warning
        application.warning = level
        event_publish(
            topic="services.application.warning",
            payload=_warning_payload(application, previous, left),
        )


# --- the hooks case_transition calls ---------------------------------------------------------


def clock_start(*, application: Application, at: dt.datetime) -> None:
    work_calendar = calendar()
    if application.accepted_at is None:
        application.accepted_at = at
    application.deadline = _deadline(application, work_calendar)
    today = timezone.localdate(application.accepted_at)
    _warning_apply(application, work_calendar=work_calendar, today=today)


def clock_pause(*, application: Application, reason: str, at: dt.datetime) -> None:
    if application.paused_since is not None:
        return  # already paused (e.g. a special procedure): one pause at a time
    application.paused_since = at
    application.paused_reason = reason
    if application.deadline is not None:  # running: the pause counts
        ClockPause.objects.create(
            application=application,
            kind=ClockPause.Kind.SPECIAL if reason == "special" else ClockPause.Kind.CORRECTION,
            started_at=at,
        )


def _pause_end(
    application: Application, *, at: dt.datetime, work_calendar: WorkCalendar, by: str = ""
) -> ClockPause | None:
    pause = application.clock_pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
    if pause is not None:
        pause.ended_at = at
        pause.ended_by = by
        pause.working_days = max(
            0,
            work_calendar.between(timezone.localdate(pause.started_at), timezone.localdate(at)),
        )
        pause.save(update_fields=["ended_at", "ended_by", "working_days"])
    application.paused_since = None
    application.paused_reason = ""
    return pause


def clock_resume(*, application: Application, at: dt.datetime) -> None:
    work_calendar = calendar()
    pause = _pause_end(application, at=at, work_calendar=work_calendar)
    if pause is not None:
        application.deadline = _deadline(application, work_calendar)
        _warning_apply(application, work_calendar=work_calendar, today=timezone.localdate(at))


def clock_stop(*, application: Application, at: dt.datetime) -> None:
    if application.deadline is None:
        # The clock never ran (closed before acceptance: 秒批, 不予受理, withdrawn): no
        # pause row exists (clock_pause writes one only while it runs), no deadline moves.
        application.paused_since = None
        application.paused_reason = ""
        application.warning = Application.Warning.NONE
        return
    work_calendar = calendar()
    if _pause_end(application, at=at, work_calendar=work_calendar) is not None:
        application.deadline = _deadline(application, work_calendar)
    # Warnings are about open cases; on-time is judged from closed_at and the deadline.
    application.warning = Application.Warning.NONE


# --- special procedures (特别程序) ---------------------------------------------------------


def _reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "请填写特别程序的事由", code="services/reason_required", fields={"reason": ["必填"]}
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(
            f"事由至多 {MAX_REASON_LENGTH} 个字",
            code="services/reason_too_long",
            fields={"reason": [f"至多 {MAX_REASON_LENGTH} 个字"]},
        )
    return reason


def _locked(number: str) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("item", "item_version", "handling_organization")
        .get(number=number)
    )


def clock_special_procedure_start(*, principal: Principal, number: str, reason: str) -> Application:
    """The handling staff start a special procedure (听证、招标、拍卖、检验、检测、检疫、鉴定、
    专家评审 ...): its time does not count towards the limit."""
    from .cases import case_record

    reason = _reason_clean(reason)
    case_for(principal=principal, number=number, roles=(HANDLER,))  # refusals audited
    with transaction.atomic():
        application = _locked(number)
        if application.is_closed or application.deadline is None:
            raise Conflict(
                "办件未受理或已办结，不能启动特别程序", code="services/clock_not_running"
            )
        if application.paused_since is not None:
            raise Conflict("办件计时已暂停", code="services/clock_already_paused")
        now = timezone.now()
        application.paused_since = now
        application.paused_reason = "special"
        ClockPause.objects.create(
            application=application,
            kind=ClockPause.Kind.SPECIAL,
            reason=reason,
            started_at=now,
            started_by=principal.actor,
        )
        application.save(update_fields=["paused_since", "paused_reason", "updated_at"])
        case_record(
            application=application,
            principal=principal,
            kind="special_procedure_start",
            label=f"启动特别程序：{reason}（所需时间不计入办理时限）",
            action="services.application.special_procedure_start",
            organization_name=application.handling_organization.name,
            detail={"reason": reason},
        )
        event_publish(
            topic="services.application.clock_paused",
            payload={"number": application.number, "kind": "special", "reason": reason},
        )
    return application


def clock_special_procedure_stop(
    *, principal: Principal, number: str, reason: str = ""
) -> Application:
    """End the special procedure: the deadline moves by the working days it took."""
    from .cases import case_record

    reason = (reason or "").strip()[:MAX_REASON_LENGTH]
    case_for(principal=principal, number=number, roles=(HANDLER,))
    with transaction.atomic():
        application = _locked(number)
        if application.paused_since is None or application.paused_reason != "special":
            raise Conflict("办件没有进行中的特别程序", code="services/no_special_procedure")
        now = timezone.now()
        work_calendar = calendar()
        previous_deadline = application.deadline
        pause = _pause_end(application, at=now, work_calendar=work_calendar, by=principal.actor)
        application.deadline = _deadline(application, work_calendar)
        _warning_apply(application, work_calendar=work_calendar, today=timezone.localdate(now))
        application.save(
            update_fields=["paused_since", "paused_reason", "deadline", "warning", "updated_at"]
        )
        days = pause.working_days if pause else 0
        case_record(
            application=application,
            principal=principal,
            kind="special_procedure_stop",
            label=(
                f"特别程序结束，历时 {days} 个工作日，办结期限顺延至 "
                f"{application.deadline:%Y年%m月%d日}"
            ),
            action="services.application.special_procedure_stop",
            organization_name=application.handling_organization.name,
            detail={
                "reason": reason,
                "working_days": days,
                "previous_deadline": previous_deadline.isoformat() if previous_deadline else None,
                "deadline": application.deadline.isoformat() if application.deadline else None,
            },
        )
        event_publish(
            topic="services.application.clock_resumed",
            payload={
                "number": application.number,
                "kind": "special",
                "working_days": days,
                "deadline": application.deadline.isoformat() if application.deadline else None,
            },
        )
    return application


# --- settings and the daily refresh --------------------------------------------------------


def clock_setting_update(
    *, principal: Principal, yellow_days: int, yellow_percent: int
) -> ClockSetting:
    """Change the warning thresholds (back office; services.manage_rules)."""
    if not principal.has_perm("services.manage_rules"):
        audit_record(
            actor=principal.actor,
            action="services.clock.setting",
            object_type="services.clocksetting",
            object_id="1",
            outcome="denied",
            source_address=principal.source_address,
        )
        raise PermissionDenied("无权修改预警设置", code="services/not_rule_manager")
    fields: dict[str, list[str]] = {}
    if not 0 <= yellow_days <= 60:
        fields["yellow_days"] = ["应在 0 到 60 之间"]
    if not 0 <= yellow_percent <= 100:
        fields["yellow_percent"] = ["应在 0 到 100 之间"]
    if fields:
        raise ValidationFailed("预警设置无效", code="services/invalid_clock_setting", fields=fields)
    with transaction.atomic():
        setting, _ = ClockSetting.objects.update_or_create(
            pk=1, defaults={"yellow_days": yellow_days, "yellow_percent": yellow_percent}
        )
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action="services.clock.setting",
            object_type="services.clocksetting",
            object_id="1",
            source_address=principal.source_address,
            detail={"yellow_days": yellow_days, "yellow_percent": yellow_percent},
        )
    return setting


REFRESH_BATCH = 500


def clock_warnings_refresh(*, today: dt.date | None = None) -> dict[str, Any]:
    """Recompute yellow/red for every open case whose clock runs (or is paused) and publish
    services.application.warning for each change. Idempotent: run it daily (or hourly)."""
    today = today or timezone.localdate()
    work_calendar = calendar()
    setting = clock_setting()
    open_cases = (
        Application.objects.exclude(status__in=(*Application.CLOSED, S.DRAFT))
        .filter(deadline__isnull=False)
        .values_list(
            "pk",
            "deadline",
            "paused_since",
            "warning",
            "item_version__promised_days",
            "item_version__statutory_days",
        )
        .order_by("pk")
    )
    checked = 0
    changes: dict[int, tuple[str, str, int]] = {}
    counts = {"red": 0, "yellow": 0}
    for pk, deadline, paused_since, warning, promised, statutory in open_cases.iterator(
        chunk_size=2000
    ):
        checked += 1
        left = days_left(
            deadline=deadline, paused_since=paused_since, today=today, work_calendar=work_calendar
        )
        assert left is not None
        level = warning_level(
            days_left=left,
            limit=limit_days(promised_days=promised, statutory_days=statutory),
            setting=setting,
        )
        if level:
            counts[level] += 1
        if level != warning:
            changes[pk] = (warning, level, left)
    ids = list(changes)
    for start in range(0, len(ids), REFRESH_BATCH):
        batch = ids[start : start + REFRESH_BATCH]
        with transaction.atomic():
            cases = Application.objects.select_for_update(of=("self",)).filter(pk__in=batch)
            for application in cases:
                previous, level, left = changes[application.pk]
                if application.warning != previous:
                    continue  # changed meanwhile by a transition: that one is newer
                application.warning = level
                application.save(update_fields=["warning"])
                event_publish(
                    topic="services.application.warning",
                    payload=_warning_payload(application, previous, left),
                )
    return {
        "date": today.isoformat(),
        "checked": checked,
        "red": counts["red"],
        "yellow": counts["yellow"],
        "changed": len(changes),
        "calendar_covers_year": work_calendar.covers(today.year),
    }


# --- demo -----------------------------------------------------------------------------------

# username -> (organization, real name, what the demo login list says)
DEMO_SUPERVISORS: dict[str, tuple[str, str, str]] = {
    "gd_supervisor": ("440000-zsj", "许监督", "省政数局 政务服务监督（全省）"),
    "gz_supervisor": ("440100-zsj", "罗监督", "广州市政数局 政务服务监督（广州）"),
}


def clock_demo_seed(**_options: Any) -> str:
    """Supervisor demo accounts (with TOTP) and the warnings of the seeded cases. Idempotent;
    runs after the areas that file demo cases."""
    from django.contrib.auth import get_user_model

    from digigov.kernel.organizations.selectors import organization_list
    from digigov.support.identity import services as identity
    from digigov.support.identity.constants import DEMO_PASSWORDS
    from digigov.support.identity.selectors import totp_enrolment_needed

    identity.roles_seed()
    accounts = get_user_model().objects
    made = []
    for username, (organization_code, name, _label) in DEMO_SUPERVISORS.items():
        organization = (
            organization_list(search=organization_code).filter(code=organization_code).first()
        )
        if organization is None:
            continue
        account = accounts.filter(username=username).first()
        if account is None:
            account = identity.staff_account_create(
                actor=None,
                username=username,
                password=DEMO_PASSWORDS["staff"],
                real_name=name,
                organization_id=organization.pk,
                roles=["政务服务监督人员"],
            )
            made.append(username)
        if totp_enrolment_needed(account_id=account.pk):
            identity.totp_device_create(account_id=account.pk)
    result = clock_warnings_refresh()
    return (
        f"新建 {len(made)} 个监督演示账号；" if made else ""
    ) + f"在办 {result['checked']} 件，红牌 {result['red']} 件，黄牌 {result['yellow']} 件"
