"""The sharing demo (seed step, order 55, after the catalog's at 50): requests in every
state, grants (one partly approved, one revoked), the demo machine client of 广州市民政局,
and a few exchange calls logged that read the demo citizens' records, so that their
"谁用了我的数据" page has entries. Everything goes through the services, as departments
and their systems would do it. Idempotent: skipped when any request exists.

The demo client's API key is not printed by the seed (it is a secret): issue one with
`digigov sharing_demo_client`."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.utils import timezone

from digigov.data.catalog.selectors.resources import resource_by_code
from digigov.data.registries.selectors import person_brief
from digigov.data.registries.services import demo_entity_usccs, demo_person_id_numbers
from digigov.kernel.api.models import MachineClient
from digigov.kernel.api.services import api_key_issue, machine_client_create, machine_principal
from digigov.kernel.errors import DomainError
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import SharingRequest
from .exchange import (
    exchange_record_get,
    exchange_records_query,
    exchange_verify_entity,
    exchange_verify_person,
)
from .requests import (
    grant_revoke,
    sharing_request_decide,
    sharing_request_submit,
    sharing_request_withdraw,
)

DEMO_CLIENT_NAME = "广州市民政局养老服务系统（演示）"
DEMO_CLIENT_ORGANIZATION = "440100-mzt"
DEMO_CLIENT_SCOPES = ["exchange:read", "exchange:verify", "sharing:request"]
OPERATOR = Principal(kind="operator", id="sharing-seed", label="共享交换演示数据")
PERSON_REGISTRY, ENTITY_REGISTRY = "GD-GAT-RKJC", "GD-SCJG-FRJC"


def _as(organization: Organization) -> Principal:
    """A seed operator acting for a department (the audit log names the seed)."""
    return Principal(
        kind="operator",
        id=f"sharing-seed-{organization.code}",
        label=f"共享交换演示数据（{organization.name}）",
        organization_id=organization.pk,
    )


def demo_client(*, create: bool = True) -> MachineClient | None:
    organization = Organization.objects.filter(code=DEMO_CLIENT_ORGANIZATION).first()
    if organization is None:
        return None
    client = MachineClient.objects.filter(name=DEMO_CLIENT_NAME).first()
    if client is None and create:
        client = machine_client_create(
            actor=OPERATOR,
            name=DEMO_CLIENT_NAME,
            scopes=DEMO_CLIENT_SCOPES,
            organization_id=organization.pk,
        )
    return client


def sharing_demo_client_key(*, days_valid: int = 30) -> tuple[MachineClient, str]:
    """Issue a fresh API key for the demo client (`digigov sharing_demo_client`)."""
    client = demo_client()
    if client is None:
        raise DomainError("尚未加载组织机构，请先运行 digigov seed --demo", code="seed_missing")
    return client, api_key_issue(actor=OPERATOR, client_id=client.pk, days_valid=days_valid).key


def _request(org: Organization, code: str, fields: list[str], purpose: str, basis: str):
    return sharing_request_submit(
        principal=_as(org),
        resource_code=code,
        fields=fields,
        purpose=purpose,
        legal_basis=basis,
        scope=f"{org.name}业务办理",
        period_end=timezone.localdate() + dt.timedelta(days=300),
    )


def sharing_demo_seed(*, seed: int = 2021, **_options: Any) -> str:
    if SharingRequest.objects.exists():
        return "已存在，跳过"
    needed = [PERSON_REGISTRY, ENTITY_REGISTRY]
    resources = {code: resource_by_code(code=code) for code in needed}
    if any(r is None or r.status != "published" for r in resources.values()):
        return "数据目录未就绪，跳过"
    orgs = {
        o.code: o
        for o in Organization.objects.filter(
            code__in=["440100-mzt", "440300-mzt", "440100-scjg", "440100-zsj", "440000-gat"]
        )
    }
    gz_mzt, sz_mzt, gat = orgs["440100-mzt"], orgs["440300-mzt"], orgs["440000-gat"]
    entity_owner = resources[ENTITY_REGISTRY].organization

    # 无条件共享: granted at once
    _request(gz_mzt, ENTITY_REGISTRY, ["uscc", "name", "status"],
             "养老机构举办者主体资格核对", "《养老机构管理办法》第九条")  # fmt: skip
    # 有条件共享, partly approved by the owner (phone refused), name left masked
    partial = _request(
        gz_mzt, PERSON_REGISTRY, ["id_number", "name", "household_region_code", "phone"],
        "高龄津贴、养老服务补贴资格核对", "《广东省养老服务条例》第二十条",
    )  # fmt: skip
    sharing_request_decide(
        principal=_as(gat),
        request_id=partial.pk,
        approved_fields=["id_number", "name", "household_region_code"],
        refusal_reason="联系电话不属于资格核对所需，按最小必要原则不予共享",
    )
    # waiting for 440000-gat's decision
    _request(sz_mzt, PERSON_REGISTRY, ["id_number", "name", "birth_date"],
             "最低生活保障家庭成员核对", "《社会救助暂行办法》第十一条")  # fmt: skip
    refused = []
    others = [
        ("GD-GAT-ZDCSJK", ["point_id"], "社区养老设施安全巡查", "内部工作需要"),  # 不予共享
        ("GD-RSJ-SBJF", ["record_id", "insurance_type"], "养老护理员社保核对", "工作需要"),
    ]
    for code, fields, purpose, basis in others:
        try:
            refused.append(_request(gz_mzt, code, fields, purpose, basis))
        except DomainError:  # the catalog's demo may differ; not essential
            continue
    for request in refused:
        if request.state == "pending":
            sharing_request_decide(
                principal=_as(request.resource.organization),
                request_id=request.pk,
                approved_fields=[],
                refusal_reason="申请依据不充分，请补充法律法规依据后重新申请",
            )
    # withdrawn by the requester; and a grant revoked by the owner
    gz_scjg = orgs.get("440100-scjg")
    if gz_scjg is not None:
        withdrawn = _request(gz_scjg, PERSON_REGISTRY, ["name"], "个体工商户经营者身份核对",
                             "《促进个体工商户发展条例》")  # fmt: skip
        sharing_request_withdraw(principal=_as(gz_scjg), request_id=withdrawn.pk)
    gz_zsj = orgs.get("440100-zsj")
    if gz_zsj is not None:
        revoked = _request(gz_zsj, ENTITY_REGISTRY, ["uscc", "status"], "城市运行监测",
                           "《广东省数字政府改革建设“十四五”规划》")  # fmt: skip
        grant_revoke(
            principal=_as(entity_owner), grant_id=revoked.grant.pk, reason="监测项目已结束"
        )

    # the demo client's calls: by key on the demo citizens, a page, verify-only checks
    client = demo_client()
    machine = machine_principal(client, source_address="10.44.1.20")
    citizen, elder = demo_person_id_numbers(seed=seed, count=2)
    calls = 0
    for id_number, purpose in [
        (citizen, "高龄津贴资格核对"),
        (elder, "养老服务补贴资格核对"),
        (elder, "居家养老服务对象年度复核"),
    ]:
        try:
            exchange_record_get(
                principal=machine, resource_code=PERSON_REGISTRY, key=id_number, purpose=purpose
            )
            calls += 1
        except DomainError:
            pass
    exchange_verify_person(
        principal=machine,
        id_number=citizen,
        name=getattr(person_brief(id_number=citizen), "name", ""),
        purpose="养老服务申请人身份核验",
    )
    exchange_verify_entity(
        principal=machine,
        uscc=demo_entity_usccs(seed=seed, count=1)[0],
        purpose="养老机构举办者存续核验",
    )
    exchange_records_query(
        principal=machine, resource_code=ENTITY_REGISTRY, purpose="养老机构举办者名单核对",
        filters={"status": "存续"}, page_size=5,
    )  # fmt: skip
    with contextlib.suppress(DomainError):  # a refused call: the owner's view shows refusals
        exchange_record_get(
            principal=machine, resource_code=PERSON_REGISTRY, key=citizen,
            purpose="补贴核对", fields=["phone"],
        )  # fmt: skip
    return f"共享申请 {SharingRequest.objects.count()} 件，交换调用 {calls + 4} 次"
