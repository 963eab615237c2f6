"""Quality runs: stream a resource's rows once (catalog `resource_rows_iter`, in chunks),
evaluate every active rule, then write in one transaction the run (report and score), the
issues it found and the issues that no longer occur (closed), with its audit entry and the
event `quality.run.completed`.

Score (0-100) = 100 x sum(w_r x (1 - failed_r / checked_r)) / sum(w_r), over the active rules
r that checked something (checked_r > 0), w_r being the rule's weight. A rule that checked
nothing (an empty field everywhere, no rows) does not count; no such rule: no score.

Issues: one per failing row and rule, at most ISSUE_CAP live (open or ignored) per rule;
the report counts the failing rows left unlisted. An ignored issue stays ignored while its
row still fails; an open or ignored issue whose row passes (or whose rule was switched off)
is resolved by the run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from digigov.data.catalog.selectors.resources import (
    resource_by_code,
    resource_by_id,
    resource_field_list,
)
from digigov.data.catalog.selectors.rows import resource_rows_iter
from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.principals import Principal

from ..models import QualityIssue, QualityRule, QualityRun
from ..selectors.access import RUN, quality_scope, refuse
from ..selectors.rules import rule_describe
from .checks import CHECKS, Check, FieldInfo, TimelinessCheck

ISSUE_CAP = 500  # live issues per rule
EXAMPLES = 5  # per rule in the report
CHUNK = 5000
SYSTEM_ACTOR = "system:quality"
State = QualityIssue.State


@dataclass
class _Collector:
    """The failures of one rule: counts, examples, new issues and re-found ones."""

    rule: QualityRule
    live: dict[str, tuple[int, str]]  # row_ref -> (issue id, state) before the run
    failed: int = 0
    examples: list[dict[str, str]] = field(default_factory=list)
    new: list[tuple[str, str]] = field(default_factory=list)
    refound: dict[str, str] = field(default_factory=dict)  # row_ref -> message

    def fail(self, ref: str, message: str) -> None:
        self.failed += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append({"row": ref or "（整个资源）", "message": message})
        if ref in self.live:
            self.refound[ref] = message
        elif len(self.live) + len(self.new) < ISSUE_CAP:
            self.new.append((ref, message[:300]))

    @property
    def unlisted(self) -> int:
        return self.failed - len(self.new) - len(self.refound)


def _live_issues(resource_id: int) -> dict[int, dict[str, tuple[int, str]]]:
    live: dict[int, dict[str, tuple[int, str]]] = {}
    for issue_id, rule_id, ref, state in QualityIssue.objects.filter(
        resource_id=resource_id, state__in=(State.OPEN, State.IGNORED)
    ).values_list("id", "rule_id", "row_ref", "state"):
        live.setdefault(rule_id, {})[ref] = (issue_id, state)
    return live


def _score(outcomes: Iterable[tuple[int, int, int]]) -> Decimal | None:
    """(weight, checked, failed) per rule -> the weighted pass ratio x 100."""
    weights = total = 0.0
    for weight, checked, failed in outcomes:
        if checked <= 0:
            continue
        weights += weight
        total += weight * (1 - failed / checked)
    if not weights:
        return None
    return Decimal(str(round(100 * total / weights, 2)))


@dataclass(frozen=True)
class _Scan:
    rows: int
    checks: list[tuple[Check, _Collector]]


def _scan(resource, rules: list[QualityRule], live, chunk: int) -> _Scan:
    fields = {
        f.name: FieldInfo(f.name, f.label, f.masking)
        for f in resource_field_list(resource_id=resource.pk)
    }
    pairs: list[tuple[Check, _Collector]] = []
    for rule in rules:
        collector = _Collector(rule=rule, live=live.get(rule.pk, {}))
        if rule.kind == QualityRule.Kind.TIMELINESS:
            check: Check = TimelinessCheck(
                rule,
                fields,
                collector.fail,
                updated_at=resource.data_updated_at,
                frequency=resource.update_frequency,
            )
        else:
            if any(name not in fields for name in rule.field_names):
                raise ValidationFailed(
                    f"规则 {rule.pk} 引用的数据项已不在目录中，请修改或停用该规则",
                    code="quality_rule_stale",
                )
            check = CHECKS[rule.kind](rule, fields, collector.fail)
        pairs.append((check, collector))
    row_checks = [check.row for check, _ in pairs if not isinstance(check, TimelinessCheck)]
    wanted = sorted({name for rule in rules for name in rule.field_names})
    rows = 0
    if row_checks:
        for ref, row in resource_rows_iter(resource=resource, fields=wanted, chunk=chunk):
            rows += 1
            for evaluate in row_checks:
                evaluate(ref, row)
    for check, _ in pairs:
        check.finish()
    return _Scan(rows=rows, checks=pairs)


def _report(scan: _Scan, labels: dict[str, str]) -> list[dict[str, Any]]:
    report = []
    for check, collector in scan.checks:
        rule = collector.rule
        report.append(
            {
                "rule_id": rule.pk,
                "kind": rule.kind,
                "kind_label": rule.get_kind_display(),
                "description": rule_describe(rule, labels),
                "weight": rule.weight,
                "checked": check.checked,
                "failed": collector.failed,
                "passed_ratio": round(1 - collector.failed / check.checked, 4)
                if check.checked
                else None,
                "examples": collector.examples,
                "issues_listed": len(collector.new) + len(collector.refound),
                "unlisted": collector.unlisted,
            }
        )
    return report


def quality_run(
    *, principal: Principal, resource_id: int, trigger: str = "manual", chunk: int = CHUNK
) -> QualityRun:
    """Check one resource against its active rules and record the outcome."""
    resource = resource_by_id(resource_id=resource_id)
    if resource is None:
        raise NotFound("数据资源不存在", code="resource_unknown")
    scope = quality_scope(principal=principal, purpose=RUN, action="quality.run")
    if not scope.covers(resource.organization):
        refuse(
            principal,
            action="quality.run",
            object_type="catalog.resource",
            object_id=resource.code,
            reason="只能检查本单位的数据资源",
        )
    if trigger not in QualityRun.Trigger.values:
        raise ValidationFailed("触发方式无效", fields={"trigger": ["取值无效"]})
    rules = list(QualityRule.objects.filter(resource_id=resource.pk, is_active=True).order_by("id"))
    if not rules:
        raise ValidationFailed("该资源还没有启用的质量规则，请先设置规则", code="quality_no_rules")
    started = timezone.now()
    live = _live_issues(resource.pk)
    scan = _scan(resource, rules, live, chunk)
    labels = {f.name: f.label for f in resource_field_list(resource_id=resource.pk)}
    report = _report(scan, labels)
    score = _score((c.rule.weight, check.checked, c.failed) for check, c in scan.checks)
    return _record(principal, resource, scan, report, score, live, started, trigger)


def _record(principal, resource, scan, report, score, live, started, trigger) -> QualityRun:
    now = timezone.now()
    with transaction.atomic():
        # serialises runs of one resource: the live issues are read again under the lock
        list(QualityRule.objects.select_for_update().filter(resource_id=resource.pk))
        current = _live_issues(resource.pk)
        run = QualityRun.objects.create(
            resource_id=resource.pk,
            organization_id=resource.organization_id,
            trigger=trigger,
            triggered_by=principal.actor,
            started_at=started,
            finished_at=now,
            rows_checked=scan.rows,
            rule_count=len(scan.checks),
            score=score,
            report=report,
        )
        new_issues: list[QualityIssue] = []
        refound_ids: list[int] = []
        for _, collector in scan.checks:
            present = current.get(collector.rule.pk, {})
            refound_ids += [present[ref][0] for ref in collector.refound if ref in present]
            for ref, message in collector.new:
                if ref in present:  # made by a run that finished meanwhile
                    refound_ids.append(present[ref][0])
                    continue
                new_issues.append(
                    QualityIssue(
                        resource_id=resource.pk,
                        rule_id=collector.rule.pk,
                        organization_id=resource.organization_id,
                        row_ref=ref,
                        message=message,
                        first_run=run,
                        last_run=run,
                    )
                )
        QualityIssue.objects.bulk_create(new_issues, batch_size=1000)
        QualityIssue.objects.filter(pk__in=refound_ids).update(last_run=run)
        # gone: live before the run, not found again (or the rule is off)
        refound = {c.rule.pk: c.refound for _, c in scan.checks}
        gone = [
            issue_id
            for rule_id, refs in live.items()
            for ref, (issue_id, _) in refs.items()
            if ref not in refound.get(rule_id, {})
        ]
        closed = QualityIssue.objects.filter(
            pk__in=gone, state__in=(State.OPEN, State.IGNORED)
        ).update(
            state=State.RESOLVED,
            note="复查未再发现该问题",
            handled_by=SYSTEM_ACTOR,
            handled_at=now,
        )
        run.issues_opened, run.issues_closed = len(new_issues), closed
        run.save(update_fields=["issues_opened", "issues_closed"])
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action="quality.run",
            object_type="catalog.resource",
            object_id=resource.code,
            source_address=principal.source_address,
            detail={
                "run": run.pk,
                "rows": scan.rows,
                "score": str(score) if score is not None else None,
                "failed": {str(r["rule_id"]): r["failed"] for r in report},
                "opened": run.issues_opened,
                "closed": closed,
                "trigger": trigger,
            },
        )
        event_publish(
            topic="quality.run.completed",
            payload={
                "run_id": run.pk,
                "resource_id": resource.pk,
                "code": resource.code,
                "organization_id": resource.organization_id,
                "score": str(score) if score is not None else None,
                "issues_opened": run.issues_opened,
                "issues_closed": closed,
            },
        )
    return run


@dataclass(frozen=True)
class BatchOutcome:
    runs: list[QualityRun]
    skipped: list[tuple[str, str]]  # (resource code, reason)


def quality_run_many(
    *, principal: Principal, codes: list[str] | None = None, trigger: str = "scheduled"
) -> BatchOutcome:
    """Run the named resources (codes), or every resource that has active rules. Each run
    is its own transaction: one failing resource does not stop the others."""
    if codes is None:
        ids = list(
            QualityRule.objects.filter(is_active=True)
            .values_list("resource_id", flat=True)
            .distinct()
            .order_by("resource_id")
        )
        targets = [(str(i), resource_by_id(resource_id=i)) for i in ids]
    else:
        targets = [(code, resource_by_code(code=code)) for code in codes]
    runs, skipped = [], []
    for label, resource in targets:
        if resource is None:
            skipped.append((label, "数据资源不存在"))
            continue
        try:
            runs.append(quality_run(principal=principal, resource_id=resource.pk, trigger=trigger))
        except (ValidationFailed, NotFound) as error:
            skipped.append((resource.code, error.message))
    return BatchOutcome(runs=runs, skipped=skipped)
