"""好差评 reads: the rating panel of a case (applicant and staff), the rectification tasks of an
organization, and statistics by item, department and region for supervisors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Max, Q, QuerySet
from django.utils import timezone

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, Unauthenticated, ValidationFailed
from digigov.kernel.organizations.services import DEPARTMENTS
from digigov.kernel.principals import Principal

from .. import ratings_vocabulary as vocabulary
from ..models import Application, Rating, Rectification
from .access import APPLICANT, FILER, HANDLE, case_for
from .supervision import Scope, SupervisionFilter, filter_q, scope_q, supervision_scope


@dataclass(frozen=True)
class ReasonChoice:
    code: str
    label: str


@dataclass(frozen=True)
class RatingView:
    grade: int
    grade_label: str
    reasons: list[ReasonChoice]
    comment: str
    channel: str
    channel_label: str
    rated_at: dt.datetime


@dataclass(frozen=True)
class RectificationView:
    id: int
    status: str
    status_label: str
    due_date: dt.date
    reply: str
    replied_at: dt.datetime | None
    organization_name: str


@dataclass(frozen=True)
class RatingPanel:
    """What the case page shows about rating: the form when the principal may rate now, the
    rating once given, and the organization's reply to a bad rating."""

    number: str
    can_rate: bool
    why_not: str  # when the applicant cannot rate (yet): shown instead of the form
    rating: RatingView | None
    rectification: RectificationView | None
    grades: list[tuple[int, str]]
    reasons_by_grade: dict[int, list[ReasonChoice]]

    @property
    def reason_groups(self) -> list[tuple[str, list[ReasonChoice]]]:
        """The reasons as the form shows them: one group per kind of grade."""
        return [
            ("满意的方面（4-5 分）", _choices(vocabulary.GOOD_REASONS)),
            ("基本满意的方面（3 分）", _choices(vocabulary.BASIC_REASONS)),
            ("不满意的原因（1-2 分，必选）", _choices(vocabulary.BAD_REASONS)),
        ]


def _choices(mapping: dict[str, str]) -> list[ReasonChoice]:
    return [ReasonChoice(code, label) for code, label in mapping.items()]


def rating_vocabulary() -> dict[str, object]:
    return {
        "grades": [{"grade": g, "label": label} for g, label in vocabulary.GRADES.items()],
        "bad_grade_max": vocabulary.BAD_GRADE_MAX,
        "reasons": {
            str(grade): [
                {"code": c.code, "label": c.label} for c in _choices(vocabulary.reasons_for(grade))
            ]
            for grade in vocabulary.GRADES
        },
        "channels": [{"code": c, "label": label} for c, label in vocabulary.CHANNELS.items()],
    }


def rating_view(rating: Rating) -> RatingView:
    return RatingView(
        grade=rating.grade,
        grade_label=vocabulary.GRADES.get(rating.grade, str(rating.grade)),
        reasons=[ReasonChoice(code, vocabulary.reason_label(code)) for code in rating.reasons],
        comment=rating.comment,
        channel=rating.channel,
        channel_label=vocabulary.CHANNELS.get(rating.channel, rating.channel),
        rated_at=rating.rated_at,
    )


def rectification_view(rectification: Rectification) -> RectificationView:
    return RectificationView(
        id=rectification.pk,
        status=rectification.status,
        status_label=Rectification.Status(rectification.status).label,
        due_date=rectification.due_date,
        reply=rectification.reply,
        replied_at=rectification.replied_at,
        organization_name=rectification.organization.name,
    )


def rating_panel_for(*, application: Application, role: str) -> RatingPanel:
    """For a page that already checked access (case_for) and knows the role."""
    rating = (
        Rating.objects.select_related("rectification__organization")
        .filter(application=application)
        .first()
    )
    rectification = None
    if rating is not None:
        rectification = getattr(rating, "rectification", None)
    is_party = role in (APPLICANT, FILER)
    why_not = ""
    if rating is not None:
        why_not = "已评价"
    elif not is_party:
        why_not = "仅申请人可以评价"
    elif not application.is_closed:
        why_not = "办结后可以评价"
    return RatingPanel(
        number=application.number,
        can_rate=not why_not,
        why_not=why_not,
        rating=rating_view(rating) if rating else None,
        rectification=rectification_view(rectification) if rectification else None,
        grades=list(vocabulary.GRADES.items()),
        reasons_by_grade={
            grade: _choices(vocabulary.reasons_for(grade)) for grade in vocabulary.GRADES
        },
    )


def rating_panel(*, principal: Principal, number: str) -> RatingPanel:
    application, role = case_for(principal=principal, number=number)
    return rating_panel_for(application=application, role=role)


# --- rectifications (差评整改) -----------------------------------------------------------------


def _deny(principal: Principal, reason: str, object_id: str = "") -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action="services.rectification.access",
        object_type="services.rectification",
        object_id=object_id,
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )


def rectification_queryset() -> QuerySet[Rectification]:
    return Rectification.objects.select_related(
        "organization",
        "rating__application__item_version",
        "rating__application__handling_region",
    )


def rectifications_for(*, principal: Principal, status: str = "") -> QuerySet[Rectification]:
    """The rectification tasks of the principal's organization (staff who handle cases);
    a supervisor sees those of every organization in their scope."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if status and status not in Rectification.Status.values:
        raise ValidationFailed(
            "未知的整改状态", code="services/unknown_status", fields={"status": ["未知的整改状态"]}
        )
    query = rectification_queryset()
    if principal.kind == "staff" and principal.has_perm(HANDLE) and principal.organization_id:
        visible = Q(organization_id=principal.organization_id)
        if principal.has_perm("services.supervise_application"):
            visible |= scope_q(
                supervision_scope(principal=principal), through="rating__application__"
            )
        query = query.filter(visible)
    else:
        # supervisors only (denials audited by supervision_scope)
        query = query.filter(
            scope_q(supervision_scope(principal=principal), through="rating__application__")
        )
    if status:
        query = query.filter(status=status)
    return query.order_by("status", "due_date", "pk")


def rectification_get(*, principal: Principal, rectification_id: int) -> Rectification:
    found = rectifications_for(principal=principal).filter(pk=rectification_id).first()
    if found is None:
        if Rectification.objects.filter(pk=rectification_id).exists():
            _deny(principal, "not_your_organization", str(rectification_id))
        raise NotFound("整改任务不存在", code="services/rectification_not_found")
    return found


# --- statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float | None
    per_grade: dict[int, int]
    bad: int
    rectified: int
    open_rectifications: int
    overdue_rectifications: int

    @property
    def rectification_rate(self) -> float | None:
        """差评整改率: bad ratings whose rectification was replied to, in percent."""
        return round(self.rectified / self.bad * 100, 1) if self.bad else None

    @property
    def good_rate(self) -> float | None:
        """好评率: grades 4 and 5, in percent."""
        good = self.per_grade.get(4, 0) + self.per_grade.get(5, 0)
        return round(good / self.count * 100, 1) if self.count else None


def _aggregates() -> dict[str, object]:
    bad = Q(grade__lte=vocabulary.BAD_GRADE_MAX)
    return {
        "count": Count("id"),
        "average": Avg("grade"),
        **{f"grade_{g}": Count("id", filter=Q(grade=g)) for g in vocabulary.GRADES},
        "bad": Count("id", filter=bad),
        "rectified": Count("id", filter=bad & Q(rectification__status="replied")),
        "open_rectifications": Count("id", filter=Q(rectification__status="open")),
    }


def _summary(row: dict, overdue: int = 0) -> RatingSummary:
    return RatingSummary(
        count=row["count"],
        average=round(row["average"], 2) if row["average"] is not None else None,
        per_grade={g: row[f"grade_{g}"] for g in sorted(vocabulary.GRADES)},
        bad=row["bad"],
        rectified=row["rectified"],
        open_rectifications=row["open_rectifications"],
        overdue_rectifications=overdue,
    )


def _ratings(scope: Scope, filters: SupervisionFilter) -> QuerySet[Rating]:
    return Rating.objects.filter(scope_q(scope, through="application__")).filter(
        filter_q(filters, through="application__")
    )


def rating_summary(*, scope: Scope, filters: SupervisionFilter | None = None) -> RatingSummary:
    ratings = _ratings(scope, filters or SupervisionFilter())
    row = ratings.aggregate(
        **_aggregates(),
        overdue=Count(
            "id",
            filter=Q(rectification__status="open")
            & Q(rectification__due_date__lt=timezone.localdate()),
        ),
    )
    return _summary(row, overdue=row["overdue"])


GROUPS: dict[str, tuple[str, str]] = {
    # group_by -> (key field, label field) on Rating
    "item": ("application__item__standard_code", "application__item_version__name"),
    "organization": ("organization_id", "organization__name"),
    "region": ("region_id", "region__name"),
    "line": ("organization__function", "organization__function"),
}


@dataclass(frozen=True)
class RatingGroup:
    key: str
    label: str
    summary: RatingSummary


def rating_statistics(
    *,
    principal: Principal,
    group_by: str = "organization",
    filters: SupervisionFilter | None = None,
) -> tuple[RatingSummary, list[RatingGroup]]:
    """The overall summary and one row per item (standard item across regions), department,
    department line or handling region."""
    if group_by not in GROUPS:
        raise ValidationFailed(
            "未知的统计维度", code="services/unknown_group", fields={"group_by": ["未知的统计维度"]}
        )
    scope = supervision_scope(principal=principal)
    filters = filters or SupervisionFilter()
    key, label = GROUPS[group_by]
    ratings = _ratings(scope, filters)
    rows = (
        ratings.values(key)
        .annotate(label=Max(label), **_aggregates())
        .order_by("-bad", "-count", key)[:200]
    )
    line_names = {line: name for line, name, _ in DEPARTMENTS}
    groups = [
        RatingGroup(
            key=str(row[key]),
            label=line_names.get(row["label"], str(row["label"]))
            if group_by == "line"
            else str(row["label"]),
            summary=_summary(row),
        )
        for row in rows
    ]
    return rating_summary(scope=scope, filters=filters), groups


@dataclass(frozen=True)
class RectificationTask:
    id: int
    status: str
    status_label: str
    due_date: dt.date
    reply: str
    replied_at: dt.datetime | None
    replied_by: str
    organization_name: str
    number: str
    item_name: str
    grade: int
    grade_label: str
    reasons: list[ReasonChoice]
    comment: str
    is_overdue: bool


def rectification_task(rectification: Rectification) -> RectificationTask:
    """A rectification with its rating and case, from a rectification_queryset() row."""
    rating = rectification.rating
    application = rating.application
    return RectificationTask(
        id=rectification.pk,
        status=rectification.status,
        status_label=Rectification.Status(rectification.status).label,
        due_date=rectification.due_date,
        reply=rectification.reply,
        replied_at=rectification.replied_at,
        replied_by=rectification.replied_by,
        organization_name=rectification.organization.name,
        number=application.number,
        item_name=application.item_version.name,
        grade=rating.grade,
        grade_label=vocabulary.GRADES.get(rating.grade, str(rating.grade)),
        reasons=[ReasonChoice(code, vocabulary.reason_label(code)) for code in rating.reasons],
        comment=rating.comment,
        is_overdue=rectification.status == Rectification.Status.OPEN
        and rectification.due_date < timezone.localdate(),
    )
