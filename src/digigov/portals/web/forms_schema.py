"""The one place that turns an item's JSON Schema into an accessible HTML form and a posted
form back into JSON values, plus the apply-page flow every channel shares (citizen,
enterprise, window, kiosk; the bundles pages reuse it): prefill shown read-only, materials
by license or upload, the commitment, a fresh idempotency key per render.

Templates: web/_schema_form.html (fields), web/_apply_form.html (the whole form)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from digigov.apps.services.license_source import license_source
from digigov.apps.services.models import ServiceItem, ServiceItemVersion
from digigov.apps.services.selectors.prefill import prefill_sources
from digigov.apps.services.services.applications import application_submit
from digigov.apps.services.services.materials import material_stage
from digigov.kernel.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.principals import Principal

PREFIX = "f_"
PREFILLED_NOTE = "已从基础库自动填写"
TRUE_WORDS = ("1", "true", "on", "yes", "是")


@dataclass
class SchemaField:
    name: str
    input_name: str
    input_id: str
    label: str
    widget: str  # text | tel | date | number | select | checkbox | textarea | email
    value: Any
    is_required: bool
    is_prefilled: bool
    choices: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    help_text: str = ""
    pattern: str = ""
    step: str = ""


def _widget(name: str, spec: Mapping[str, Any]) -> str:
    kind = spec.get("type", "string")
    if spec.get("enum"):
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if spec.get("format") == "date":
        return "date"
    if spec.get("format") == "email":
        return "email"
    if name == "phone" or name.endswith("_phone"):
        return "tel"
    if (spec.get("maxLength") or 0) > 200:
        return "textarea"
    return "text"


def schema_fields(
    schema: Mapping[str, Any],
    *,
    values: Mapping[str, Any] | None = None,
    prefilled: Iterable[str] = (),
    errors: Mapping[str, list[str]] | None = None,
    readonly_prefilled: bool = True,
) -> list[SchemaField]:
    """One SchemaField per property, in the schema's order."""
    properties = (schema or {}).get("properties") or {}
    required = set((schema or {}).get("required") or [])
    values = values or {}
    errors = errors or {}
    prefilled = set(prefilled)
    sources = prefill_sources(schema)
    fields = []
    for name, spec in properties.items():
        if not isinstance(spec, Mapping):
            continue
        is_prefilled = (
            readonly_prefilled
            and name in prefilled
            and not sources.get(name, "").startswith("account.")
        )
        value = values.get(name, spec.get("default", ""))
        widget = _widget(name, spec)
        fields.append(
            SchemaField(
                name=name,
                input_name=PREFIX + name,
                input_id=f"id_{PREFIX}{name}",
                label=spec.get("title") or name,
                widget=widget,
                value="" if value is None else value,
                is_required=name in required,
                is_prefilled=is_prefilled,
                choices=[str(c) for c in spec.get("enum") or []],
                errors=list(errors.get(name, [])),
                help_text=PREFILLED_NOTE if is_prefilled else (spec.get("description") or ""),
                pattern=spec.get("pattern", "") if widget in ("text", "tel") else "",
                step="1"
                if spec.get("type") == "integer"
                else ("any" if widget == "number" else ""),
            )
        )
    return fields


def schema_values(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """Posted strings -> JSON values by the schema's types. A value that does not convert
    is kept as typed, so validation reports it against the field."""
    properties = (schema or {}).get("properties") or {}
    values: dict[str, Any] = {}
    for name, spec in properties.items():
        kind = spec.get("type", "string") if isinstance(spec, Mapping) else "string"
        raw = data.get(PREFIX + name)
        if kind == "boolean":
            values[name] = str(raw or "").strip().lower() in TRUE_WORDS
            continue
        if raw is None:
            continue
        raw = str(raw).strip()
        if raw == "":
            continue
        if kind in ("integer", "number"):
            try:
                number = float(raw)
                values[name] = int(number) if kind == "integer" and number.is_integer() else number
            except ValueError:
                values[name] = raw
            continue
        values[name] = raw
    return values


# --- the apply page -------------------------------------------------------------------------


@dataclass
class MaterialChoice:
    code: str
    name: str
    is_required: bool
    formats: str
    max_mb: int
    note: str
    licenses: list[Any]
    errors: list[str]
    chosen_license: str = ""


def material_choices(
    version: ServiceItemVersion,
    *,
    holder_kind: str,
    holder_key: str,
    errors: Mapping[str, list[str]] | None = None,
    chosen: Mapping[str, str] | None = None,
) -> list[MaterialChoice]:
    errors = errors or {}
    chosen = chosen or {}
    source = license_source()
    result = []
    for material in version.materials or []:
        code = material.get("code", "")
        types = material.get("license_types") or []
        licenses = (
            source.holder_licenses(
                holder_kind=holder_kind, holder_key=holder_key, license_types=types
            )
            if types and holder_key
            else []
        )
        result.append(
            MaterialChoice(
                code=code,
                name=material.get("name", code),
                is_required=bool(material.get("required")),
                formats="、".join(
                    f.upper() for f in material.get("formats") or ["pdf", "jpg", "png"]
                ),
                max_mb=int(material.get("max_mb") or 10),
                note=material.get("note", ""),
                licenses=licenses,
                errors=list(errors.get(f"materials.{code}", [])),
                chosen_license=chosen.get(code, ""),
            )
        )
    return result


def apply_context(
    *,
    item: ServiceItem,
    prefill: Mapping[str, Any],
    holder_kind: str,
    holder_key: str,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    chosen_licenses: Mapping[str, str] | None = None,
    commitment_text: str = "",
) -> dict[str, Any]:
    """What web/_apply_form.html needs (a fresh idempotency key every render)."""
    version = item.published
    errors = errors or {}
    merged = {**(values or {}), **prefill}
    return {
        "item": item,
        "version": version,
        "fields": schema_fields(
            version.form_schema, values=merged, prefilled=list(prefill), errors=errors
        ),
        "materials": material_choices(
            version,
            holder_kind=holder_kind,
            holder_key=holder_key,
            errors=errors,
            chosen=chosen_licenses,
        ),
        "is_commitment": version.approval_mode == "commitment",
        "commitment_text": commitment_text,
        "commitment_errors": errors.get("commitment.accepted", [])
        + errors.get("commitment.signature", [])
        + errors.get("commitment.text", []),
        "other_errors": {
            k: v
            for k, v in errors.items()
            if not k.startswith(("materials.", "commitment."))
            and k not in (version.form_schema.get("properties") or {})
        },
        "has_errors": bool(errors),
        "idempotency_key": uuid.uuid4().hex,
    }


def commitment_text_of(version: ServiceItemVersion) -> str:
    if version.approval_mode != "commitment":
        return ""
    try:
        from digigov.apps.services.selectors.decisions import commitment_text_for
    except ImportError:
        return f"本人（本单位）申请办理“{version.name}”，承诺所填写的信息和提交的材料真实、准确、完整、有效。"
    return commitment_text_for(item_version=version)


def stage_files(
    request: HttpRequest, *, principal: Principal, item: ServiceItem, only_posted: bool = False
) -> tuple[list[dict[str, str]], dict[str, list[str]], dict[str, str]]:
    """Stage each posted material file (material_<code>_file) and collect the chosen
    licenses (material_<code>_license): (materials for the submission, errors, licenses)."""
    materials: list[dict[str, str]] = []
    errors: dict[str, list[str]] = {}
    chosen: dict[str, str] = {}
    for material in item.published.materials or []:
        code = material.get("code", "")
        upload = request.FILES.get(f"material_{code}_file")
        address = request.POST.get(f"material_{code}_license", "").strip()
        if upload is not None:
            try:
                staged = material_stage(
                    principal=principal,
                    item=item,
                    material_code=code,
                    original_name=upload.name or "",
                    content=upload,
                )
            except ValidationFailed as error:
                for name, messages in error.fields.items():
                    errors.setdefault(name, []).extend(messages)
                continue
            materials.append({"code": code, "upload_token": staged.token})
        elif address:
            chosen[code] = address
            materials.append({"code": code, "license_address": address})
    return materials, errors, chosen


def case_page_errors(portal_context: Mapping[str, str]) -> Callable:
    """Pages of one case: a refusal (already audited by the selector) is a 403 page, an
    unknown case or item a 404 page, both in the portal's frame."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except (PermissionDenied, Unauthenticated, NotFound) as error:
                status = 404 if isinstance(error, NotFound) else 403
                context = {**portal_context, "page_title": "无法访问", "message": error.message}
                return render(request, "web/case_refused.html", context, status=status)

        return wrapped

    return decorator


@dataclass
class ApplyResult:
    application: Any = None
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    chosen_licenses: dict[str, str] = field(default_factory=dict)
    message: str = ""


def apply_post(
    request: HttpRequest,
    *,
    principal: Principal,
    item: ServiceItem,
    channel: str,
    applicant_id_number: str | None = None,
    applicant_uscc: str | None = None,
    received_partner: str = "",
) -> ApplyResult:
    """Stage the posted files, then submit; errors come back per field for re-rendering."""
    version = item.published
    values = schema_values(version.form_schema, request.POST)
    result = ApplyResult(values=values)
    materials, staged_errors, chosen = stage_files(request, principal=principal, item=item)
    result.errors.update(staged_errors)
    result.chosen_licenses.update(chosen)
    commitment = None
    if version.approval_mode == "commitment":
        commitment = {
            "accepted": request.POST.get("commitment_accepted") == "on",
            "text": commitment_text_of(version),
            "signature": request.POST.get("commitment_signature", ""),
        }
    if result.errors:
        result.message = "申请材料有误，请按提示修改"
        return result
    try:
        result.application = application_submit(
            principal=principal,
            item_code=item.code,
            form_data=values,
            materials=materials,
            idempotency_key=request.POST.get("idempotency_key", ""),
            channel=channel,
            applicant_id_number=applicant_id_number,
            applicant_uscc=applicant_uscc,
            commitment=commitment,
            received_partner=received_partner,
        )
    except DomainError as error:
        result.errors.update(error.fields)
        result.message = error.message
    return result
