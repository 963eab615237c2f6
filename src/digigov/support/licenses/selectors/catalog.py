"""证照目录 queries: the public catalog (list and detail) and the face data a new license of
a type starts from (prefill from the registries, the case's form and the case itself)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, PermissionDenied
from digigov.kernel.organizations.models import Organization
from digigov.kernel.organizations.services import DEPARTMENTS
from digigov.kernel.principals import Principal

from ..models import HolderKind, LicenseType

GENDER_LABELS = {"M": "男", "F": "女"}
FUNCTION_NAMES = {
    function: name.removeprefix("国家税务总局").removeprefix("广东省")
    for function, name, _ in DEPARTMENTS
}


@dataclass(frozen=True)
class LicenseTypeView:
    code: str
    name: str
    issuing_function: str
    issuing_department: str  # e.g. "公安厅" (the line's name at provincial level)
    holder_kind: str
    holder_kind_label: str
    validity_years: int | None
    fields: list[dict[str, Any]]
    template: dict[str, Any]


def _view(license_type: LicenseType) -> LicenseTypeView:
    return LicenseTypeView(
        code=license_type.code,
        name=license_type.name,
        issuing_function=license_type.issuing_function,
        issuing_department=FUNCTION_NAMES.get(license_type.issuing_function, ""),
        holder_kind=license_type.holder_kind,
        holder_kind_label=HolderKind(license_type.holder_kind).label,
        validity_years=license_type.validity_years,
        fields=list(license_type.fields),
        template=dict(license_type.template),
    )


def license_type_list(
    *, holder_kind: str = "", issuing_function: str = "", query: str = ""
) -> list[LicenseTypeView]:
    """The active types, by code; filters are optional. Public (the catalog is published)."""
    types = LicenseType.objects.filter(is_active=True).order_by("code")
    if holder_kind:
        types = types.filter(holder_kind=holder_kind)
    if issuing_function:
        types = types.filter(issuing_function=issuing_function)
    if query.strip():
        types = types.filter(Q(name__contains=query.strip()) | Q(code__iexact=query.strip()))
    return [_view(t) for t in types]


def license_type_get(*, code: str) -> LicenseTypeView:
    license_type = LicenseType.objects.filter(code=code, is_active=True).first()
    if license_type is None:
        raise NotFound("证照类型不存在或已停用", code="license_type_unknown")
    return _view(license_type)


def license_data_prefill(
    *,
    type_code: str,
    holder_kind: str,
    holder_key: str,
    form: dict[str, Any] | None = None,
    case_number: str = "",
    decided_on: dt.date | None = None,
) -> dict[str, Any]:
    """Face data from each field's `source`: the registries (holder.*, person.*, entity.*;
    sealed addresses are never used), the case form (form.<key>) and the case (case.*).
    Fields without a value are left out: staff fill them in, license_issue checks them."""
    license_type = LicenseType.objects.filter(code=type_code, is_active=True).first()
    if license_type is None:
        raise NotFound("证照类型不存在或已停用", code="license_type_unknown")
    key = (holder_key or "").strip().upper()
    person = person_brief(id_number=key) if holder_kind == HolderKind.PERSON else None
    entity = entity_brief(uscc=key) if holder_kind == HolderKind.ENTITY else None
    known: dict[str, Any] = {
        "holder.key": key if (person or entity) else None,
        "holder.name": (person or entity).name if (person or entity) else None,
        "person.gender": GENDER_LABELS.get(person.gender) if person else None,
        "person.birth_date": person.birth_date.isoformat() if person else None,
        "entity.legal_rep_name": entity.legal_rep_name if entity else None,
        "entity.entity_type": entity.entity_type if entity else None,
        "case.number": case_number or None,
        "case.decided_on": decided_on.isoformat() if decided_on else None,
    }
    form = form or {}
    data: dict[str, Any] = {}
    for field in license_type.fields:
        source = field.get("source") or ""
        # one hint, or alternatives in order (items name the same fact differently)
        for hint in source if isinstance(source, list) else [source]:
            value = form.get(hint[5:]) if hint.startswith("form.") else known.get(hint)
            if value not in (None, ""):
                data[field["key"]] = value
                break
    return data


ISSUE_PERMISSION = "licenses.issue_license"


def issuable_types(*, principal: Principal) -> list[LicenseTypeView]:
    """The types a clerk may issue: those of the department line of their organization."""
    if principal.kind != "staff" or not principal.has_perm(ISSUE_PERMISSION):
        return []
    function = (
        Organization.objects.filter(pk=principal.organization_id)
        .values_list("function", flat=True)
        .first()
    )
    return license_type_list(issuing_function=function) if function else []


@dataclass(frozen=True)
class Prefill:
    holder_name: str | None  # None: the registries do not know the holder
    data: dict[str, Any]


def license_data_prefill_for(
    *, principal: Principal, type_code: str, holder_kind: str, holder_key: str
) -> Prefill:
    """license_data_prefill for a clerk filling in the issue form: only types of their line,
    and the registry read it makes (name, gender, birth date of a person) is audited."""
    if type_code not in {t.code for t in issuable_types(principal=principal)}:
        raise PermissionDenied("只能为本部门条线的证照类型带出照面信息")
    key = (holder_key or "").strip().upper()
    if holder_kind == HolderKind.PERSON:
        brief = person_brief(id_number=key)
    else:
        brief = entity_brief(uscc=key)
    data = license_data_prefill(type_code=type_code, holder_kind=holder_kind, holder_key=key)
    audit_record(
        actor=principal.actor,
        source_address=principal.source_address,
        action="licenses.license.prefill",
        object_type="licenses.licensetype",
        object_id=type_code,
        detail={"holder_kind": holder_kind, "found": brief is not None},
    )
    return Prefill(holder_name=brief.name if brief else None, data=data)
