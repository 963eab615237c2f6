"""粤政易 · 秒批规则: staff who maintain rules (services.manage_rules) list rule sets, read
them in Chinese, edit a draft as JSON (validated by the service) and publish it."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from digigov.apps.services.selectors.decisions import (
    ruleset_get,
    rulesets_for,
    standard_form_titles,
)
from digigov.apps.services.services.instant import ruleset_draft_save, ruleset_publish
from digigov.apps.services.services.rules import FACTS, OPERATORS, rule_describe
from digigov.kernel.errors import DomainError, PermissionDenied, ValidationFailed
from digigov.kernel.principals import request_principal

from .views import PORTAL, staff_required

LIST_LIMIT = 200


def _refused(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    context = {**PORTAL, "nav": "rules", "page_title": "无权访问", "message": error.message}
    return render(request, "staff/refused.html", context, status=403)


def _errors(error: DomainError) -> list[str]:
    lines = [f"{field}：{'；'.join(problems)}" for field, problems in error.fields.items()]
    return lines or [error.message]


def _parse(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationFailed(
            f"不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列）",
            fields={"rules": [f"JSON 格式错误：第 {error.lineno} 行第 {error.colno} 列"]},
        ) from None


def _vocabulary() -> dict:
    return {"facts": sorted(FACTS.items()), "operators": list(OPERATORS.items())}


@require_safe
@staff_required
def rules_list(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    query = request.GET.get("q", "").strip()[:64]
    try:
        rows = list(rulesets_for(principal=principal, standard_code=query)[:LIST_LIMIT])
    except PermissionDenied as error:
        return _refused(request, error)
    context = {**PORTAL, "nav": "rules", "page_title": "秒批规则", "rule_sets": rows, "q": query}
    return render(request, "staff/rules/list.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def rules_new(request: HttpRequest) -> HttpResponse:
    principal = request_principal(request)
    standard_code = request.POST.get("standard_code", request.GET.get("standard_code", ""))
    text = request.POST.get("rules", "[]")
    errors: list[str] = []
    status = 200
    try:
        rulesets_for(principal=principal)  # the permission check, before showing the form
        if request.method == "POST":
            draft = ruleset_draft_save(
                principal=principal,
                standard_code=standard_code,
                rules=_parse(text),
                change_note=request.POST.get("change_note", ""),
            )
            messages.success(request, f"已保存草稿 v{draft.number}。")
            return redirect("staff:rule_set", ruleset_id=draft.pk)
    except PermissionDenied as error:
        return _refused(request, error)
    except DomainError as error:
        errors, status = _errors(error), 422
    context = {
        **PORTAL,
        "nav": "rules",
        "page_title": "新建秒批规则草稿",
        "standard_code": standard_code,
        "rules_text": text,
        "errors": errors,
        **_vocabulary(),
    }
    return render(request, "staff/rules/new.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def rule_set(request: HttpRequest, ruleset_id: int) -> HttpResponse:
    principal = request_principal(request)
    errors: list[str] = []
    status = 200
    try:
        current = ruleset_get(principal=principal, ruleset_id=ruleset_id)
        text = json.dumps(current.rules, ensure_ascii=False, indent=2)
        if request.method == "POST":
            action = request.POST.get("action", "save")
            if action == "publish":
                ruleset_publish(principal=principal, ruleset_id=current.pk)
                messages.success(
                    request, f"已发布 {current.standard_code} 规则 v{current.number}。"
                )
                return redirect("staff:rule_set", ruleset_id=current.pk)
            text = request.POST.get("rules", text) if action == "save" else text
            draft = ruleset_draft_save(
                principal=principal,
                standard_code=current.standard_code,
                rules=_parse(text),
                change_note=request.POST.get("change_note", current.change_note),
            )
            messages.success(request, f"已保存草稿 v{draft.number}。")
            return redirect("staff:rule_set", ruleset_id=draft.pk)
    except PermissionDenied as error:
        return _refused(request, error)
    except DomainError as error:
        errors, status = _errors(error), 422
        current = ruleset_get(principal=principal, ruleset_id=ruleset_id)
    titles = standard_form_titles(standard_code=current.standard_code)
    described = [
        {**rule, "text": rule_describe(rule, titles)}
        for rule in current.rules
        if isinstance(rule, dict) and {"fact", "op"} <= set(rule)
    ]
    context = {
        **PORTAL,
        "nav": "rules",
        "page_title": f"{current.standard_code} 规则 v{current.number}",
        "rule_set": current,
        "rules": described,
        "rules_text": text,
        "errors": errors,
        "is_draft": current.status == "draft",
        **_vocabulary(),
    }
    return render(request, "staff/rules/detail.html", context, status=status)
