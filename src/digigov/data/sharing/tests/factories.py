"""Test data for sharing: departments, the two base registries and a dataset catalogued
(through the catalog models until the catalog's own services are used here), principals
and machine clients with API keys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from digigov.data.catalog.models import DataResource, DatasetRow, ResourceField
from digigov.data.registries.services import (
    demo_entity_usccs,
    demo_person_id_numbers,
    registry_demo_generate,
)
from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import organizations_seed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region
from digigov.kernel.regions.services import regions_load

from ..models import ExchangeLogEntry

ADMIN = Principal(kind="operator", id="test", label="测试运维")
PERSON_FIELDS = [
    ("id_number", "公民身份号码", "id_number", "personal"),
    ("name", "姓名", "name", "personal"),
    ("gender", "性别", "none", "internal"),
    ("birth_date", "出生日期", "redact", "personal"),
    ("household_region_code", "户籍地区划", "none", "internal"),
    ("residence_address", "居住地址", "address", "personal"),
    ("phone", "联系电话", "phone", "personal"),
]
ENTITY_FIELDS = [
    ("uscc", "统一社会信用代码", "none", "public"),
    ("name", "名称", "none", "public"),
    ("status", "登记状态", "none", "public"),
    ("legal_rep_name", "法定代表人", "name", "personal"),
    ("legal_rep_id_number", "法定代表人身份证号", "id_number", "personal"),
]


@dataclass(frozen=True)
class World:
    people: list[str]
    usccs: list[str]
    person: DataResource  # 440000-gat, conditional
    entity: DataResource  # 440000-scjg, unconditional
    dataset: DataResource  # 440100-scjg, conditional
    secret: DataResource  # 440000-gat, 不予共享
    mzt: Organization  # the requesting department (440100-mzt)
    gat: Organization
    scjg: Organization


def org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def resource_make(
    code: str,
    *,
    owner: str,
    storage: str,
    share: str,
    fields: list[tuple[str, str, str, str]],
    key_field: str = "",
    status: str = "published",
    layer: str = "base",
) -> DataResource:
    resource = DataResource.objects.create(
        code=code,
        name=f"测试资源{code}",
        organization=org(owner),
        layer=layer,
        storage=storage,
        share_condition=share,
        share_terms="涉及国家秘密" if share == "none" else "",
        grade="important",
        has_personal_info=True,
        key_field=key_field,
        status=status,
        published_at=timezone.now() if status == "published" else None,
    )
    for position, (name, label, masking, sensitivity) in enumerate(fields):
        ResourceField.objects.create(
            resource=resource,
            position=position,
            name=name,
            label=label,
            data_type="string",
            masking=masking,
            sensitivity=sensitivity,
        )
    return resource


def world_make(*, people: int = 6, entities: int = 3) -> World:
    if not Region.objects.filter(code="440000").exists():
        regions_load()
    if not Organization.objects.filter(code="440100-mzt").exists():
        organizations_seed(county_level=False, town_level=False)
    registry_demo_generate(people=people, entities=entities)
    ids = demo_person_id_numbers(count=people)
    person = resource_make(
        "T-GAT-RK", owner="440000-gat", storage="registry.person", share="conditional",
        fields=PERSON_FIELDS, key_field="id_number",
    )  # fmt: skip
    entity = resource_make(
        "T-SCJG-FR", owner="440000-scjg", storage="registry.entity", share="unconditional",
        fields=ENTITY_FIELDS, key_field="uscc",
    )  # fmt: skip
    dataset = resource_make(
        "T-GZ-YLJG", owner="440100-scjg", storage="dataset", share="conditional",
        fields=[
            ("org_name", "机构名称", "none", "public"),
            ("manager_id", "负责人身份证号", "id_number", "personal"),
            ("beds", "床位数", "none", "internal"),
        ],
        key_field="org_name", layer="topic",
    )  # fmt: skip
    for number, (name, manager, beds) in enumerate(
        [("甲养老院", ids[0], "120"), ("乙养老院", ids[1], "80"), ("丙养老院", ids[0], "60")], 1
    ):
        DatasetRow.objects.create(
            resource=dataset,
            row_number=number,
            key=name,
            data={"org_name": name, "manager_id": manager, "beds": beds},
        )
    secret = resource_make(
        "T-GAT-MM", owner="440000-gat", storage="registry.person", share="none",
        fields=PERSON_FIELDS[:2], key_field="id_number",
    )  # fmt: skip
    return World(
        people=ids,
        usccs=demo_entity_usccs(count=entities),
        person=person,
        entity=entity,
        dataset=dataset,
        secret=secret,
        mzt=org("440100-mzt"),
        gat=org("440000-gat"),
        scjg=org("440100-scjg"),
    )


def staff(organization: Organization, *permissions: str, id: str = "11") -> Principal:
    return Principal(
        kind="staff",
        id=id,
        label="测试公职人员",
        organization_id=organization.pk,
        region_code=organization.region_id,
        permissions=frozenset(permissions),
        source_address="10.0.0.8",
    )


def requester(world: World, id: str = "21") -> Principal:
    return staff(world.mzt, "sharing.request_data", id=id)


def approver(organization: Organization, id: str = "31") -> Principal:
    return staff(organization, "sharing.approve_request", id=id)


def client_make(
    organization: Organization | None,
    *scopes: str,
    name: str = "民政业务系统",
) -> tuple[int, str]:
    """A machine client of the organization and one API key for it."""
    client = machine_client_create(
        actor=ADMIN,
        name=name,
        scopes=list(scopes) or ["exchange:read", "exchange:verify", "sharing:request"],
        organization_id=organization.pk if organization else None,
    )
    return client.pk, api_key_issue(actor=ADMIN, client_id=client.pk).key


def period(days: int = 200) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def log_count() -> int:
    return ExchangeLogEntry.objects.count()


def audit_head() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def audit_since(seq: int) -> list[tuple[str, str]]:
    return list(
        AuditEntry.objects.filter(seq__gt=seq).order_by("seq").values_list("action", "outcome")
    )


def requester_of_scjg(world: World) -> Principal:
    return staff(world.scjg, "sharing.request_data", id="23")
