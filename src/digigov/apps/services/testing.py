"""Test data of 一网通办 for this app's tests, other apps' tests and the browser tests.

`item_make` publishes a service item. Until the catalog services exist it writes the rows
directly; it will go through item_create / item_publish as a user would."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load

from .models import ServiceItem, ServiceItemVersion

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
    organizations_ready()
    organization = Organization.objects.get(code=organization_code)
    item = ServiceItem.objects.create(
        code=code,
        standard_code=standard_code or code,
        is_standard=not standard_code,
        organization=organization,
        region_id=organization.region_id,
    )
    values: dict[str, Any] = {
        "name": "测试事项",
        "item_type": "permit",
        "statutory_days": 20,
        "promised_days": 10,
        "approval_mode": "workflow",
        "form_schema": DEFAULT_FORM,
        "materials": [],
        **fields,
    }
    version = ServiceItemVersion.objects.create(
        item=item,
        number=1,
        status=ServiceItemVersion.Status.PUBLISHED,
        published_at=timezone.now(),
        **values,
    )
    item.published = version
    item.save(update_fields=["published"])
    return item
