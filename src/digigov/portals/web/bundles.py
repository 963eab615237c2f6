"""一件事 pages: the public list and guide (`/bundles/`, `/bundles/<code>/`), and the apply
flow the citizen and enterprise portals share (one merged form rendered with the shared
JSON-Schema renderer, one material set, optional items, the result page). Thin: parse,
call one service or selector, render."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from digigov.apps.services.constants import ENTERPRISE_STAGES, LIFE_EVENTS
from digigov.apps.services.license_source import license_source
from digigov.apps.services.selectors.bundles import (
    BundleApplicationView,
    BundleDetail,
    bundle_detail,
    bundle_search,
)
from digigov.apps.services.selectors.decisions import decision_explain
from digigov.apps.services.services.bundles import (
    bundle_material_stage,
    bundle_submit,
    bundle_withdraw,
)
from digigov.kernel.errors import DomainError, NotFound, ValidationFailed
from digigov.kernel.principals import Principal
from digigov.kernel.regions.models import Region

from .forms_schema import schema_fields, schema_values

PORTAL = {"portal": "web", "portal_name": "广东政务服务网"}
APPLY_URLS = {
    "person": "/citizen/bundles/{code}/apply/",
    "entity": "/business/bundles/{code}/apply/",
}


def apply_url(*, code: str, subject_kind: str) -> str:
    return APPLY_URLS.get(subject_kind, APPLY_URLS["person"]).format(code=code)


@require_safe
def bundle_list(request: HttpRequest) -> HttpResponse:
    life_event = request.GET.get("life_event", "")
    stage = request.GET.get("stage", "")
    query = request.GET.get("q", "").strip()[:50]
    bundles = bundle_search(
        query=query,
        life_event=life_event if life_event in LIFE_EVENTS else "",
        enterprise_stage=stage if stage in ENTERPRISE_STAGES else "",
    )
    context = {
        **PORTAL,
        "page_title": "一件事主题服务",
        "persons": [b for b in bundles if b.subject_kind != "entity"],
        "entities": [b for b in bundles if b.subject_kind == "entity"],
        "life_events": LIFE_EVENTS.items(),
        "stages": ENTERPRISE_STAGES.items(),
        "life_event": life_event,
        "stage": stage,
        "q": query,
    }
    return render(request, "web/bundles/list.html", context)


@require_safe
def bundle_guide(request: HttpRequest, code: str) -> HttpResponse:
    region_code = request.GET.get("region", "")
    cities = list(
        Region.objects.filter(level=Region.Level.CITY).order_by("code").values("code", "name")
    )
    if region_code not in {c["code"] for c in cities}:
        region_code = ""
    try:
        detail = bundle_detail(code=code, region_code=region_code)
    except NotFound as error:
        return render(
            request,
            "web/case_refused.html",
            {**PORTAL, "page_title": "未找到", "message": error.message},
            status=404,
        )
    context = {
        **PORTAL,
        "page_title": detail.summary.name,
        "detail": detail,
        "cities": cities,
        "apply_url": apply_url(code=code, subject_kind=detail.summary.subject_kind),
    }
    return render(request, "web/bundles/detail.html", context)


# --- the apply flow (citizen and enterprise portals) ---------------------------------------


@dataclass
class BundleMaterialChoice:
    code: str
    name: str
    is_required: bool
    formats: str
    max_mb: int
    note: str
    item_count: int
    licenses: list[Any]
    errors: list[str]
    chosen_license: str = ""


@dataclass
class BundleApplyResult:
    bundle_application: Any = None
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    chosen_licenses: dict[str, str] = field(default_factory=dict)
    chosen_items: list[str] | None = None
    accepted_commitments: list[str] = field(default_factory=list)
    commitment_signature: str = ""
    message: str = ""


def _material_choices(
    detail: BundleDetail,
    *,
    holder_kind: str,
    holder_key: str,
    errors: Mapping[str, list[str]],
    chosen: Mapping[str, str],
) -> list[BundleMaterialChoice]:
    source = license_source()
    choices = []
    for material in detail.materials:
        licenses = (
            source.holder_licenses(
                holder_kind=holder_kind,
                holder_key=holder_key,
                license_types=list(material.license_types),
            )
            if material.license_types and holder_key
            else []
        )
        choices.append(
            BundleMaterialChoice(
                code=material.code,
                name=material.name,
                is_required=material.is_required,
                formats="、".join(f.upper() for f in material.formats),
                max_mb=material.max_mb,
                note=material.note,
                item_count=len(material.uses),
                licenses=licenses,
                errors=list(errors.get(f"materials.{material.code}", [])),
                chosen_license=chosen.get(material.code, ""),
            )
        )
    return choices


def bundle_apply_context(
    *,
    detail: BundleDetail,
    holder_kind: str,
    holder_key: str,
    result: BundleApplyResult | None = None,
) -> dict[str, Any]:
    """What web/bundles/_apply_form.html needs (a fresh idempotency key every render)."""
    errors = result.errors if result else {}
    values = {**(result.values if result else {}), **detail.prefill}
    chosen_items = result.chosen_items if result else None
    field_names = set(detail.form.schema["properties"])
    commitments = [
        {
            "component": c,
            "field": f"commitment_{c.standard_code}_accepted",
            "checked": bool(result and c.standard_code in result.accepted_commitments),
            "errors": [
                message
                for part in ("accepted", "text")
                for message in errors.get(f"commitments.{c.standard_code}.{part}", [])
            ],
        }
        for c in detail.components
        if c.is_commitment and c.is_available
    ]
    signature_errors: list[str] = []
    for c in detail.components:
        for message in errors.get(f"commitments.{c.standard_code}.signature", []):
            if message not in signature_errors:
                signature_errors.append(message)
    return {
        "detail": detail,
        "fields": schema_fields(
            detail.form.schema, values=values, prefilled=list(detail.prefill), errors=errors
        ),
        "materials": _material_choices(
            detail,
            holder_kind=holder_kind,
            holder_key=holder_key,
            errors=errors,
            chosen=result.chosen_licenses if result else {},
        ),
        "optional_components": [
            {
                "component": c,
                "checked": chosen_items is None or c.standard_code in chosen_items,
            }
            for c in detail.components
            if c.is_optional
        ],
        "commitments": commitments,
        "commitment_signature": result.commitment_signature if result else "",
        "commitment_signature_errors": signature_errors,
        "other_errors": {
            k: v
            for k, v in errors.items()
            if not k.startswith(("materials.", "commitments.")) and k not in field_names
        },
        "has_errors": bool(errors),
        "error_message": result.message if result else "",
        "idempotency_key": uuid.uuid4().hex,
    }


def bundle_apply_post(
    request: HttpRequest,
    *,
    principal: Principal,
    detail: BundleDetail,
    applicant_id_number: str | None = None,
    applicant_uscc: str | None = None,
    channel: str = "online",
) -> BundleApplyResult:
    """Stage posted files (once per merged material), then submit the bundle. Each
    告知承诺 component's commitment is its own checkbox (commitment_<code>_accepted) over
    the text shown on the form, signed with the one commitment_signature."""
    result = BundleApplyResult(values=schema_values(detail.form.schema, request.POST))
    optional = [c.standard_code for c in detail.components if c.is_optional]
    result.chosen_items = [
        code for code in request.POST.getlist("chosen_items") if code in optional
    ]
    result.commitment_signature = request.POST.get("commitment_signature", "").strip()[:50]
    commitments = {}
    for component in detail.components:
        if not component.is_commitment:
            continue
        accepted = request.POST.get(f"commitment_{component.standard_code}_accepted") == "on"
        if accepted:
            result.accepted_commitments.append(component.standard_code)
        commitments[component.standard_code] = {
            "accepted": accepted,
            "text": component.commitment_text,
            "signature": result.commitment_signature,
        }
    materials = []
    for material in detail.materials:
        upload = request.FILES.get(f"material_{material.code}_file")
        address = request.POST.get(f"material_{material.code}_license", "").strip()
        if upload is not None:
            try:
                staged = bundle_material_stage(
                    principal=principal,
                    bundle_code=detail.summary.code,
                    material_code=material.code,
                    original_name=upload.name or "",
                    content=upload,
                    region_code=detail.region_code,
                )
            except ValidationFailed as error:
                for name, messages in error.fields.items():
                    result.errors.setdefault(name, []).extend(messages)
                continue
            materials.append({"code": material.code, "upload_token": staged.token})
        elif address:
            result.chosen_licenses[material.code] = address
            materials.append({"code": material.code, "license_address": address})
    if result.errors:
        result.message = "申请材料有误，请按提示修改"
        return result
    try:
        result.bundle_application = bundle_submit(
            principal=principal,
            bundle_code=detail.summary.code,
            form_data=result.values,
            materials=materials,
            idempotency_key=request.POST.get("idempotency_key", ""),
            applicant_id_number=applicant_id_number,
            applicant_uscc=applicant_uscc,
            chosen_items=result.chosen_items,
            commitments=commitments,
            channel=channel,
        )
    except DomainError as error:
        if error.status in (401, 403, 404):
            raise
        result.errors.update(error.fields)
        result.message = error.message
    return result


def result_rows(*, principal: Principal, view: BundleApplicationView) -> list[dict[str, Any]]:
    """Each component case with the explanation of its decision (秒批 rules read and their
    outcomes) when it has been decided; web/bundles/_result.html renders them."""
    rows = []
    for case in view.components:
        decision = None
        if case.is_closed:
            try:
                decision = decision_explain(principal=principal, number=case.number)
            except DomainError:
                decision = None  # a case without a stored explanation shows its note only
        rows.append({"case": case, "decision": decision})
    return rows


def bundle_withdraw_submit(request: HttpRequest, *, principal: Principal, number: str) -> None:
    """The 撤回一件事 POST (reason and an explicit confirmation): the outcome goes to the
    messages; 401/403/404 propagate as refusals."""
    if request.POST.get("confirm") != "on":
        messages.error(request, "请勾选“确认撤回整件一件事”后再提交。")
        return
    try:
        bundle_withdraw(principal=principal, number=number, reason=request.POST.get("reason", ""))
    except DomainError as error:
        if error.status in (401, 403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, "一件事申请已整件撤回，各事项均已撤回。")
