"""/api/v1/services/rules: 秒批规则集 for staff who maintain rules (services.manage_rules,
the staff pages' permission). Thin: parse, call one service or selector, render. A draft
is validated by the service exactly as the page's editor is (unknown fact, operator or
form field: 422 services/rules_invalid with the problems per rule). Machine clients need
the scope services:items."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from digigov.kernel.api.auth import require_scope

from ..schemas.rules import (
    RuleSetDetailOut,
    RuleSetDraftIn,
    RuleSetPageOut,
    RuleVocabularyOut,
)
from ..selectors.rulesets import RuleSetDetail, ruleset_detail, ruleset_page
from ..services.instant import ruleset_draft_save, ruleset_publish
from ..services.rules import FACTS, OPERATORS, rule_describe

router = Router()
SCOPE = "services:items"


def _detail_out(detail: RuleSetDetail) -> dict:
    body = {name: getattr(detail, name) for name in RuleSetDetailOut.model_fields}
    body["rules"] = [
        {
            "id": str(rule.get("id", "")),
            "label": str(rule.get("label", "")),
            "fact": str(rule["fact"]),
            "op": str(rule["op"]),
            "value": rule.get("value"),
            "message": str(rule.get("message", "")),
            "text": rule_describe(rule, detail.form_titles),
        }
        for rule in detail.rules
    ]
    return body


@router.get("", response=RuleSetPageOut, summary="秒批规则集清单（按事项基本编码或事项编码）")
def ruleset_list(
    request: HttpRequest,
    standard_code: str = "",
    item: str = "",
    page: int = 1,
    page_size: int = 20,
):
    """`standard_code` or `item` (an item's code, read as its standard) narrows the list to
    one standard's versions, newest first."""
    principal = require_scope(request, SCOPE)
    result = ruleset_page(
        principal=principal,
        standard_code=standard_code,
        item_code=item,
        page=page,
        page_size=page_size,
    )
    return {**result.__dict__, "rows": [row.__dict__ for row in result.rows]}


@router.get("/vocabulary", response=RuleVocabularyOut, summary="规则可用的数据项与运算符")
def ruleset_vocabulary(request: HttpRequest):
    principal = require_scope(request, SCOPE)
    ruleset_page(principal=principal, page_size=1)  # the permission check
    return {
        "facts": [{"value": k, "label": v} for k, v in sorted(FACTS.items())],
        "operators": [{"value": k, "label": v} for k, v in OPERATORS.items()],
    }


@router.get("/{ruleset_id}", response=RuleSetDetailOut, summary="规则集版本（含全部规则）")
def ruleset_get(request: HttpRequest, ruleset_id: int):
    principal = require_scope(request, SCOPE)
    return _detail_out(ruleset_detail(principal=principal, ruleset_id=ruleset_id))


@router.post(
    "",
    response={201: RuleSetDetailOut},
    summary="保存规则草稿（无草稿时新建下一版本，已有草稿时更新该草稿）",
)
def ruleset_draft(request: HttpRequest, body: RuleSetDraftIn):
    principal = require_scope(request, SCOPE)
    draft = ruleset_draft_save(
        principal=principal,
        standard_code=body.standard_code,
        rules=body.rules,
        change_note=body.change_note,
    )
    return Status(201, _detail_out(ruleset_detail(principal=principal, ruleset_id=draft.pk)))


@router.post(
    "/{ruleset_id}/publish",
    response=RuleSetDetailOut,
    summary="发布草稿（现行版本改为已替代，已发布的规则集不可修改）",
)
def ruleset_publish_endpoint(request: HttpRequest, ruleset_id: int):
    principal = require_scope(request, SCOPE)
    ruleset_publish(principal=principal, ruleset_id=ruleset_id)
    return _detail_out(ruleset_detail(principal=principal, ruleset_id=ruleset_id))
