"""Test data of 一网通办 for this app's tests, other apps' tests and the browser tests.

`item_make` publishes a service item through the catalog services, as staff would: one
operator drafts and submits it, another publishes it (four-eyes)."""

from __future__ import annotations

from typing import Any

from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load

from .constants import LOCAL_FIELDS
from .models import ServiceItem

DRAFTER = Principal(kind="operator", id="test-drafter")
REVIEWER = Principal(kind="operator", id="test-reviewer")

DEFAULT_FORM = {
    "type": "object",
    "required": ["applicant_name", "applicant_id_number", "phone"],
    "properties": {
        "applicant_name": {"type": "string", "title": "申请人姓名", "prefill": "person.name"},
        "applicant_id_number": {
            "type": "string",
            "title": "公民身份号码",
            "prefill": "person.id_number",
        },
        "phone": {"type": "string", "title": "联系电话", "pattern": "^1[3-9][0-9]{9}$"},
    },
}


def organizations_ready() -> None:
    if not Region.objects.filter(code="440000").exists():
        regions_load()
    if not Organization.objects.filter(code="440100-scjg").exists():
        organizations_seed(county_level=False, town_level=False)


def item_make(
    *,
    code: str = "TEST-0001",
    standard_code: str = "",
    organization_code: str = "440100-scjg",
    **fields: Any,
) -> ServiceItem:
    """A published item. With the standard_code of an existing standard it is a local item:
    fields equal to the standard's are dropped, differing standard fields raise."""
    from .services.items import item_create, item_publish, item_submit_review

    organizations_ready()
    standard = (
        ServiceItem.objects.select_related("published")
        .filter(standard_code=standard_code, is_standard=True)
        .first()
        if standard_code
        else None
    )
    if standard is not None and standard.published is not None:
        values = {
            name: value
            for name, value in fields.items()
            if name in LOCAL_FIELDS or getattr(standard.published, name, object()) != value
        }
    else:
        values = {
            "name": "测试事项",
            "item_type": "permit",
            "statutory_days": 20,
            "promised_days": 10,
            "approval_mode": "workflow",
            "form_schema": DEFAULT_FORM,
            "materials": [],
            **fields,
        }
        if "promised_days" not in fields:
            values["promised_days"] = min(10, values["statutory_days"])
    item_create(
        principal=DRAFTER,
        code=code,
        standard_code=standard_code,
        organization_code=organization_code,
        fields=values,
    )
    item_submit_review(principal=DRAFTER, code=code)
    item_publish(principal=REVIEWER, code=code)
    return ServiceItem.objects.select_related("published", "organization", "region").get(code=code)
