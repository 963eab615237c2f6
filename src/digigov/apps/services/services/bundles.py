"""一件事: one application spanning several items and departments.

`bundle_submit` takes ONE merged form and ONE de-duplicated material set (see
selectors/bundles.py), checks every chosen component against its own item's form and
materials first (so the applicant sees all problems at once), then files one component
case per item through applications.application_submit, each routed to the department
that serves the applicant's region, all in one transaction: every component is filed or
none is. Instant components are decided during the submission; workflow components wait
in their departments' inboxes. The bundle application's combined status follows the
component cases' `services.application.<status>` events (`bundle_status_refresh`).

Channels: online (citizen, enterprise agent), window (a clerk with the receive permission
files for the applicant) and kiosk, as for one case (`channel`). 告知承诺 components each
need their own accepted commitment (`commitments`, by standard code), granted as one
case's is. `bundle_withdraw` (撤回一件事) withdraws every open component at once while
none has been decided.

An upload for a merged material is staged once per component that uses it (the
applications area binds each upload token to one item standard and material) and handed
to the applicant as one signed bundle upload token.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from digigov.data.registries.selectors import entity_brief
from digigov.kernel.audit.services import audit_as, audit_batch, audit_record
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.services import event_publish
from digigov.kernel.memo import memoizing
from digigov.kernel.principals import Principal

from ..models import Application, Bundle, BundleApplication, BundleItem, IdempotencyKey, ServiceItem
from ..selectors.bundles import (
    DECIDED,
    BundleComponent,
    MergedMaterial,
    bundle_application_may_withdraw,
    bundle_detail,
    result_summary,
)
from ..selectors.prefill import PrefillSubject, prefill_sources, prefill_values
from . import applications as filing
from . import materials as material_files

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "bundles.json"
UPLOAD_SALT = "digigov.services.bundle-upload"
UPLOAD_MAX_AGE = 24 * 3600
NUMBER_ATTEMPTS = 5
CLOSING_TOPICS = tuple(f"services.application.{status}" for status in Application.CLOSED)
HANDLER_NAME = "services.bundles.status_refresh"
COORDINATOR = Principal(kind="system", id="bundles", label="一件事联办")
B = BundleApplication.Status


def _key_check(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > 80:
        raise ValidationFailed(
            "缺少幂等键（1 至 80 个字符）",
            code="services/idempotency_key",
            fields={"idempotency_key": ["必填，1 至 80 个字符"]},
        )
    return key


def _replay(actor: str, key: str) -> BundleApplication | None:
    marker = (
        IdempotencyKey.objects.select_related("bundle_application")
        .filter(actor=actor, key=key)
        .first()
    )
    if marker is None:
        return None
    if marker.bundle_application is None:
        raise Conflict("该幂等键已用于其他申请", code="services/idempotency_key_used")
    return marker.bundle_application


def _number(region_code: str) -> str:
    return f"{region_code}-YJS-{timezone.localdate():%Y%m%d}-{secrets.randbelow(10**6):06d}"


# --- uploads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleUpload:
    token: str  # give it back as {"code": <merged code>, "upload_token": token}
    material_code: str
    sha256: str
    size: int
    original_name: str


def _merged_material(bundle_code: str, region_code: str, code: str) -> MergedMaterial:
    detail = bundle_detail(code=bundle_code, region_code=region_code)
    for material in detail.materials:
        if material.code == code:
            return material
    raise ValidationFailed(
        "该一件事没有此项申请材料",
        code="services/material_unknown",
        fields={"material_code": [f"未知的材料编码：{code[:40]}"]},
    )


def bundle_material_stage(
    *,
    principal: Principal,
    bundle_code: str,
    material_code: str,
    original_name: str,
    content: IO[bytes],
    region_code: str = "",
) -> BundleUpload:
    """Check and store one file for a merged material: once per component using it (the
    same bytes, stored once by their SHA-256), returned as one bundle upload token."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    material = _merged_material(bundle_code, region_code, material_code)
    tokens: dict[str, str] = {}
    staged = None
    for use in material.uses:
        item = _any_item(use.standard_code)
        if item is None:
            continue
        content.seek(0)
        try:
            staged = material_files.material_stage(
                principal=principal,
                item=item,
                material_code=use.material_code,
                original_name=original_name,
                content=content,
            )
        except ValidationFailed as error:
            raise _renamed(
                error, {f"materials.{use.material_code}": f"materials.{material.code}"}
            ) from None
        tokens[use.standard_code] = staged.token
    if staged is None:
        raise NotFound("该材料所属事项均未发布", code="services/item_not_found")
    token = signing.dumps(
        {"a": principal.actor, "b": bundle_code, "m": material.code, "t": tokens},
        salt=UPLOAD_SALT,
        compress=True,
    )
    return BundleUpload(
        token=token,
        material_code=material.code,
        sha256=staged.sha256,
        size=staged.size,
        original_name=staged.original_name,
    )


def _component_tokens(
    principal: Principal, bundle_code: str, material_code: str, token: str
) -> dict[str, str] | None:
    try:
        data = signing.loads(token, salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
    except signing.BadSignature:
        return None
    if (
        data.get("a") != principal.actor
        or data.get("b") != bundle_code
        or data.get("m") != material_code
    ):
        return None
    return dict(data.get("t") or {})


def _any_item(standard_code: str) -> ServiceItem | None:
    return (
        ServiceItem.objects.select_related("published")
        .filter(standard_code=standard_code, is_active=True, published__isnull=False)
        .order_by("-is_standard", "code")
        .first()
    )


def _renamed(
    error: ValidationFailed, names: Mapping[str, str], prefix: str = ""
) -> ValidationFailed:
    fields: dict[str, list[str]] = {}
    for name, messages in (error.fields or {}).items():
        target = names.get(name, name)
        for message in messages:
            text = f"{prefix}{message}"
            if text not in fields.get(target, []):
                fields.setdefault(target, []).append(text)
    return ValidationFailed(f"{prefix}{error.message}", code=error.code, fields=fields)


# --- submission ---------------------------------------------------------------------------------


def _chosen(
    components: Iterable[BundleComponent], chosen_items: Iterable[str] | None
) -> list[BundleComponent]:
    components = list(components)
    if chosen_items is None:
        wanted = {c.standard_code for c in components}
    else:
        wanted = {str(code) for code in chosen_items}
        unknown = wanted - {c.standard_code for c in components}
        if unknown:
            raise ValidationFailed(
                "所选事项不属于该一件事",
                code="services/bundle_item_unknown",
                fields={"chosen_items": [f"未知的事项：{'、'.join(sorted(unknown))[:200]}"]},
            )
    included = [c for c in components if not c.is_optional or c.standard_code in wanted]
    missing = [c.name for c in included if not c.is_available]
    if missing:
        raise ValidationFailed(
            f"您所在地区暂未开通：{'、'.join(missing)}",
            code="services/bundle_item_unavailable",
            fields={"chosen_items": [f"您所在地区暂未开通：{'、'.join(missing)}"]},
        )
    return included


def _component_materials(
    *,
    principal: Principal,
    bundle_code: str,
    component: BundleComponent,
    merged: Iterable[MergedMaterial],
    given: Mapping[str, Mapping[str, Any]],
    errors: dict[str, list[str]],
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The component's material entries in the applications area's shape, and the map of
    its field names back to the merged ones (materials.M01 -> materials.B02)."""
    entries: list[dict[str, str]] = []
    names: dict[str, str] = {}
    for material in merged:
        use = material.use_for(component.standard_code)
        if use is None:
            continue
        field = f"materials.{material.code}"
        names[f"materials.{use.material_code}"] = field
        entry = given.get(material.code)
        if entry is None:
            if use.required:
                message = f"请提交“{material.name}”（选择电子证照或上传文件）"
                if message not in errors.get(field, []):
                    errors.setdefault(field, []).append(message)
            continue
        address = str(entry.get("license_address") or "").strip()
        token = str(entry.get("upload_token") or "").strip()
        if address:
            entries.append({"code": use.material_code, "license_address": address})
        elif token:
            tokens = _component_tokens(principal, bundle_code, material.code, token)
            if tokens is None or component.standard_code not in tokens:
                message = "上传凭证无效或已过期，请重新上传"
                if message not in errors.get(field, []):
                    errors.setdefault(field, []).append(message)
                continue
            entries.append(
                {"code": use.material_code, "upload_token": tokens[component.standard_code]}
            )
        else:
            errors.setdefault(field, []).append("请选择电子证照或上传文件")
    return entries, names


@memoizing  # the applicant's registry record is read once for all the component cases
def bundle_submit(
    *,
    principal: Principal,
    bundle_code: str,
    form_data: Mapping[str, Any],
    materials: Iterable[Mapping[str, Any]] = (),
    idempotency_key: str,
    applicant_id_number: str | None = None,
    applicant_uscc: str | None = None,
    chosen_items: Iterable[str] | None = None,
    commitment: Mapping[str, Any] | None = None,
    commitments: Mapping[str, Mapping[str, Any]] | None = None,
    channel: str = "online",
) -> BundleApplication:
    """File a bundle: one component case per chosen item, all or none (see the module's
    doc). `materials`: [{"code": "B01", "license_address": ...} | {"code", "upload_token"}]
    with the merged codes; `chosen_items`: the optional components wanted (None: all).
    `commitments`: per 告知承诺 component (by standard code) {"accepted", "text",
    "signature"} as for one case, the text being that component's commitment text;
    `commitment`: one entry used for every such component without its own.
    A repeat of the same (actor, idempotency_key) returns the first bundle application."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    key = _key_check(idempotency_key)
    existing = _replay(principal.actor, key)
    if existing is not None:
        return existing
    bundle = Bundle.objects.filter(code=bundle_code, is_active=True).first()
    if bundle is None:
        raise NotFound("一件事不存在", code="services/bundle_not_found")
    if bundle.subject_kind == "entity" and not (applicant_uscc or "").strip():
        raise ValidationFailed(
            "请选择申请单位",
            code="services/applicant_missing",
            fields={"applicant_uscc": ["请选择申请单位"]},
        )
    if bundle.subject_kind == "person" and (applicant_uscc or "").strip():
        raise ValidationFailed(
            "该一件事的服务对象为自然人",
            code="services/wrong_subject_kind",
            fields={"applicant_uscc": ["该一件事仅受理个人申请"]},
        )
    applicant = filing.applicant_resolve(
        principal=principal,
        channel=channel,
        applicant_id_number=applicant_id_number,
        applicant_uscc=applicant_uscc,
    )
    detail = bundle_detail(code=bundle.code, region_code=applicant.region_code)
    included = _chosen(detail.components, chosen_items)

    # 1. Check everything first: the merged form against each chosen component's own
    # schema, the merged materials against each component's required ones.
    subject = PrefillSubject(
        id_number=applicant.id_number,
        uscc=applicant.uscc,
        is_own_account=principal.kind in ("citizen", "enterprise"),
    )
    prefill = prefill_values(
        principal=principal, subject=subject, sources=prefill_sources(detail.form.schema)
    )
    merged_data, _prefilled = filing.form_clean(
        schema=detail.form.schema, data=form_data, prefill=prefill
    )
    versions = {
        item.code: item.published
        for item in ServiceItem.objects.select_related("published").filter(
            code__in=[c.item_code for c in included]
        )
    }
    errors: dict[str, list[str]] = {}
    given: dict[str, Mapping[str, Any]] = {}
    known = {m.code for m in detail.materials}
    for entry in materials:
        code = str(entry.get("code") or "")
        if code not in known:
            errors.setdefault(f"materials.{code}", []).append("该一件事没有此项申请材料")
        elif code in given:
            errors.setdefault(f"materials.{code}", []).append("同一材料只能提交一份")
        else:
            given[code] = entry
    signed = _commitments_check(
        included=included,
        commitments=commitments or {},
        default=commitment,
        names=_signer_names(applicant),
        errors=errors,
    )
    plans: list[tuple[BundleComponent, list[dict[str, str]], dict[str, str]]] = []
    for component in included:
        version = versions[component.item_code]
        # The component's own required fields, with the merged (stricter, same-titled)
        # definitions, so one field gets one set of messages.
        own = version.form_schema or {}
        merged_properties = detail.form.schema["properties"]
        check = {
            "type": "object",
            "required": list(own.get("required") or []),
            "properties": {
                name: merged_properties.get(name, spec)
                for name, spec in (own.get("properties") or {}).items()
            },
        }
        data, _ = filing.form_clean(schema=check, data=merged_data, prefill={})
        for name, messages in filing.form_errors(schema=check, data=data).items():
            for message in messages:
                if message not in errors.get(name, []):
                    errors.setdefault(name, []).append(message)
        entries, names = _component_materials(
            principal=principal,
            bundle_code=bundle.code,
            component=component,
            merged=detail.materials,
            given=given,
            errors=errors,
        )
        if component.is_commitment:
            prefix = f"commitments.{component.standard_code}"
            for part in ("accepted", "text", "signature"):
                names[f"commitment.{part}"] = f"{prefix}.{part}"
            names["commitment"] = f"{prefix}.accepted"
        plans.append((component, entries, names))
    if errors:
        raise ValidationFailed(
            "申请信息有误，请按提示修改", code="services/bundle_invalid", fields=errors
        )

    # 2. File every component in one transaction.
    try:
        with transaction.atomic(), audit_batch():
            marker = IdempotencyKey.objects.create(actor=principal.actor, key=key)
            bundle_application = _create(bundle, applicant, principal, merged_data)
            marker.bundle_application = bundle_application
            marker.save(update_fields=["bundle_application"])
            for position, (component, entries, names) in enumerate(plans):
                try:
                    filing.application_submit(
                        principal=principal,
                        item_code=component.item_code,
                        form_data=merged_data,
                        materials=entries,
                        idempotency_key=f"{bundle_application.number}/{position}",
                        channel=channel,
                        applicant_id_number=applicant_id_number,
                        applicant_uscc=applicant_uscc,
                        commitment=signed.get(component.standard_code),
                        bundle_application=bundle_application,
                    )
                except ValidationFailed as error:
                    raise _renamed(error, names, prefix=f"{component.name}：") from None
                except Conflict as error:
                    raise Conflict(f"{component.name}：{error.message}", code=error.code) from None
            audit_record(
                actor=principal.actor,
                acting_for=principal.acting_for,
                action="services.bundle.submitted",
                object_type="services.bundle_application",
                object_id=bundle_application.number,
                source_address=principal.source_address,
                detail={
                    "bundle": bundle.code,
                    "components": [c.standard_code for c, _, _ in plans],
                    "channel": channel,
                },
            )
            event_publish(
                topic="services.bundle.submitted",
                payload={
                    "number": bundle_application.number,
                    "bundle_code": bundle.code,
                    "applicant_kind": applicant.kind,
                    "applicant_id_number": applicant.id_number,
                    "applicant_uscc": applicant.uscc,
                    "components": [c.standard_code for c, _, _ in plans],
                },
            )
            _status_refresh(bundle_application.pk)
    except IntegrityError:
        # A concurrent request with the same key won: answer with its bundle application.
        existing = _replay(principal.actor, key)
        if existing is None:
            raise
        return existing
    bundle_application.refresh_from_db()
    return bundle_application


def _normalised(text: str) -> str:
    return "\n".join(line.strip() for line in (text or "").strip().splitlines())


def _signer_names(applicant) -> set[str]:
    """Who may sign a commitment: the applicant, or the applying entity's legal
    representative (as services/commitment.py accepts them)."""
    names = {applicant.name.strip()}
    if applicant.kind == "entity" and applicant.uscc:
        entity = entity_brief(uscc=applicant.uscc)
        if entity is not None and entity.legal_rep_name:
            names.add(entity.legal_rep_name.strip())
    return {name for name in names if name}


def _commitments_check(
    *,
    included: Iterable[BundleComponent],
    commitments: Mapping[str, Mapping[str, Any]],
    default: Mapping[str, Any] | None,
    names: set[str],
    errors: dict[str, list[str]],
) -> dict[str, dict[str, Any]]:
    """告知承诺 components: each needs its own accepted commitment with that component's
    text and the applicant's signature. Returns the commitments by standard code, in the
    shape application_submit takes; problems go to `errors` as commitments.<code>.<part>."""
    signed: dict[str, dict[str, Any]] = {}
    for component in included:
        if not component.is_commitment:
            continue
        entry = commitments.get(component.standard_code) or default or {}
        if not isinstance(entry, Mapping):
            entry = {}
        prefix = f"commitments.{component.standard_code}"
        if entry.get("accepted") is not True:
            errors.setdefault(f"{prefix}.accepted", []).append(
                f"请阅读并勾选同意“{component.name}”的告知承诺书"
            )
        text = entry.get("text")
        if not isinstance(text, str) or _normalised(text) != _normalised(component.commitment_text):
            errors.setdefault(f"{prefix}.text", []).append(
                f"承诺内容与“{component.name}”的承诺书不一致"
            )
        signature = entry.get("signature")
        signature = signature.strip() if isinstance(signature, str) else ""
        if not signature or len(signature) > 50:
            errors.setdefault(f"{prefix}.signature", []).append("请输入申请人姓名作为签名")
        elif signature not in names:
            errors.setdefault(f"{prefix}.signature", []).append(
                "签名须与申请人（或单位法定代表人）姓名一致"
            )
        signed[component.standard_code] = {
            "accepted": entry.get("accepted") is True,
            "text": component.commitment_text,
            "signature": signature,
        }
    return signed


def _create(
    bundle: Bundle, applicant, principal: Principal, data: dict[str, Any]
) -> BundleApplication:
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                return BundleApplication.objects.create(
                    number=_number(applicant.region_code or "440000"),
                    bundle=bundle,
                    applicant_kind=applicant.kind,
                    applicant_id_number=applicant.id_number,
                    applicant_uscc=applicant.uscc,
                    applicant_name=applicant.name,
                    filed_by_actor=principal.actor,
                    form_data=data,
                )
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


# --- withdraw ----------------------------------------------------------------------------------


def _withdraw_refused(principal: Principal, number: str, reason: str) -> None:
    # Outside any transaction, so that the refusal's entry survives the error.
    audit_as(
        principal,
        action="services.bundle.withdraw",
        object_type="services.bundle_application",
        object_id=number[:80],
        outcome="denied",
        detail={"reason": reason},
    )


def bundle_withdraw(*, principal: Principal, number: str, reason: str) -> BundleApplication:
    """撤回一件事: the applicant withdraws the whole bundle application while none of its
    components has been decided. Every component still open is withdrawn as one case is
    (applications.application_withdraw: timeline, audit, event, workflow cancelled), all
    in one transaction, and the bundle goes to "withdrawn"; if any component has been
    decided meanwhile nothing changes (Conflict). Someone else's bundle answers as an
    unknown one (NotFound, the attempt audited). Repeating it on a withdrawn bundle
    returns it unchanged."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    number = (number or "").strip()
    found = BundleApplication.objects.select_related("bundle").filter(number=number).first()
    if found is None or not bundle_application_may_withdraw(
        principal=principal, bundle_application=found
    ):
        if found is not None:
            _withdraw_refused(principal, number, "not_a_party")
        raise NotFound("一件事申请不存在", code="services/bundle_application_not_found")
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ValidationFailed(
            "请填写撤回原因（300 字以内）",
            code="services/withdraw_reason",
            fields={"reason": ["请填写撤回原因（300 字以内）"]},
        )
    try:
        with transaction.atomic(), audit_batch():
            return _withdraw(principal, found.pk, reason)
    except Conflict as error:
        _withdraw_refused(principal, number, error.code)
        raise


def _withdraw(principal: Principal, bundle_application_id: int, reason: str) -> BundleApplication:
    bundle_application = (
        BundleApplication.objects.select_for_update(of=("self",))
        .select_related("bundle")
        .get(pk=bundle_application_id)
    )
    if bundle_application.status == B.WITHDRAWN:
        return bundle_application  # a repeated request: already done, nothing to do
    components = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("item_version")
        .filter(bundle_application=bundle_application)
        .order_by("id")
    )
    decided = [c.item_version.name for c in components if c.status in DECIDED]
    if decided or bundle_application.status != B.SUBMITTED:
        raise Conflict(
            f"一件事中已有事项作出决定（{'、'.join(decided)}），不能整件撤回；"
            "未办结的事项可在办件详情中分别撤回"
            if decided
            else "一件事已办结，不能撤回",
            code="services/bundle_not_withdrawable",
        )
    withdrawn = []
    for component in components:
        if component.is_closed:
            continue  # withdrawn on its own before
        filing.application_withdraw(principal=principal, number=component.number, reason=reason)
        withdrawn.append(component.number)
    rows = list(
        Application.objects.filter(bundle_application=bundle_application)
        .order_by("id")
        .values_list("item_version__name", "status")
    )
    summary = result_summary(rows)
    bundle_application.status = B.WITHDRAWN
    bundle_application.closed_at = timezone.now()
    bundle_application.save(update_fields=["status", "closed_at"])
    audit_as(
        principal,
        action="services.bundle.withdrawn",
        object_type="services.bundle_application",
        object_id=bundle_application.number,
        detail={"reason": reason, "components": withdrawn},
    )
    payload = {
        "number": bundle_application.number,
        "bundle_code": bundle_application.bundle.code,
        "applicant_kind": bundle_application.applicant_kind,
        "applicant_id_number": bundle_application.applicant_id_number,
        "applicant_uscc": bundle_application.applicant_uscc,
    }
    event_publish(
        topic="services.bundle.withdrawn",
        payload={**payload, "reason": reason, "components": withdrawn},
    )
    # the combined result, as when the last component closes (bundle_status_refresh)
    event_publish(
        topic="services.bundle.completed",
        payload={**payload, "status": B.WITHDRAWN, "summary": summary},
    )
    return bundle_application


# --- combined status ---------------------------------------------------------------------------


def _combined(statuses: list[str]) -> str:
    if any(status not in Application.CLOSED for status in statuses) or not statuses:
        return B.SUBMITTED
    if all(status == Application.Status.APPROVED for status in statuses):
        return B.COMPLETED
    if all(status == Application.Status.WITHDRAWN for status in statuses):
        return B.WITHDRAWN
    return B.PARTIAL


def _status_refresh(bundle_application_id: int) -> BundleApplication | None:
    bundle_application = (
        BundleApplication.objects.select_for_update().filter(pk=bundle_application_id).first()
    )
    if bundle_application is None:
        return None
    rows = list(
        Application.objects.filter(bundle_application=bundle_application)
        .order_by("id")
        .values_list("item_version__name", "status")
    )
    status = _combined([s for _, s in rows])
    if status == bundle_application.status:
        return bundle_application
    bundle_application.status = status
    bundle_application.closed_at = None if status == B.SUBMITTED else timezone.now()
    bundle_application.save(update_fields=["status", "closed_at"])
    summary = result_summary(rows)
    audit_record(
        actor=COORDINATOR.actor,
        action=f"services.bundle.{status}",
        object_type="services.bundle_application",
        object_id=bundle_application.number,
        detail={"summary": summary},
    )
    if status != B.SUBMITTED:
        event_publish(
            topic="services.bundle.completed",
            payload={
                "number": bundle_application.number,
                "bundle_code": bundle_application.bundle.code,
                "status": status,
                "summary": summary,
                "applicant_kind": bundle_application.applicant_kind,
                "applicant_id_number": bundle_application.applicant_id_number,
                "applicant_uscc": bundle_application.applicant_uscc,
            },
        )
    return bundle_application


def bundle_status_refresh(*, bundle_application_id: int) -> BundleApplication | None:
    """Recompute the combined status from the component cases: completed when all were
    approved, partial when all closed but some were refused or withdrawn, withdrawn when
    all were withdrawn. Idempotent (events are delivered at least once)."""
    with transaction.atomic():
        return _status_refresh(bundle_application_id)


def _in_a_bundle(payload: dict) -> bool:
    # Events published before the payload carried the key may belong to a bundle.
    return payload.get("bundle_application_id") is not None or (
        "bundle_application_id" not in payload
    )


def on_application_closed(payload: dict) -> None:
    """Handler of services.application.<closed status>: refresh the case's bundle."""
    bundle_application_id = payload.get("bundle_application_id")
    # Events published before the payload carried the key: look the case up.
    if "bundle_application_id" not in payload and payload.get("application_id"):
        bundle_application_id = (
            Application.objects.filter(pk=payload["application_id"])
            .values_list("bundle_application_id", flat=True)
            .first()
        )
    if bundle_application_id:
        bundle_status_refresh(bundle_application_id=bundle_application_id)


def bundle_subscriptions_register() -> None:
    """Called from the app's ready(): follow the component cases' closing events."""
    from digigov.kernel.events.registry import subscribe

    for topic in CLOSING_TOPICS:
        subscribe(topic, name=HANDLER_NAME, when=_in_a_bundle)(on_application_closed)


# --- demo data ---------------------------------------------------------------------------------


def bundles_load(*, principal: Principal, entries: list[dict[str, Any]]) -> tuple[int, int]:
    """Create or update bundles and their component lists (operators only); returns
    (created, updated). Idempotent; components no longer listed are removed."""
    if principal.kind != "operator":
        raise PermissionDenied(
            "仅运维人员可以导入一件事", code="services/bundle_import_operator_only"
        )
    created = updated = 0
    with transaction.atomic():
        for entry in entries:
            bundle, made = Bundle.objects.update_or_create(
                code=entry["code"],
                defaults={
                    "name": entry["name"],
                    "subject_kind": entry.get("subject_kind", "person"),
                    "description": entry.get("description", ""),
                    "life_events": list(entry.get("life_events") or []),
                    "enterprise_stages": list(entry.get("enterprise_stages") or []),
                    "is_national_key": bool(entry.get("is_national_key")),
                    "is_active": True,
                },
            )
            created += made
            updated += not made
            codes = []
            for position, component in enumerate(entry.get("components") or []):
                codes.append(component["standard_code"])
                BundleItem.objects.update_or_create(
                    bundle=bundle,
                    standard_code=component["standard_code"],
                    defaults={
                        "position": position,
                        "is_optional": bool(component.get("is_optional")),
                    },
                )
            BundleItem.objects.filter(bundle=bundle).exclude(standard_code__in=codes).delete()
        audit_record(
            actor=principal.actor,
            action="services.bundle.imported",
            object_type="services.bundle",
            object_id="",
            detail={"codes": [e["code"] for e in entries]},
        )
        event_publish(
            topic="services.bundle.imported", payload={"codes": [e["code"] for e in entries]}
        )
    return created, updated


def bundles_seed(*, seed: int = 0, **_: Any) -> str:
    """Seed step 41: the 13 national key 一件事 of data/bundles.json (idempotent)."""
    entries = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    wanted = {e["code"]: [c["standard_code"] for c in e.get("components") or []] for e in entries}
    present: dict[str, list[str]] = {}
    for code, standard_code in (
        BundleItem.objects.filter(bundle__code__in=wanted)
        .values_list("bundle__code", "standard_code")
        .order_by("bundle__code", "position")
    ):
        present.setdefault(code, []).append(standard_code)
    if present == wanted:
        return "已存在，跳过"  # a second run writes nothing, not even an audit entry
    created, updated = bundles_load(
        principal=Principal(kind="operator", id="seed"), entries=entries
    )
    if not created:
        return f"已存在，核对 {updated} 个"
    components = sum(len(e["components"]) for e in entries)
    return f"一件事 {created} 个，含事项 {components} 项"
