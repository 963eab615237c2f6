"""免填写: the values a form's fields take from the registries and the applicant's profile.

A field of an item's JSON Schema names its source in a "prefill" key (`person.name`,
`entity.uscc`, `account.phone`, ...). `form_prefill` answers them for the person or entity
the principal may apply for: a citizen for themself or a relative who authorised them
(scope "apply"), an enterprise agent for an entity it may act for, a window clerk (with
services.receive_application) for anyone in the registries. Reading someone else's record
is audited. Values are JSON-ready (dates as ISO strings, gender as "男"/"女")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import PermissionDenied, Unauthenticated
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_get
from digigov.support.identity.selectors import account_active, delegation_allows, entity_allows

from ..models import ServiceItemVersion

RECEIVE = "services.receive_application"
GENDER_LABELS = {"M": "男", "F": "女"}
PERSON_SOURCES = (
    "person.name",
    "person.id_number",
    "person.gender",
    "person.birth_date",
    "person.household_region_code",
    "person.household_region_name",
)
ENTITY_SOURCES = (
    "entity.name",
    "entity.uscc",
    "entity.legal_rep_name",
    "entity.legal_rep_id_number",
    "entity.region_code",
    "entity.entity_type",
)
ACCOUNT_SOURCES = ("account.phone",)
SOURCES = PERSON_SOURCES + ENTITY_SOURCES + ACCOUNT_SOURCES


@dataclass(frozen=True)
class PrefillSubject:
    """Whose records fill the form: the person (applicant, or the enterprise's agent) and
    the entity; `is_own_account` when the phone may come from the principal's account."""

    id_number: str
    uscc: str
    is_own_account: bool


def prefill_sources(schema: Mapping[str, Any]) -> dict[str, str]:
    """field name -> source, for the fields of the schema that name a known source."""
    properties = (schema or {}).get("properties") or {}
    return {
        name: spec["prefill"]
        for name, spec in properties.items()
        if isinstance(spec, Mapping) and spec.get("prefill") in SOURCES
    }


def _deny(principal: Principal, object_type: str, key: str, reason: str) -> PermissionDenied:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action="services.prefill.read",
        object_type=object_type,
        object_id=key,
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )
    return PermissionDenied("无权为该申请人办理", code="services/not_authorised_applicant")


def prefill_subject(
    *, principal: Principal, applicant_id_number: str | None, applicant_uscc: str | None
) -> PrefillSubject:
    """Whom the principal may fill a form for (PermissionDenied, audited, otherwise)."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    id_number = (applicant_id_number or "").strip().upper()
    uscc = (applicant_uscc or "").strip().upper()
    if principal.kind == "citizen":
        if uscc:
            raise _deny(principal, "Entity", uscc, "citizen_for_entity")
        own = principal.person_id_number
        if id_number and id_number != own:
            if not delegation_allows(
                principal=principal, grantor_id_number=id_number, scope="apply"
            ):
                raise _deny(principal, "Person", id_number, "no_delegation")
            return PrefillSubject(id_number=id_number, uscc="", is_own_account=True)
        return PrefillSubject(id_number=own, uscc="", is_own_account=True)
    if principal.kind == "enterprise":
        if uscc and not entity_allows(principal=principal, uscc=uscc, scope="apply"):
            raise _deny(principal, "Entity", uscc, "no_entity_binding")
        return PrefillSubject(id_number=principal.person_id_number, uscc=uscc, is_own_account=True)
    if principal.kind == "staff" and principal.has_perm(RECEIVE):
        return PrefillSubject(id_number=id_number, uscc=uscc, is_own_account=False)
    raise _deny(principal, "Person", id_number or uscc, f"kind:{principal.kind}")


def _account_phone(principal: Principal) -> str:
    from digigov.support.identity.services import phone_open

    account = account_active(account_id=int(principal.id)) if principal.id.isdigit() else None
    return phone_open(account) if account is not None else ""


def prefill_values(
    *, principal: Principal, subject: PrefillSubject, sources: Mapping[str, str]
) -> dict[str, Any]:
    """The values of `sources` for an already authorised subject."""
    wanted = set(sources.values())
    values: dict[str, Any] = {}
    found: dict[str, Any] = {}
    if wanted & set(PERSON_SOURCES) and subject.id_number:
        person = person_brief(id_number=subject.id_number)
        if person is not None:
            region = region_get(person.household_region_code)
            found.update(
                {
                    "person.name": person.name,
                    "person.id_number": person.id_number,
                    "person.gender": GENDER_LABELS.get(person.gender, ""),
                    "person.birth_date": person.birth_date.isoformat(),
                    "person.household_region_code": person.household_region_code,
                    "person.household_region_name": region.name if region else "",
                }
            )
            if subject.id_number != principal.person_id_number:
                _audit_read(principal, "Person", subject.id_number)
    if wanted & set(ENTITY_SOURCES) and subject.uscc:
        entity = entity_brief(uscc=subject.uscc)
        if entity is not None:
            found.update(
                {
                    "entity.name": entity.name,
                    "entity.uscc": entity.uscc,
                    "entity.legal_rep_name": entity.legal_rep_name,
                    "entity.legal_rep_id_number": entity.legal_rep_id_number,
                    "entity.region_code": entity.region_code,
                    "entity.entity_type": entity.entity_type,
                }
            )
            if principal.kind == "staff":
                _audit_read(principal, "Entity", subject.uscc)
    if "account.phone" in wanted and subject.is_own_account:
        found["account.phone"] = _account_phone(principal)
    for field, source in sources.items():
        if found.get(source):
            values[field] = found[source]
    return values


def _audit_read(principal: Principal, object_type: str, key: str) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action="services.prefill.read",
        object_type=object_type,
        object_id=key,
        source_address=principal.source_address,
        detail={"purpose": "免填写"},
    )


def form_prefill(
    *,
    principal: Principal,
    item_version: ServiceItemVersion,
    applicant_id_number: str | None = None,
    applicant_uscc: str | None = None,
) -> dict[str, Any]:
    """field name -> value for every prefilled field of the version's form."""
    sources = prefill_sources(item_version.form_schema)
    subject = prefill_subject(
        principal=principal, applicant_id_number=applicant_id_number, applicant_uscc=applicant_uscc
    )
    if not sources:
        return {}
    return prefill_values(principal=principal, subject=subject, sources=sources)
