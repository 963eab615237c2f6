"""Shared makers of the workflow tests: a filed workflow case (through application_submit,
as a citizen would file it), staff of the departments a process involves, their
principals. No tests here."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from digigov.data.registries.selectors import person_brief
from digigov.data.registries.services import demo_person_id_numbers, registry_demo_generate
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.support.identity import services as identity

from ..models import Application, CaseTask
from ..services.applications import application_submit
from ..testing import item_make, organizations_ready

PASSWORD = "Staff@2025"
_keys = itertools.count(1)


def staff(username: str, organization_code: str, *roles: str):
    organizations_ready()
    identity.roles_seed()
    organization = Organization.objects.get(code=organization_code)
    return identity.staff_account_create(
        actor=None,
        username=username,
        password=PASSWORD,
        real_name=f"{username}",
        organization_id=organization.pk,
        roles=list(roles),
    )


def as_principal(account) -> Principal:
    return account.as_principal(source_address="127.0.0.1")


def citizen():
    registry_demo_generate(people=3, entities=0)
    id_number = demo_person_id_numbers(count=1)[0]
    from django.contrib.auth import get_user_model

    existing = get_user_model().objects.filter(username="wf_citizen").first()
    if existing is not None:
        return existing
    account = identity.account_register(
        username="wf_citizen", password="Citizen@2025", phone="13800138000", kind="citizen"
    )
    brief = person_brief(id_number=id_number)
    identity.realname_verify(principal=account.as_principal(), name=brief.name, id_number=id_number)
    return get_user_model().objects.get(pk=account.pk)


@dataclass
class Staff:
    clerk: object  # scjg 窗口受理人员
    reviewer: object  # scjg 审批人员
    approver: object  # scjg 审批人员 (four-eyes partner)
    xf: object
    cgj: object
    zrzy_clerk: object
    zrzy_reviewer: object
    zrzy_approver: object
    outsider: object  # 审批人员 of another organization (440100-rsj)
    no_role: object  # scjg, 事项管理人员 only


def staff_make() -> Staff:
    return Staff(
        clerk=staff("wf_clerk", "440100-scjg", "窗口受理人员"),
        reviewer=staff("wf_reviewer", "440100-scjg", "审批人员"),
        approver=staff("wf_approver", "440100-scjg", "审批人员"),
        xf=staff("wf_xf", "440100-xf", "审批人员"),
        cgj=staff("wf_cgj", "440100-cgj", "审批人员"),
        zrzy_clerk=staff("wf_zrzy_clerk", "440100-zrzy", "窗口受理人员"),
        zrzy_reviewer=staff("wf_zrzy_reviewer", "440100-zrzy", "审批人员"),
        zrzy_approver=staff("wf_zrzy_approver", "440100-zrzy", "审批人员"),
        outsider=staff("wf_outsider", "440100-rsj", "审批人员"),
        no_role=staff("wf_norole", "440100-scjg", "事项管理人员"),
    )


def item_for(process_id: str, *, code: str | None = None):
    code = code or f"WF-{process_id}"
    organization = "440100-zrzy" if process_id == "real_estate_registration" else "440100-scjg"
    from ..models import ServiceItem

    found = ServiceItem.objects.filter(code=code).first()
    if found is not None:
        return found
    return item_make(
        code=code,
        organization_code=organization,
        approval_mode="workflow",
        workflow_process=process_id,
        name={"general_approval": "食品生产许可", "restaurant_opening": "开办餐饮店"}.get(
            process_id, "不动产登记"
        ),
    )


def case_file(process_id: str = "general_approval", *, applicant=None) -> Application:
    """A workflow case filed online by the test citizen (through application_submit)."""
    item = item_for(process_id)
    applicant = applicant or citizen()
    return application_submit(
        principal=as_principal(applicant),
        item_code=item.code,
        form_data={"phone": "13800138000"},
        idempotency_key=f"wf-{next(_keys)}",
    )


def open_task(application: Application, step: str) -> CaseTask:
    return CaseTask.objects.get(
        application=application, spec_name=step, status="open", co_signer_of__isnull=True
    )
