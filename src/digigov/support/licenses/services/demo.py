"""Demo licenses (seed step 46, after the 一网通办 demo cases): every demo citizen gets the
licenses a person naturally holds (居民身份证, 户口簿, and for some 社会保障卡, 结婚证), every
demo enterprise its 营业执照 (the first also a 食品经营许可证 in Guangzhou), so that 免提交 has something to use; one 机动车驾驶证 is
suspended for three months and one 居住证 is revoked, so that the wallet and verification
show those states. Also two demo 制证人员 (Guangzhou market regulation and public security).
Issued through the same services as everything else (signed, audited, with events); runs
once: skipped when demo licenses exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.data.registries.services import demo_entity_usccs, demo_person_id_numbers
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.support.identity import services as identity

from ..models import License, LicenseType
from ..selectors.catalog import license_data_prefill
from .issuance import license_issue
from .status import license_revoke, license_suspend, license_suspensions_sweep

DEMO_PRINCIPAL = Principal(kind="system", id="licenses_demo", label="演示数据")
# username -> (organization code, roles, real name, label for `digigov demo_logins`)
DEMO_ISSUERS: dict[str, tuple[str, list[str], str, str]] = {
    "gz_scjg_licenser": ("440100-scjg", ["制证人员"], "苏制证", "广州市场监管 制证人员"),
    "gz_gat_licenser": ("440100-gat", ["制证人员"], "冯制证", "广州公安 制证人员"),
}
FALLBACK_CITY = "440100"
# Values a demo license gets where neither the registries nor a case provide one.
DEMO_VALUES: dict[str, Any] = {
    "ethnicity": "汉",
    "household_type": "家庭户",
    "relation_to_head": "户主",
    "residence_city": "广州市",
    "vehicle_class": "C1",
    "card_number": "",  # filled per holder
    "bank": "中国工商银行",
    "business_scope": "软件开发；信息技术咨询服务；数据处理和存储支持服务",
    "registration_authority": "",  # filled with the issuer's name
    "registered_capital": 100,
}


def _issuer(function: str, region_code: str) -> Organization:
    city = f"{region_code[:4]}00" if region_code else FALLBACK_CITY
    return Organization.objects.filter(
        code=f"{city}-{function}", is_active=True
    ).first() or Organization.objects.get(code=f"{FALLBACK_CITY}-{function}")


def _filler(field: dict[str, Any], today: dt.date) -> Any:
    if field.get("choices"):
        return field["choices"][0]
    kind = field.get("type", "string")
    if kind == "date":
        return (today - dt.timedelta(days=365 * 3)).isoformat()
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    return "演示数据"


def _issue(
    type_code: str,
    holder_kind: str,
    holder_key: str,
    region_code: str,
    *,
    form: dict[str, Any] | None = None,
    valid_from: dt.date | None = None,
) -> License:
    license_type = LicenseType.objects.get(code=type_code)
    issuer = _issuer(license_type.issuing_function, region_code)
    today = timezone.localdate()
    valid_from = valid_from or today - dt.timedelta(days=400)
    data = license_data_prefill(
        type_code=type_code,
        holder_kind=holder_kind,
        holder_key=holder_key,
        form=form,
        case_number=f"DEMO{holder_key[-6:]}",
        decided_on=valid_from,
    )
    special = {
        **DEMO_VALUES,
        "card_number": f"A{holder_key[-8:]}",
        "registration_authority": issuer.name,
    }
    for field in license_type.fields:
        key = field["key"]
        if key in data or (not field.get("required") and key not in special):
            continue
        value = special.get(key) or _filler(field, valid_from)
        if field.get("choices") and value not in field["choices"]:
            value = field["choices"][0]
        data[key] = value
    return license_issue(
        principal=DEMO_PRINCIPAL,
        type_code=type_code,
        issuer_id=issuer.pk,
        holder_kind=holder_kind,
        holder_key=holder_key,
        data={k: v for k, v in data.items() if v not in (None, "")},
        valid_from=valid_from,
        source=License.Source.DEMO,
        source_reference="demo",
    )


def _demo_staff() -> list[str]:
    identity.roles_seed()
    return identity.demo_staff_ensure(staff=DEMO_ISSUERS, add_roles=False)


def licenses_demo_seed(*, seed: int = 2021, entities: int = 3, **_options: Any) -> str:
    """The seed step (order 46). Idempotent: skipped when demo licenses exist."""
    staff = _demo_staff()
    resumed = license_suspensions_sweep()
    if License.objects.filter(source=License.Source.DEMO).exists():
        summary = "演示证照已存在，跳过"
        if staff:
            summary += f"；新建制证演示账号 {len(staff)} 个"
        return summary + (f"；恢复暂停期满证照 {resumed} 张" if resumed else "")
    people = [p for p in demo_person_id_numbers(seed=seed, count=5) if person_brief(id_number=p)]
    usccs = [
        u
        for u in demo_entity_usccs(seed=seed, count=max(1, min(entities, 3)))
        if entity_brief(uscc=u)
    ]
    representatives = []
    for uscc in usccs:
        brief = entity_brief(uscc=uscc)
        if brief.legal_rep_id_number not in people and person_brief(
            id_number=brief.legal_rep_id_number
        ):
            representatives.append(brief.legal_rep_id_number)
    issued = 0
    today = timezone.localdate()
    for index, id_number in enumerate(people + representatives):
        region = person_brief(id_number=id_number).household_region_code
        _issue("JMSFZ", "person", id_number, region)
        _issue("HKB", "person", id_number, region)
        issued += 2
        if index < 3:
            _issue("SBK", "person", id_number, region)
            issued += 1
    if len(people) >= 3:
        spouse = person_brief(id_number=people[2])
        _issue(
            "JHZ",
            "person",
            people[0],
            person_brief(id_number=people[0]).household_region_code,
            form={"spouse_name": spouse.name, "spouse_id_number": spouse.id_number},
        )
        issued += 1
    for uscc in usccs:
        _issue("YYZZ", "entity", uscc, entity_brief(uscc=uscc).region_code)
        issued += 1
    # Guangzhou (where the demo 制证人员 work): the first enterprise's restaurant permit, the
    # demo citizen's driving licence (换证 anywhere in the province) and the elder's 居住证.
    if usccs:
        _issue("SPJYXKZ", "entity", usccs[0], FALLBACK_CITY)
        issued += 1
    notes = []
    if people:
        driving = _issue("JDCJSZ", "person", people[0], FALLBACK_CITY)
        license_suspend(
            principal=DEMO_PRINCIPAL,
            address=driving.address,
            until=today + dt.timedelta(days=91),
            reason="交通违法记分满12分，暂扣驾驶证三个月（演示）",
        )
        issued += 1
        notes.append("暂停 1 张")
    if len(people) >= 2:
        residence = _issue("JZZ", "person", people[1], FALLBACK_CITY)
        license_revoke(
            principal=DEMO_PRINCIPAL,
            address=residence.address,
            reason="持证人已迁离居住地，居住证注销（演示）",
        )
        issued += 1
        notes.append("注销 1 张")
    summary = f"签发演示证照 {issued} 张（{'、'.join(notes)}）"
    if staff:
        summary += f"；新建制证演示账号 {len(staff)} 个"
    return summary
