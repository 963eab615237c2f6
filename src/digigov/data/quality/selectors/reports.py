"""Quality as the pages and the API show it: resource scores (the latest run of each
resource that has rules), department scores (the mean of their resources' latest scores),
one run's report, and the issues assigned to the departments the principal covers. A fixed
number of queries per page, whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q

from digigov.kernel.errors import NotFound
from digigov.kernel.principals import Principal

from ..models import QualityIssue, QualityRule, QualityRun
from .access import VIEW, Scope, quality_scope

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class ResourceScore:
    resource_id: int
    code: str
    name: str
    organization_id: int
    organization_name: str
    active_rules: int
    run_id: int | None
    score: Decimal | None
    rows_checked: int
    finished_at: object
    open_issues: int


@dataclass(frozen=True)
class DepartmentScore:
    organization_id: int
    organization_name: str
    resources: int
    scored: int
    score: Decimal | None  # mean of the latest scores of its scored resources
    open_issues: int


def _resource_scores(scope: Scope, organization_id: int | None = None) -> list[ResourceScore]:
    rules = QualityRule.objects.filter(scope.organization_filter("resource__organization"))
    if organization_id:
        rules = rules.filter(resource__organization_id=organization_id)
    resources = list(
        rules.values(
            "resource_id",
            "resource__code",
            "resource__name",
            "resource__organization_id",
            "resource__organization__name",
        )
        .annotate(active=Count("id", filter=Q(is_active=True)))
        .order_by("resource__code")
    )
    ids = [r["resource_id"] for r in resources]
    latest_ids = (
        QualityRun.objects.filter(resource_id__in=ids)
        .values("resource_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    runs = {
        run["resource_id"]: run
        for run in QualityRun.objects.filter(pk__in=list(latest_ids)).values(
            "id", "resource_id", "score", "rows_checked", "finished_at"
        )
    }
    open_issues = dict(
        QualityIssue.objects.filter(resource_id__in=ids, state=QualityIssue.State.OPEN)
        .values("resource_id")
        .annotate(n=Count("id"))
        .values_list("resource_id", "n")
    )
    out = []
    for r in resources:
        run = runs.get(r["resource_id"], {})
        out.append(
            ResourceScore(
                resource_id=r["resource_id"],
                code=r["resource__code"],
                name=r["resource__name"],
                organization_id=r["resource__organization_id"],
                organization_name=r["resource__organization__name"],
                active_rules=r["active"],
                run_id=run.get("id"),
                score=run.get("score"),
                rows_checked=run.get("rows_checked", 0),
                finished_at=run.get("finished_at"),
                open_issues=open_issues.get(r["resource_id"], 0),
            )
        )
    return out


def quality_resource_scores(
    *, principal: Principal, organization_id: int | None = None
) -> list[ResourceScore]:
    """Every resource with rules that the principal covers, with its latest run."""
    return _resource_scores(quality_scope(principal=principal, purpose=VIEW), organization_id)


def department_scores_from(resources: list[ResourceScore]) -> list[DepartmentScore]:
    by_org: dict[int, list[ResourceScore]] = {}
    for row in resources:
        by_org.setdefault(row.organization_id, []).append(row)
    out = []
    for organization_id, rows in by_org.items():
        scores = [r.score for r in rows if r.score is not None]
        mean = (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01")) if scores else None
        out.append(
            DepartmentScore(
                organization_id=organization_id,
                organization_name=rows[0].organization_name,
                resources=len(rows),
                scored=len(scores),
                score=mean,
                open_issues=sum(r.open_issues for r in rows),
            )
        )
    return sorted(out, key=lambda d: (d.score is None, d.score or 0, d.organization_name))


def quality_department_scores(*, principal: Principal) -> list[DepartmentScore]:
    """Per department: the mean of its resources' latest scores, lowest first."""
    return department_scores_from(quality_resource_scores(principal=principal))


@dataclass(frozen=True)
class RunReport:
    run: QualityRun
    resource_code: str
    resource_name: str
    organization_name: str


def quality_run_get(*, principal: Principal, run_id: int) -> RunReport:
    scope = quality_scope(principal=principal, purpose=VIEW)
    run = (
        QualityRun.objects.select_related("resource", "organization")
        .filter(pk=run_id)
        .filter(scope.organization_filter("organization"))
        .first()
    )
    if run is None:
        raise NotFound("检查报告不存在或无权查看", code="quality_run_unknown")
    return RunReport(run, run.resource.code, run.resource.name, run.organization.name)


def quality_latest_run(*, principal: Principal, resource_id: int) -> RunReport | None:
    scope = quality_scope(principal=principal, purpose=VIEW)
    run = (
        QualityRun.objects.select_related("resource", "organization")
        .filter(resource_id=resource_id)
        .filter(scope.organization_filter("resource__organization"))
        .order_by("-id")
        .first()
    )
    if run is None:
        return None
    return RunReport(run, run.resource.code, run.resource.name, run.organization.name)


@dataclass(frozen=True)
class IssueFilters:
    state: str = QualityIssue.State.OPEN
    resource_id: int | None = None
    kind: str = ""
    organization_id: int | None = None


@dataclass(frozen=True)
class IssuePage:
    rows: list[QualityIssue]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def quality_issues(
    *,
    principal: Principal,
    filters: IssueFilters | None = None,
    page: int = 1,
    page_size: int = 20,
) -> IssuePage:
    """Issues assigned to the departments the principal covers, newest first."""
    scope = quality_scope(principal=principal, purpose=VIEW)
    filters = filters or IssueFilters()
    issues = QualityIssue.objects.filter(scope.organization_filter("organization"))
    if filters.state:
        states = QualityIssue.State.values
        issues = issues.filter(state=filters.state) if filters.state in states else issues.none()
    if filters.kind:
        kinds = QualityRule.Kind.values
        issues = issues.filter(rule__kind=filters.kind) if filters.kind in kinds else issues.none()
    if filters.resource_id:
        issues = issues.filter(resource_id=filters.resource_id)
    if filters.organization_id:
        issues = issues.filter(organization_id=filters.organization_id)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    total = issues.count()
    rows = list(
        issues.select_related("resource", "rule", "organization").order_by("-id")[
            (page - 1) * page_size : page * page_size
        ]
    )
    return IssuePage(rows=rows, total=total, page=page, page_size=page_size)


def quality_issue_get(*, principal: Principal, issue_id: int) -> QualityIssue:
    scope = quality_scope(principal=principal, purpose=VIEW)
    issue = (
        QualityIssue.objects.select_related("resource", "rule", "organization")
        .filter(pk=issue_id)
        .filter(scope.organization_filter("organization"))
        .first()
    )
    if issue is None:
        raise NotFound("质量问题不存在或无权查看", code="quality_issue_unknown")
    return issue
