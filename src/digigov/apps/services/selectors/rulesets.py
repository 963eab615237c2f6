"""秒批规则集 for the API: the rule sets of a standard (or of an item, by its standard) and
one version with its rules in Chinese. Same permission as the staff pages
(services.manage_rules, `decisions.rulesets_for`); a refusal is audited here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, PermissionDenied
from digigov.kernel.principals import Principal

from ..models import InstantRuleSet, ServiceItem
from .decisions import ruleset_get, rulesets_for, standard_form_titles

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class RuleSetRow:
    id: int
    standard_code: str
    number: int
    status: str
    status_label: str
    rule_count: int
    change_note: str
    created_by: str
    published_by: str
    created_at: dt.datetime
    published_at: dt.datetime | None


@dataclass(frozen=True)
class RuleSetDetail(RuleSetRow):
    rules: list[dict[str, Any]]
    form_titles: dict[str, str]  # form field -> title, to describe `form.*` facts in Chinese


@dataclass(frozen=True)
class RuleSetPage:
    standard_code: str
    rows: list[RuleSetRow]
    total: int
    page: int
    page_size: int
    pages: int


def _audited(principal: Principal, object_id: str, call):
    try:
        return call()
    except PermissionDenied:
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action="services.ruleset.read",
            object_type="services.instantruleset",
            object_id=object_id,
            outcome="denied",
            source_address=principal.source_address,
        )
        raise


def _row_fields(rule_set: InstantRuleSet) -> dict[str, Any]:
    return {
        "id": rule_set.pk,
        "standard_code": rule_set.standard_code,
        "number": rule_set.number,
        "status": rule_set.status,
        "status_label": InstantRuleSet.Status(rule_set.status).label,
        "rule_count": len(rule_set.rules or []),
        "change_note": rule_set.change_note,
        "created_by": rule_set.created_by,
        "published_by": rule_set.published_by,
        "created_at": rule_set.created_at,
        "published_at": rule_set.published_at,
    }


def ruleset_page(
    *,
    principal: Principal,
    standard_code: str = "",
    item_code: str = "",
    page: int = 1,
    page_size: int = 20,
) -> RuleSetPage:
    """Rule sets, newest first per standard; narrowed to one standard, given directly or
    as the standard of the item `item_code`."""
    standard_code = (standard_code or "").strip()[:64]
    rows = _audited(
        principal,
        standard_code or item_code or "*",
        lambda: rulesets_for(principal=principal, standard_code=standard_code),
    )
    if item_code:
        item_standard = (
            ServiceItem.objects.filter(code=item_code.strip()[:64])
            .values_list("standard_code", flat=True)
            .first()
        )
        if item_standard is None:
            raise NotFound("事项不存在", code="services/item_not_found")
        standard_code = item_standard
        rows = rows.filter(standard_code=item_standard)
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    total = rows.count()
    pages = max(1, -(-total // page_size))
    page = max(1, min(int(page), pages))
    start = (page - 1) * page_size
    return RuleSetPage(
        standard_code=standard_code,
        rows=[RuleSetRow(**_row_fields(r)) for r in rows[start : start + page_size]],
        total=total,
        page=page,
        page_size=page_size,
        pages=pages,
    )


def ruleset_detail(*, principal: Principal, ruleset_id: int) -> RuleSetDetail:
    """One version with every rule and the titles of the standard's form fields."""
    rule_set = _audited(
        principal, str(ruleset_id), lambda: ruleset_get(principal=principal, ruleset_id=ruleset_id)
    )
    return RuleSetDetail(
        **_row_fields(rule_set),
        rules=[
            rule
            for rule in rule_set.rules or []
            if isinstance(rule, dict) and {"fact", "op"} <= set(rule)
        ],
        form_titles=standard_form_titles(standard_code=rule_set.standard_code),
    )
