"""粤政易 · 数据治理: department and resource quality scores (the data bureau sees every
department it covers), the latest report per resource, the issues assigned to my
organization with filters and pages (resolve / ignore with a reason / reopen), the rule
editor for my resources and "立即检查". Thin: parse the form, call one service or selector,
render. Who may is decided there (data/quality/selectors/access.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from digigov.data.catalog.selectors.resources import (
    ResourceFilters,
    resource_by_id,
    resource_list,
)
from digigov.data.quality.models import QualityIssue, QualityRule
from digigov.data.quality.selectors.access import RUN, quality_scope
from digigov.data.quality.selectors.reports import (
    IssueFilters,
    department_scores_from,
    quality_issues,
    quality_resource_scores,
    quality_run_get,
)
from digigov.data.quality.selectors.rules import quality_rules_for
from digigov.data.quality.services.issues import quality_issue_transition
from digigov.data.quality.services.rules import (
    RuleDraft,
    quality_rule_activate,
    quality_rule_create,
    quality_rules_adopt,
    quality_rules_suggest,
)
from digigov.data.quality.services.runs import quality_run
from digigov.kernel.errors import DomainError, NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required

NAV = {**PORTAL, "nav": "quality"}


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = {**NAV, "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


def _error_text(error: DomainError) -> str:
    details = [m for msgs in error.fields.values() for m in msgs if m != error.message]
    return error.message + ("：" + "；".join(details) if details else "")


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


def _may(principal, purpose: str) -> bool:
    try:
        quality_scope(principal=principal, purpose=purpose)
    except (PermissionDenied, Unauthenticated):
        return False
    return True


@require_safe
@staff_required
def quality_overview(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    chosen = {
        "state": request.GET.get("state", "open"),
        "kind": request.GET.get("kind", ""),
        "resource": request.GET.get("resource", ""),
        "organization": request.GET.get("organization", ""),
    }
    if chosen["state"] not in QualityIssue.State.values and chosen["state"] != "all":
        chosen["state"] = "open"
    if chosen["kind"] not in QualityRule.Kind.values:
        chosen["kind"] = ""
    try:
        scope = quality_scope(principal=principal)
        resources = quality_resource_scores(principal=principal)
        issues = quality_issues(
            principal=principal,
            filters=IssueFilters(
                state="" if chosen["state"] == "all" else chosen["state"],
                kind=chosen["kind"],
                resource_id=_int(chosen["resource"]),
                organization_id=_int(chosen["organization"]),
            ),
            page=_int(request.GET.get("page")) or 1,
        )
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    mine = []
    if principal.organization_id:
        mine = resource_list(
            principal=principal,
            filters=ResourceFilters(organization_id=principal.organization_id),
            page_size=100,
        ).rows
    context = {
        **NAV,
        "page_title": "数据治理",
        "is_bureau": scope.is_bureau,
        "departments": department_scores_from(resources),
        "resources": resources,
        "issues": issues,
        "chosen": chosen,
        "query": urlencode({k: v for k, v in chosen.items() if v}),
        "states": [*QualityIssue.State.choices, ("all", "全部")],
        "kinds": QualityRule.Kind.choices,
        "may_run": _may(principal, RUN),
        "may_handle": principal.has_perm("quality.handle_issue")
        or principal.has_perm("quality.manage_rules"),
        "my_resources": [r for r in mine if r.storage != "api"],
    }
    return render(request, "staff/quality/overview.html", context)


@require_safe
@staff_required
def quality_report(request: HttpRequest, run_id: int) -> HttpResponse:
    principal = request_principal(request)
    try:
        report = quality_run_get(principal=principal, run_id=run_id)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except NotFound as error:
        return render(request, "staff/refused.html", {**NAV, "message": error.message}, status=404)
    return render(
        request,
        "staff/quality/report.html",
        {**NAV, "page_title": "质量检查报告", "report": report, "run": report.run},
    )


@require_POST
@staff_required
def quality_run_now(request: HttpRequest, resource_id: int) -> HttpResponse:
    try:
        run = quality_run(principal=request_principal(request), resource_id=resource_id)
    except DomainError as error:
        messages.error(request, f"未能完成检查：{_error_text(error)}")
        return redirect("staff:quality")
    messages.success(
        request,
        f"检查完成：{run.rows_checked} 行，评分 {run.score if run.score is not None else '—'}，"
        f"新发现问题 {run.issues_opened} 个，已消除 {run.issues_closed} 个。",
    )
    return redirect("staff:quality_report", run_id=run.pk)


@require_POST
@staff_required
def quality_issue_action(request: HttpRequest, issue_id: int, action: str) -> HttpResponse:
    try:
        quality_issue_transition(
            principal=request_principal(request),
            issue_id=issue_id,
            action=action,
            note=request.POST.get("note", ""),
        )
        messages.success(request, "已更新质量问题的状态。")
    except DomainError as error:
        messages.error(request, f"未能处理：{_error_text(error)}")
    back = request.POST.get("next", "")
    if back.startswith("?") and "\n" not in back:  # the overview's filters, never elsewhere
        return redirect(reverse("staff:quality") + back)
    return redirect("staff:quality")


def _draft(post) -> RuleDraft:
    kind = post.get("kind", "")
    params: dict = {}
    if post.get("values"):
        params["values"] = post.get("values", "")
    if post.get("pattern"):
        params["pattern"] = post.get("pattern", "")
    if post.get("max_age_days"):
        params["max_age_days"] = post.get("max_age_days", "")
    return RuleDraft(
        kind=kind,
        field_names=[n for n in post.getlist("field_names") if n],
        check_type=post.get("check_type", ""),
        registry=post.get("registry", ""),
        params=params,
        weight=post.get("weight", "1") or "1",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def quality_rules(request: HttpRequest, resource_id: int) -> HttpResponse:
    principal = request_principal(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create":
                quality_rule_create(
                    principal=principal, resource_id=resource_id, draft=_draft(request.POST)
                )
                messages.success(request, "已新增质量规则。")
            elif action == "adopt":
                made = quality_rules_adopt(principal=principal, resource_id=resource_id)
                messages.success(request, f"已采用 {len(made)} 条建议规则。")
            elif action in ("enable", "disable"):
                quality_rule_activate(
                    principal=principal,
                    rule_id=_int(request.POST.get("rule")) or 0,
                    is_active=action == "enable",
                )
                messages.success(request, "已启用规则。" if action == "enable" else "已停用规则。")
            else:
                messages.error(request, "请选择要执行的操作。")
            return redirect("staff:quality_rules", resource_id=resource_id)
        except (PermissionDenied, Unauthenticated) as error:
            return _refused(request, error)
        except DomainError as error:
            messages.error(request, f"未能保存：{_error_text(error)}")
            errors = error.fields
    try:
        rules = quality_rules_for(principal=principal, resource_id=resource_id)
    except (PermissionDenied, Unauthenticated) as error:
        return _refused(request, error)
    except NotFound as error:
        return render(request, "staff/refused.html", {**NAV, "message": error.message}, status=404)
    suggestions = []
    if rules.may_edit:
        resource = resource_by_id(resource_id=resource_id)
        existing = [r.rule for r in rules.rules]
        labels = dict(rules.fields)
        suggestions = [
            "{}：{}{}{} —— {}".format(
                QualityRule.Kind(s.kind).label,
                "、".join(labels.get(n, n) for n in s.field_names) or "整个资源",
                f"（{QualityRule.Check(s.check_type).label}）" if s.check_type else "",
                f"（{QualityRule.Registry(s.registry).label}）" if s.registry else "",
                s.reason,
            )
            for s in quality_rules_suggest(resource=resource)
            if not any(s.same_as(rule) for rule in existing)
        ]
    context = {
        **NAV,
        "page_title": "质量规则",
        "rules": rules,
        "suggestions": suggestions,
        "errors": errors,
        "kinds": QualityRule.Kind.choices,
        "checks": QualityRule.Check.choices,
        "registries": QualityRule.Registry.choices,
        "may_run": _may(principal, RUN),
    }
    return render(request, "staff/quality/rules.html", context, status=422 if errors else 200)


@require_safe
@staff_required
def quality_rules_pick(request: HttpRequest) -> HttpResponse:
    """The overview's "为本单位资源设置质量规则" form: on to that resource's rules."""
    resource_id = _int(request.GET.get("resource"))
    if resource_id is None:
        return redirect("staff:quality")
    return redirect("staff:quality_rules", resource_id=resource_id)
