"""Cases for the clock, supervision and ratings tests, written as rows (the applications
engineer's application_submit covers filing; these tests start from a filed case)."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import Application, ServiceItem
from ..services.cases import case_transition
from ..testing import item_make

TZ = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def organization(code: str) -> Organization:
    return Organization.objects.get(code=code)


def item_for(organization_code: str, **fields) -> ServiceItem:
    code = f"TEST-{organization_code}-{fields.get('promised_days', 10)}"
    found = ServiceItem.objects.filter(code=code).first()
    return found or item_make(code=code, organization_code=organization_code, **fields)


def staff(organization_code: str, *permissions: str, user_id: str = "900") -> Principal:
    return Principal(
        kind="staff",
        id=user_id,
        label="测试工作人员",
        organization_id=organization(organization_code).pk,
        permissions=frozenset(permissions),
    )


def citizen(id_number: str, user_id: str = "800") -> Principal:
    return Principal(kind="citizen", id=user_id, label="申请人", person_id_number=id_number)


HANDLER_PERMS = ("services.handle_application", "services.receive_application")


def case_make(
    *,
    organization_code: str = "440100-scjg",
    applicant_id_number: str = "440103199001011234",
    received_region_code: str = "",
    received_partner: str = "",
    promised_days: int = 10,
    statutory_days: int = 20,
    status: str = Application.Status.SUBMITTED,
    applicant_uscc: str = "",
) -> Application:
    item = item_for(organization_code, promised_days=promised_days, statutory_days=statutory_days)
    handling = organization(organization_code)
    return Application.objects.create(
        number=f"T{next(_numbers):08d}",
        item=item,
        item_version=item.published,
        status=status,
        approval_mode="workflow",
        applicant_kind="entity" if applicant_uscc else "person",
        applicant_id_number=applicant_id_number,
        applicant_uscc=applicant_uscc,
        applicant_name="张三",
        filed_by_actor="citizen:800",
        channel="online",
        received_region_id=received_region_code or handling.region_id,
        received_partner=received_partner,
        handling_region_id=handling.region_id,
        handling_organization=handling,
        submitted_at=at(dt.date(2024, 9, 27)),
    )


def accept(application: Application, day: dt.date | None = None) -> Application:
    """Accept through case_transition; with a day, as if it happened that day."""
    handler = staff(application.handling_organization.code, *HANDLER_PERMS)
    if day is not None:
        application.accepted_at = at(day)
    return case_transition(
        application=application, to=Application.Status.ACCEPTED, principal=handler
    )


def close(application: Application, day: dt.date, to: str = Application.Status.APPROVED):
    handler = staff(application.handling_organization.code, *HANDLER_PERMS)
    case_transition(application=application, to=to, principal=handler)
    application.closed_at = at(day)
    application.save(update_fields=["closed_at"])
    return application
