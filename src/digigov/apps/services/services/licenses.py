"""一网通办 ↔ 电子证照: reactions to case events (subscribed in ServicesConfig.ready()).

- `services.application.approved` with a `result_license_type`: issue the license to the
  applicant (person: the applicant's ID number; entity: the USCC), source CASE, reference the
  case number, signed by the issuing department. The issuer is the handling organization when
  its department line (`function`) is the type's `issuing_function`; otherwise the
  organization of that line in the handling region, else in the nearest region above it
  (the city, then the province). The face data comes from the type's field `source` hints
  (holder.*, person.*, entity.*, form.<key>, case.number, case.decided_on). When a required
  field cannot be filled (or no issuer is found), nothing is issued: the gap is recorded on
  the case ("证照待人工制证", audited) for the department's staff to issue by hand.
- `services.commitment.violated`: revoke the licenses issued for that case.

Delivery is at least once: both handlers are idempotent (one license per case and type;
a recorded gap is not recorded twice; a revoked license is not revoked again)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from digigov.kernel.errors import DomainError
from digigov.kernel.organizations.selectors import organization_list
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_ancestors
from digigov.support.licenses.selectors.use import license_type_for_issue, licenses_of_case
from digigov.support.licenses.services.issuance import license_issue

from ..models import Application, CaseEvent
from ..selectors.prefill import ENTITY_SOURCES, PERSON_SOURCES, PrefillSubject, prefill_values
from .cases import case_record

SYSTEM = Principal(kind="system", id="services-licenses", label="一网通办自动制证")
ISSUE_HANDLER = "services.licenses.issue_on_approval"
REVOKE_HANDLER = "services.licenses.revoke_on_violation"
ISSUED_KIND = "license_issued"
PENDING_KIND = "license_pending"
REVOKED_KIND = "license_revoked"
PENDING_LABEL = "证照待人工制证"


def license_subscriptions_register() -> None:
    """Called from the app's ready()."""
    from digigov.kernel.events.registry import subscribe

    subscribe("services.application.approved", name=ISSUE_HANDLER, when=_issues_license)(
        on_application_approved
    )
    subscribe("services.commitment.violated", name=REVOKE_HANDLER)(on_commitment_violated)


def _issues_license(payload: dict[str, Any]) -> bool:
    return bool(payload.get("result_license_type") and payload.get("number"))


def on_application_approved(payload: dict[str, Any]) -> None:
    if _issues_license(payload):
        case_license_issue(number=payload["number"])


def on_commitment_violated(payload: dict[str, Any]) -> None:
    if payload.get("number"):
        case_licenses_revoke(number=payload["number"], finding=payload.get("finding") or "")


# --- issue on approval ----------------------------------------------------------------------


def _issuer(application: Application, function: str):
    handling = application.handling_organization
    if not function or handling.function == function:
        return handling
    for region in reversed(region_ancestors(application.handling_region_id)):
        found = organization_list(region_code=region.code).filter(function=function).first()
        if found is not None:
            return found
    return None


def _sources(field: dict[str, Any]) -> list[str]:
    """A field's source hints: one string, or alternatives tried in order (items name the
    same fact differently, e.g. form.business_premises or form.business_address)."""
    source = field.get("source") or ""
    return [s for s in source if s] if isinstance(source, list) else [source]


def _face_data(application: Application, fields: list[dict[str, Any]]) -> tuple[dict, list[str]]:
    """(face data, labels of the required fields the case cannot fill)."""
    holder_key = (
        application.applicant_uscc
        if application.applicant_kind == "entity"
        else application.applicant_id_number
    )
    name_source = "entity.name" if application.applicant_kind == "entity" else "person.name"
    registry_sources: dict[str, str] = {"__holder_name": name_source}
    for field in fields:
        for source in _sources(field):
            if source in PERSON_SOURCES or source in ENTITY_SOURCES:
                registry_sources.setdefault(field["key"], source)
    registry = prefill_values(
        principal=SYSTEM,
        subject=PrefillSubject(
            id_number=application.applicant_id_number,
            uscc=application.applicant_uscc,
            is_own_account=False,
        ),
        sources=registry_sources,
    )
    decided_on = timezone.localdate(application.closed_at or timezone.now())
    data: dict[str, Any] = {}
    missing: list[str] = []
    for field in fields:
        key = field["key"]
        value: Any = None
        for source in _sources(field):
            if source == "holder.name":
                value = registry.get("__holder_name") or application.applicant_name
            elif source == "holder.key":
                value = holder_key
            elif source.startswith("form."):
                value = (application.form_data or {}).get(source[5:])
            elif source == "case.number":
                value = application.number
            elif source == "case.decided_on":
                value = decided_on.isoformat()
            elif source == "case.region_name":
                value = application.handling_region.name
            elif source == registry_sources.get(key):
                value = registry.get(key)
            if value not in (None, ""):
                break
        if value is None or value == "":
            if field.get("required"):
                missing.append(field.get("label") or key)
            continue
        data[key] = value
    return data, missing


def _gap(application: Application, *, reason: str, detail: dict[str, Any]) -> None:
    case_record(
        application=application,
        principal=SYSTEM,
        kind=PENDING_KIND,
        label=f"{PENDING_LABEL}：{reason}",
        action="services.license.pending",
        organization_name=application.handling_organization.name,
        detail=detail,
    )


def case_license_issue(*, number: str):
    """Issue the result license of an approved case, once (see the module's doc). Returns
    the license, or None when nothing was (or is to be) issued automatically."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("item_version", "handling_organization", "handling_region")
            .filter(number=number)
            .first()
        )
        if application is None or application.status != Application.Status.APPROVED:
            return None
        code = application.item_version.result_license_type
        if not code:
            return None
        if not application.item_version.result_for_applicant:
            if not CaseEvent.objects.filter(application=application, kind=PENDING_KIND).exists():
                _gap(
                    application,
                    reason="持证人不是申请人本人，由颁发部门核实后制证",
                    detail={"license_type": code},
                )
            return None
        for license in licenses_of_case(reference=number):
            if license.license_type.code == code:
                return license
        if CaseEvent.objects.filter(application=application, kind=PENDING_KIND).exists():
            return None
        license_type = license_type_for_issue(code)
        if license_type is None:
            _gap(application, reason="证照目录中没有该证照类型", detail={"license_type": code})
            return None
        issuer = _issuer(application, license_type.issuing_function)
        if issuer is None:
            _gap(
                application,
                reason="未找到颁发部门",
                detail={"license_type": code, "issuing_function": license_type.issuing_function},
            )
            return None
        data, missing = _face_data(application, list(license_type.fields or []))
        if missing:
            _gap(
                application,
                reason="照面信息不全（" + "、".join(missing) + "）",
                detail={"license_type": code, "missing": missing},
            )
            return None
        try:
            license = license_issue(
                principal=SYSTEM,
                type_code=code,
                issuer_id=issuer.pk,
                holder_kind=application.applicant_kind,
                holder_key=application.applicant_uscc
                if application.applicant_kind == "entity"
                else application.applicant_id_number,
                data=data,
                source="case",
                source_reference=number,
            )
        except DomainError as error:
            _gap(
                application,
                reason=error.message,
                detail={"license_type": code, "code": error.code, "fields": error.fields},
            )
            return None
        application.result_reference = license.address
        application.save(update_fields=["result_reference", "updated_at"])
        case_record(
            application=application,
            principal=SYSTEM,
            kind=ISSUED_KIND,
            label=f"已签发电子证照：{license_type.name}（{license.address}），已存入卡包",
            action="services.license.issued",
            organization_name=issuer.name,
            detail={"address": license.address, "license_type": code},
        )
    return license


# --- revoke on a violated commitment --------------------------------------------------------


def case_licenses_revoke(*, number: str, finding: str = "") -> int:
    """Revoke the licenses issued for the case (告知承诺不实); returns how many."""
    from digigov.support.licenses.services.status import license_revoke

    reason = f"告知承诺核查不实（办件 {number}）" + (f"：{finding}" if finding else "")
    count = 0
    with transaction.atomic():
        application = (
            Application.objects.select_related("handling_organization")
            .filter(number=number)
            .first()
        )
        for license in licenses_of_case(reference=number):
            if license.status in ("revoked", "replaced"):
                continue
            license_revoke(principal=SYSTEM, address=license.address, reason=reason[:300])
            count += 1
            if application is not None:
                case_record(
                    application=application,
                    principal=SYSTEM,
                    kind=REVOKED_KIND,
                    label=f"电子证照已吊销：{license.license_type.name}（{license.address}）",
                    action="services.license.revoked",
                    organization_name=license.issuer.name,
                    detail={"address": license.address, "reason": reason[:300]},
                )
    return count
