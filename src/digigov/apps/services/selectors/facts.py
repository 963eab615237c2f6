"""The facts a 秒批 decision reads, gathered once per decision from the application, the
registries and the platform's own records. Values are plain JSON (ISO dates, numbers,
strings, booleans) because they are stored with the decision and replayed later.

Only the facts a rule set names are read (services/rules.py `rules_facts`), so an item
whose rules do not look at the history costs no history query."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Count
from django.utils import timezone

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.kernel.prepared import Prepared
from digigov.support.identity.selectors import real_name_level

from ..models import Application

# The shape services/rules.py accepts (selectors sit below services, so it is repeated).
FORM_FACT = re.compile(r"^form\.([A-Za-z_][A-Za-z0-9_]*)(\.(age_days|age_years))?$")

OPEN_STATUSES = ("submitted", "accepted", "correction")
# The window clerk checks the applicant's identity document in person (L3).
WINDOW_REAL_NAME_LEVEL = 3
# A relative can only act for someone who granted a delegation, which needs L2.
DELEGATION_REAL_NAME_LEVEL = 2


def full_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _real_name_level(application: Application) -> int:
    """The real-name level behind the filing: the filer's own account when it filed for
    itself (or for its entity), the clerk's in-person check at a window."""
    if application.channel == "window":
        return WINDOW_REAL_NAME_LEVEL
    if application.is_on_behalf:
        return DELEGATION_REAL_NAME_LEVEL
    if application.filed_by_account_id is None:
        return 0
    level = real_name_level(account_id=application.filed_by_account_id)
    return level if level is not None else 0


def _history_query(statuses: tuple[str, ...], key_field: str) -> Prepared:
    return Prepared(
        lambda standard_code, kind, key, pk: (
            Application.objects.filter(
                item__standard_code=standard_code,
                applicant_kind=kind,
                status__in=statuses,
                **{key_field: key},
            )
            .exclude(pk=pk)
            .values("applicant_kind")
            .annotate(count=Count("pk"))
            .values_list("count")
        ),
        standard_code="",
        kind="",
        key="",
        pk=0,
    )


# (statuses, applicant key field) -> the count query, compiled once
_HISTORY = {
    (statuses, field): _history_query(statuses, field)
    for statuses in (("approved",), OPEN_STATUSES)
    for field in ("applicant_uscc", "applicant_id_number")
}


def _history(application: Application, statuses: tuple[str, ...]) -> int:
    """Other cases of the same standard item by the same applicant in these statuses."""
    entity = application.applicant_kind == "entity"
    query = _HISTORY[(statuses, "applicant_uscc" if entity else "applicant_id_number")]
    row = query.first(
        standard_code=application.item.standard_code,
        kind=application.applicant_kind,
        key=application.applicant_uscc if entity else application.applicant_id_number,
        pk=application.pk or 0,  # not yet inserted: a filing decides before its insert
    )
    return row[0] if row else 0


def _form_fact(fact: str, form: dict[str, Any], today: dt.date) -> Any:
    match = FORM_FACT.match(fact)
    if match is None:
        return None
    value = form.get(match.group(1))
    computed = match.group(3)
    if computed is None:
        return value
    try:
        day = dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        day = None
    if day is None:
        return None
    return (today - day).days if computed == "age_days" else full_years(day, today)


def facts_gather(
    *, application: Application, needed: set[str], today: dt.date | None = None
) -> dict[str, Any]:
    """The values of the `needed` facts for this application (plus decision.date)."""
    today = today or timezone.localdate()
    facts: dict[str, Any] = {"decision.date": today.isoformat()}
    is_person = application.applicant_kind == "person"
    if any(f.startswith("applicant.") for f in needed):
        facts["applicant.kind"] = application.applicant_kind
        person = person_brief(id_number=application.applicant_id_number) if is_person else None
        if is_person:
            facts["applicant.exists_in_registry"] = person is not None
        if person is not None:
            facts["applicant.age"] = full_years(person.birth_date, today)
            facts["applicant.gender"] = person.gender
            facts["applicant.household_region_code"] = person.household_region_code
        if "applicant.real_name_level" in needed:
            facts["applicant.real_name_level"] = _real_name_level(application)
    wants_entity = any(f.startswith("entity.") for f in needed) or (
        not is_person and any(f.startswith("applicant.") for f in needed)
    )
    if wants_entity:
        entity = (
            entity_brief(uscc=application.applicant_uscc) if application.applicant_uscc else None
        )
        if not is_person:
            facts["applicant.exists_in_registry"] = entity is not None
        if entity is not None:
            facts["entity.status"] = entity.status
            facts["entity.is_operating"] = entity.is_operating
            facts["entity.region_code"] = entity.region_code
            facts["entity.entity_type"] = entity.entity_type
    if "history.approved_same_item_count" in needed:
        facts["history.approved_same_item_count"] = _history(application, ("approved",))
    if "history.open_same_item_count" in needed:
        facts["history.open_same_item_count"] = _history(application, OPEN_STATUSES)
    form = application.form_data or {}
    for fact in needed:
        if fact.startswith("form."):
            facts[fact] = _form_fact(fact, form, today)
    return facts
