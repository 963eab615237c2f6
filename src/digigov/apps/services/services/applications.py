"""统一申办受理: filing a case (online, at a window, at a kiosk, for oneself, for a relative,
for an entity), withdrawing it and correcting it (补正).

Decisions made here, in one place:
- Prefill (免填写) is authoritative: a form value that comes from the registries
  (`person.*`, `entity.*` sources) replaces whatever was submitted for that field, so a
  client cannot file under another name or ID number; the fields are listed in
  `prefilled_fields`. `account.phone` is only a suggestion: the applicant may change it.
- Unknown form fields are dropped; empty strings count as "not filled".
- Uploads are staged first (services/materials.py) and referenced by their token.
- A repeated (actor, idempotency key) returns the case filed the first time.
- After submission the case goes to its approval mode in the same transaction:
  commitment.commitment_grant or workflow.workflow_start. A 秒批 case is decided on what
  was filed before its insert (instant.instant_verdict) and inserted already decided; its
  timeline and events still say submitted, then decided (instant.instant_recorded).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from digigov.data.registries.selectors import entity_brief, person_brief
from digigov.kernel.audit.services import audit_batch, audit_record
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.events.models import Event
from digigov.kernel.events.services import event_publish
from digigov.kernel.memo import memoizing
from digigov.kernel.organizations.selectors import organization_get
from digigov.kernel.prepared import Prepared, row_add, row_insert_if_new, rows_deferred
from digigov.kernel.principals import Principal
from digigov.kernel.regions.selectors import region_ancestors, region_get
from digigov.support.identity.selectors import (
    delegation_allows,
    entity_allows,
    real_name_level,
    real_name_level_known,
)

from ..constants import CHANNELS
from ..license_source import license_source
from ..models import (
    Application,
    ApplicationMaterial,
    CaseEvent,
    IdempotencyKey,
    ServiceItem,
    ServiceItemVersion,
)
from ..selectors.access import APPLICANT, FILER, RECEIVE, case_for
from ..selectors.items import item_for_region
from ..selectors.prefill import (
    ACCOUNT_SOURCES,
    PrefillSubject,
    prefill_sources,
    prefill_values,
)
from . import commitment as commitment_mode
from . import instant, workflow
from . import materials as material_files
from .cases import case_opened, case_record, case_transition, transition_apply

S = Application.Status
MIN_REAL_NAME_LEVEL = 2
NUMBER_ATTEMPTS = 5
TYPE_LABELS = {
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "boolean": "“是”或“否”",
    "array": "列表",
    "object": "对象",
}
FORMAT_LABELS = {
    "date": "日期，如 2025-01-31",
    "email": "电子邮箱",
    "date-time": "日期时间",
}


@dataclass(frozen=True)
class Applicant:
    kind: str  # "person" | "entity"
    id_number: str  # the person applying; for an entity, its agent (经办人)
    uscc: str
    name: str
    region_code: str  # household region of the person, registered region of the entity
    is_on_behalf: bool


# --- form ---------------------------------------------------------------------------------


def _title(schema: Mapping[str, Any], field: str) -> str:
    spec = ((schema or {}).get("properties") or {}).get(field) or {}
    return spec.get("title") or field


def _message(error, schema: Mapping[str, Any], field: str) -> str:
    title = _title(schema, field)
    kind, value = error.validator, error.validator_value
    if kind == "type":
        expected = value if isinstance(value, str) else value[0]
        return f"{title}应为{TYPE_LABELS.get(expected, expected)}"
    if kind in ("pattern", "format"):
        label = FORMAT_LABELS.get(value, "") if kind == "format" else ""
        return f"{title}格式不正确" + (f"（{label}）" if label else "")
    if kind == "enum":
        return f"{title}须为以下之一：{'、'.join(str(v) for v in value)}"
    if kind == "const":
        return f"{title}须为“{value}”"
    if kind == "minLength":
        return f"{title}至少 {value} 个字"
    if kind == "maxLength":
        return f"{title}最多 {value} 个字"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"{title}不能小于{'或等于' if kind.startswith('exclusive') else ''} {value}"
    if kind in ("maximum", "exclusiveMaximum"):
        return f"{title}不能大于{'或等于' if kind.startswith('exclusive') else ''} {value}"
    if kind == "minItems":
        return f"{title}至少选择 {value} 项"
    if kind == "maxItems":
        return f"{title}最多选择 {value} 项"
    return f"{title}不符合要求"


def form_errors(*, schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Validate `data` against the JSON Schema (Draft 2020-12); field -> Chinese messages."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(
        schema or {}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors: dict[str, list[str]] = {}
    for error in validator.iter_errors(dict(data)):
        if error.validator == "required":
            for name in error.validator_value:
                if isinstance(error.instance, Mapping) and name not in error.instance:
                    path = [*error.absolute_path, name]
                    field = ".".join(str(p) for p in path)
                    message = f"请填写{_title(schema, name)}"
                    if message not in errors.get(field, []):
                        errors.setdefault(field, []).append(message)
            continue
        path = list(error.absolute_path)
        field = ".".join(str(p) for p in path) or "form"
        message = _message(error, schema, str(path[0]) if path else "")
        if message not in errors.get(field, []):
            errors.setdefault(field, []).append(message)
    return errors


def form_clean(
    *, schema: Mapping[str, Any], data: Mapping[str, Any] | None, prefill: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The form as it will be stored: known fields only, blanks dropped, registry values
    put over submitted ones. Returns (data, names of the prefilled fields)."""
    properties = (schema or {}).get("properties") or {}
    sources = prefill_sources(schema)
    clean: dict[str, Any] = {}
    for name, value in (data or {}).items():
        if name not in properties or value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        clean[name] = value
    prefilled: list[str] = []
    for name, value in prefill.items():
        if sources.get(name) in ACCOUNT_SOURCES:
            if name not in clean:
                clean[name] = value
                prefilled.append(name)
            elif clean[name] == value:
                prefilled.append(name)
            continue
        clean[name] = value
        prefilled.append(name)
    return clean, sorted(prefilled)


# --- applicant, item, region --------------------------------------------------------------


def _deny(principal: Principal, action: str, object_id: str, reason: str, message: str):
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=action,
        object_type="services.application",
        object_id=object_id,
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )
    return PermissionDenied(message, code="services/not_authorised_applicant")


def _real_name_check(principal: Principal) -> None:
    level = real_name_level(account_id=int(principal.id)) if principal.id.isdigit() else None
    if level is None or level < MIN_REAL_NAME_LEVEL:
        raise PermissionDenied(
            "在线申办需要完成二级及以上实名认证，请先到“个人资料”完成实名认证",
            code="services/real_name_required",
        )


def _person(id_number: str, field: str) -> Applicant:
    person = person_brief(id_number=id_number)
    if person is None:
        raise ValidationFailed(
            "基础库中没有该身份证号的记录",
            code="services/applicant_unknown",
            fields={field: ["基础库中没有该身份证号的记录，请核对"]},
        )
    return Applicant(
        kind="person",
        id_number=person.id_number,
        uscc="",
        name=person.name,
        region_code=person.household_region_code,
        is_on_behalf=False,
    )


def _entity(uscc: str, agent_id_number: str) -> Applicant:
    entity = entity_brief(uscc=uscc)
    if entity is None:
        raise ValidationFailed(
            "基础库中没有该统一社会信用代码的记录",
            code="services/applicant_unknown",
            fields={"applicant_uscc": ["基础库中没有该统一社会信用代码的记录，请核对"]},
        )
    return Applicant(
        kind="entity",
        id_number=agent_id_number or entity.legal_rep_id_number,
        uscc=entity.uscc,
        name=entity.name,
        region_code=entity.region_code,
        is_on_behalf=False,
    )


def applicant_resolve(
    *,
    principal: Principal,
    channel: str,
    applicant_id_number: str | None,
    applicant_uscc: str | None,
) -> Applicant:
    """Who the case is for, once the principal is known to be allowed to file for them.
    Refusals are audited (outside any transaction) before raising."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    id_number = (applicant_id_number or "").strip().upper()
    uscc = (applicant_uscc or "").strip().upper()
    action = "services.application.submit"
    if channel not in CHANNELS:
        raise ValidationFailed(
            "未知的申办渠道", fields={"channel": [f"可选：{'、'.join(CHANNELS)}"]}
        )
    if channel == "window":
        if principal.kind != "staff" or not principal.has_perm(RECEIVE):
            raise _deny(
                principal, action, id_number or uscc, "no_receive_permission", "无权进行窗口收件"
            )
        if uscc:
            return _entity(uscc, id_number)
        if not id_number:
            raise ValidationFailed(
                "请填写申请人身份证号或统一社会信用代码",
                code="services/applicant_missing",
                fields={"applicant_id_number": ["请填写申请人身份证号"]},
            )
        return _person(id_number, "applicant_id_number")
    if principal.kind == "citizen":
        if uscc:
            raise _deny(principal, action, uscc, "citizen_for_entity", "个人账号不能为单位申办")
        _real_name_check(principal)
        own = principal.person_id_number
        if id_number and id_number != own:
            if channel == "kiosk":
                raise _deny(
                    principal, action, id_number, "kiosk_on_behalf", "自助终端仅办理本人事项"
                )
            if not delegation_allows(
                principal=principal, grantor_id_number=id_number, scope="apply"
            ):
                raise _deny(
                    principal,
                    action,
                    id_number,
                    "no_delegation",
                    "该亲友没有授权您代为申办，或授权已过期、已撤销",
                )
            applicant = _person(id_number, "applicant_id_number")
            return Applicant(**{**applicant.__dict__, "is_on_behalf": True})
        return _person(own, "applicant_id_number")
    if principal.kind == "enterprise":
        if channel == "kiosk":
            raise _deny(principal, action, uscc, "kiosk_enterprise", "自助终端仅办理个人事项")
        if not uscc:
            raise ValidationFailed(
                "请选择申请单位",
                code="services/applicant_missing",
                fields={"applicant_uscc": ["请选择申请单位"]},
            )
        if not entity_allows(principal=principal, uscc=uscc, scope="apply"):
            raise _deny(principal, action, uscc, "no_entity_binding", "您没有代该单位申办的授权")
        _real_name_check(principal)
        return _entity(uscc, principal.person_id_number)
    if principal.kind == "staff":
        raise _deny(
            principal, action, id_number, "staff_online", "公职人员请通过窗口收件为群众申办"
        )
    raise _deny(principal, action, id_number or uscc, f"kind:{principal.kind}", "无权申办")


# Every submission resolves its item by code first: compiled once (kernel.prepared).
_ITEM_BY_CODE = Prepared(
    lambda code: ServiceItem.objects.select_related("published", "organization", "region").filter(
        is_active=True, code=code
    ),
    code="",
)


def item_resolve(*, item_code: str, region_code: str) -> ServiceItem:
    """The implementing item: by its own code, or by its standard code for the region (the
    nearest region up the tree that implements it)."""
    code = (item_code or "").strip()
    item = _ITEM_BY_CODE.first(code=code) if code else None
    if item is None and code:
        item = item_for_region(standard_code=code, region_code=region_code)
    if item is None or item.published is None:
        raise NotFound("事项不存在或尚未发布", code="services/item_not_found")
    return item


def _subject_check(version: ServiceItemVersion, applicant: Applicant) -> None:
    if version.subject_kind not in ("both", applicant.kind):
        wanted = "自然人" if version.subject_kind == "person" else "法人（单位）"
        raise ValidationFailed(
            f"该事项的服务对象为{wanted}",
            code="services/wrong_subject_kind",
            fields={"item_code": [f"该事项仅受理{wanted}的申请"]},
        )


# --- materials ----------------------------------------------------------------------------


def materials_collect(
    *,
    principal: Principal,
    item: ServiceItem,
    version: ServiceItemVersion,
    applicant: Applicant,
    given: Iterable[Mapping[str, Any]],
    only_given: bool = False,
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Rows for the given materials and field errors (missing required ones unless
    `only_given`). Each given entry: {"code", "license_address"} or {"code", "upload_token"}."""
    specs = {m.get("code"): m for m in (version.materials or [])}
    rows: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    holder_kind = applicant.kind
    holder_key = applicant.uscc if applicant.kind == "entity" else applicant.id_number
    for entry in given:
        code = str(entry.get("code") or "")
        field = f"materials.{code}"
        spec = specs.get(code)
        if spec is None:
            errors.setdefault(field, []).append("该事项没有此项申请材料")
            continue
        if code in seen:
            errors.setdefault(field, []).append("同一材料只能提交一份")
            continue
        seen.add(code)
        address = str(entry.get("license_address") or "").strip()
        token = str(entry.get("upload_token") or "").strip()
        base = {"material_code": code, "material_name": spec.get("name", code)}
        if address:
            ref = license_source().license_check(
                address=address, holder_kind=holder_kind, holder_key=holder_key
            )
            allowed = spec.get("license_types") or []
            if ref is None:
                errors.setdefault(field, []).append("电子证照不存在、已失效或不属于申请人")
            elif allowed and ref.license_type not in allowed:
                errors.setdefault(field, []).append(f"该电子证照不能作为“{base['material_name']}”")
            else:
                rows.append({**base, "source": "license", "license_address": ref.address})
        elif token:
            try:
                rows.append(
                    {
                        **base,
                        **material_files.material_from_token(
                            principal=principal, token=token, item=item, spec=spec
                        ),
                    }
                )
            except ValidationFailed as error:
                for name, messages in error.fields.items():
                    errors.setdefault(name, []).extend(messages)
        else:
            errors.setdefault(field, []).append("请选择电子证照或上传文件")
    if not only_given:
        for code, spec in specs.items():
            if spec.get("required") and code not in seen:
                errors.setdefault(f"materials.{code}", []).append(
                    f"请提交“{spec.get('name', code)}”（选择电子证照或上传文件）"
                )
    return rows, errors


# --- submission ---------------------------------------------------------------------------


def _key_check(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > 80:
        raise ValidationFailed(
            "缺少幂等键（1 至 80 个字符）",
            code="services/idempotency_key",
            fields={"idempotency_key": ["必填，1 至 80 个字符"]},
        )
    return key


_MARKER = Prepared(
    lambda actor, key: IdempotencyKey.objects.filter(actor=actor, key=key).values_list(
        "pk", "application_id"
    ),
    actor="",
    key="",
)


def _replay(actor: str, key: str) -> Application | None:
    marker = _MARKER.first(actor=actor, key=key)
    if marker is None:
        return None
    if marker[1] is None:
        raise Conflict("该幂等键已用于其他申请", code="services/idempotency_key_used")
    return Application.objects.get(pk=marker[1])


def _commitment_check(version: ServiceItemVersion, commitment: Mapping[str, Any] | None):
    if version.approval_mode != "commitment":
        return None, {}
    commitment = commitment or {}
    signature = str(commitment.get("signature") or "").strip()
    errors: dict[str, list[str]] = {}
    if commitment.get("accepted") is not True:
        errors["commitment.accepted"] = ["请阅读并勾选同意告知承诺书"]
    if not signature or len(signature) > 50:
        errors["commitment.signature"] = ["请输入您的姓名作为签名"]
    clean = {
        "accepted": commitment.get("accepted") is True,
        "text": str(commitment.get("text") or "")[:4000],
        "signature": signature[:50],
    }
    return clean, errors


def _number(region_code: str) -> str:
    return f"{region_code}-{timezone.localdate():%Y%m%d}-{secrets.randbelow(10**6):06d}"


def _received(
    *,
    principal: Principal,
    channel: str,
    applicant: Applicant,
    item: ServiceItem,
    handling_region_code: str | None,
    received_organization_id: int | None,
):
    """(received region code, received organization or None)."""
    if channel == "window":
        organization = (
            organization_get(principal.organization_id) if principal.organization_id else None
        )
        if organization is None:
            raise PermissionDenied("窗口人员未关联机构", code="services/no_organization")
        return organization.region_id, organization
    organization = organization_get(received_organization_id) if received_organization_id else None
    if organization is not None:
        return organization.region_id, organization
    if handling_region_code and region_get(handling_region_code) is not None:
        return handling_region_code, None
    # Online from inside the handling region (a county resident, a city item) is no
    # cross-region case; from elsewhere, the applicant's own region is where it came in.
    home = (
        [r.code for r in region_ancestors(applicant.region_code)] if applicant.region_code else []
    )
    if home and item.region_id not in home:
        return home[-1], None
    return item.region_id, None


def _verdict_at_filing(application: Application) -> instant.Verdict | None:
    """秒批 decides on what was filed before the insert, so the case is inserted already
    decided (no UPDATE); _dispatch records the decision after the submission, so the
    timeline and events still say submitted, then decided."""
    if application.approval_mode != "instant":
        return None
    verdict = instant.instant_verdict(application=application)
    transition_apply(application, to=verdict.status, note=verdict.note)
    return verdict


def _dispatch(
    *, application: Application, principal: Principal, commitment, verdict: instant.Verdict | None
) -> None:
    mode = application.approval_mode
    if mode == "instant":
        if verdict is None:  # _verdict_at_filing gives one for every 秒批 case
            raise Conflict("秒批办件缺少审批结论", code="services/no_instant_verdict")
        instant.instant_recorded(application=application, principal=principal, verdict=verdict)
    elif mode == "commitment":
        commitment_mode.commitment_grant(
            application=application, principal=principal, commitment=commitment
        )
    elif mode == "workflow":
        workflow.workflow_start(application=application, principal=principal)
    else:
        raise Conflict(f"未知的审批方式：{mode}", code="services/unknown_approval_mode")


@memoizing  # the applicant's registry record, account level and regions are read once
def application_submit(
    *,
    principal: Principal,
    item_code: str,
    form_data: Mapping[str, Any],
    materials: Iterable[Mapping[str, Any]] = (),
    idempotency_key: str,
    channel: str = "online",
    applicant_id_number: str | None = None,
    applicant_uscc: str | None = None,
    commitment: Mapping[str, Any] | None = None,
    received_organization_id: int | None = None,
    received_partner: str = "",
    handling_region_code: str | None = None,
    bundle_application=None,
) -> Application:
    """File one case and hand it to its approval mode, in one transaction. A repeat of the
    same (actor, idempotency_key) returns the first case, also under concurrency."""
    real_name_level_known(principal)
    if not principal.is_authenticated:
        raise Unauthenticated()
    key = _key_check(idempotency_key)
    existing = _replay(principal.actor, key)
    if existing is not None:
        return existing
    applicant = applicant_resolve(
        principal=principal,
        channel=channel,
        applicant_id_number=applicant_id_number,
        applicant_uscc=applicant_uscc,
    )
    item = item_resolve(
        item_code=item_code, region_code=handling_region_code or applicant.region_code
    )
    version = item.published
    _subject_check(version, applicant)
    if channel in ("online", "kiosk", "api") and not version.is_online:
        raise ValidationFailed(
            "该事项暂不支持网上办理，请到办事窗口办理",
            code="services/not_online",
            fields={"item_code": ["该事项暂不支持网上办理"]},
        )
    if received_partner and channel != "window":
        raise ValidationFailed(
            "协作省份窗口仅限窗口收件时填写", fields={"received_partner": ["仅限窗口收件"]}
        )
    received_region_code, received_organization = _received(
        principal=principal,
        channel=channel,
        applicant=applicant,
        item=item,
        handling_region_code=handling_region_code,
        received_organization_id=received_organization_id,
    )
    subject = PrefillSubject(
        id_number=applicant.id_number,
        uscc=applicant.uscc,
        is_own_account=principal.kind in ("citizen", "enterprise"),
    )
    prefill = prefill_values(
        principal=principal, subject=subject, sources=prefill_sources(version.form_schema)
    )
    data, prefilled = form_clean(schema=version.form_schema, data=form_data, prefill=prefill)
    errors = form_errors(schema=version.form_schema, data=data)
    rows, material_errors = materials_collect(
        principal=principal, item=item, version=version, applicant=applicant, given=materials
    )
    signed_commitment, commitment_errors = _commitment_check(version, commitment)
    errors.update(material_errors)
    errors.update(commitment_errors)
    if errors:
        raise ValidationFailed(
            "申请信息有误，请按提示修改", code="services/application_invalid", fields=errors
        )
    try:
        return _file(
            principal=principal,
            key=key,
            item=item,
            version=version,
            applicant=applicant,
            channel=channel,
            data=data,
            prefilled=prefilled,
            rows=rows,
            commitment=signed_commitment,
            received_region_code=received_region_code,
            received_organization=received_organization,
            received_partner=received_partner.strip()[:60],
            bundle_application=bundle_application,
        )
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its case.
        existing = _replay(principal.actor, key)
        if existing is None:
            raise
        return existing


def _file(
    *,
    principal: Principal,
    key: str,
    item: ServiceItem,
    version: ServiceItemVersion,
    applicant: Applicant,
    channel: str,
    data: dict[str, Any],
    prefilled: list[str],
    rows: list[dict[str, Any]],
    commitment,
    received_region_code: str,
    received_organization,
    received_partner: str,
    bundle_application,
) -> Application:
    # audit_batch: the chain head is locked only from the end of the filing to its commit;
    # rows_deferred: its key, decision, timeline entries and events go in one statement
    with transaction.atomic(), audit_batch(), rows_deferred() as added:
        # Inserted already submitted (a 秒批 case already decided); case_opened records the
        # submission, _dispatch the decision.
        application = Application(
            status=S.SUBMITTED,
            submitted_at=timezone.now(),
            item=item,
            item_version=version,
            bundle_application=bundle_application,
            approval_mode=version.approval_mode,
            applicant_kind=applicant.kind,
            applicant_id_number=applicant.id_number,
            applicant_uscc=applicant.uscc,
            applicant_name=applicant.name,
            filed_by_account_id=int(principal.id) if principal.id.isdigit() else None,
            filed_by_actor=principal.actor,
            is_on_behalf=applicant.is_on_behalf,
            channel=channel,
            # region objects already read (item_resolve, _received): the answer's
            # region names need no query
            received_region=region_get(received_region_code),
            received_organization=received_organization,
            received_partner=received_partner,
            handling_region=item.region,
            handling_organization=item.organization,
            form_data=data,
            prefilled_fields=prefilled,
        )
        verdict = _verdict_at_filing(application)
        for _attempt in range(NUMBER_ATTEMPTS):
            application.number = _number(item.region_id)
            if row_insert_if_new(application):  # else the number is taken: draw another
                break
        else:
            raise Conflict("暂时无法生成办件编号，请稍后重试", code="services/number_taken")
        # A concurrent request with the same key fails on the unique (actor, key) when the
        # deferred rows are inserted, which rolls back this whole filing; application_submit
        # answers with the winner's case.
        row_add(IdempotencyKey(actor=principal.actor, key=key, application=application))
        materials = ApplicationMaterial.objects.bulk_create(
            [ApplicationMaterial(application=application, **row) for row in rows]
        )
        handling_name = item.organization.name
        received = (
            received_organization.name
            if received_organization
            else _region_name(received_region_code)
        )
        if received_partner:
            received = f"{received_partner}（协作窗口），{received}"
        case_opened(
            application=application,
            principal=principal,
            label=f"{CHANNELS[channel]}：提交申请"
            + ("（代亲友申办）" if applicant.is_on_behalf else ""),
            organization_name=received_organization.name if received_organization else "",
            detail={
                "channel": channel,
                "prefilled_fields": prefilled,
                **({"commitment": commitment} if commitment else {}),
            },
        )
        if received_region_code != item.region_id or received_partner:
            case_record(
                application=application,
                principal=principal,
                kind="cross_region",
                label=f"跨域通办：{received}收件，转{handling_name}办理",
                organization_name=handling_name,
                detail={
                    "received_region": received_region_code,
                    "handling_region": item.region_id,
                    "received_partner": received_partner,
                },
            )
        licenses = [row["license_address"] for row in rows if row["source"] == "license"]
        _licenses_used(principal=principal, application=application, addresses=licenses)
        if licenses:
            event_publish(
                topic="services.license.used",
                payload={
                    "number": application.number,
                    "holder_kind": applicant.kind,
                    "holder_key": applicant.uscc or applicant.id_number,
                    "addresses": licenses,
                },
            )
        _dispatch(
            application=application, principal=principal, commitment=commitment, verdict=verdict
        )
    _rows_in_hand(application, added, materials)
    return application


def _rows_in_hand(application: Application, added: list, materials: list) -> None:
    """The answer to a filing shows its timeline and materials. When nothing runs after the
    commit that could add to them (every event of the filing is complete: no handler wants
    it), they are the rows just written: kept on the case as Django's prefetch cache, so
    that the answer (selectors case_detail_for) needs no query."""
    if any(isinstance(r, Event) and r.completed_at is None for r in added):
        return
    entries = [r for r in added if isinstance(r, CaseEvent) and r.application_id == application.pk]
    if any(r.pk is None for r in (*entries, *materials)):
        return  # inside an outer unit of work: not inserted yet
    application._prefetched_objects_cache = {"events": entries, "materials": materials}


def _licenses_used(*, principal: Principal, application: Application, addresses: list[str]) -> None:
    """Record each license material's use on the case (the holder's use log), in the
    filing transaction: the applicant chose it on the form, which is their consent."""
    holder_key = (
        application.applicant_uscc
        if application.applicant_kind == "entity"
        else application.applicant_id_number
    )
    for address in addresses:
        license_source().license_used(
            principal=principal,
            address=address,
            holder_kind=application.applicant_kind,
            holder_key=holder_key,
            reference=application.number,
            purpose=f"办件：{application.item_version.name}",
            user_label=application.handling_organization.name,
        )


def _region_name(code: str) -> str:
    region = region_get(code)
    return region.name if region else code


# --- withdraw and correct -----------------------------------------------------------------


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("item", "item_version", "handling_organization", "received_organization")
        .get(pk=application.pk)
    )


def _enterprise_may_apply(principal: Principal, application: Application) -> None:
    if principal.kind == "enterprise" and not entity_allows(
        principal=principal, uscc=application.applicant_uscc, scope="apply"
    ):
        audit_record(
            actor=principal.actor,
            action="services.application.access",
            object_type="services.application",
            object_id=application.number,
            outcome="denied",
            source_address=principal.source_address,
            detail={"reason": "entity_scope:apply"},
        )
        raise PermissionDenied("您没有代该单位申办的授权", code="services/not_your_case")


def application_withdraw(*, principal: Principal, number: str, reason: str) -> Application:
    """The applicant (or whoever filed it) withdraws a case that is not closed."""
    application, _role = case_for(principal=principal, number=number, roles=(APPLICANT, FILER))
    _enterprise_may_apply(principal, application)
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ValidationFailed(
            "请填写撤回原因（300 字以内）", fields={"reason": ["请填写撤回原因"]}
        )
    with transaction.atomic():
        application = _locked(application)
        if application.is_closed:
            raise Conflict("办件已办结或已撤回，不能撤回", code="services/application_closed")
        if application.approval_mode == "workflow":
            workflow.workflow_cancel(application=application, principal=principal)
        case_transition(
            application=application,
            to=S.WITHDRAWN,
            principal=principal,
            label="申请人撤回",
            detail={"reason": reason},
        )
    return application


def application_correct(
    *,
    principal: Principal,
    number: str,
    form_data: Mapping[str, Any] | None,
    materials: Iterable[Mapping[str, Any]] = (),
) -> Application:
    """补正: while the case waits for correction, the applicant changes the form and
    replaces materials; the case returns to where it was before the correction request."""
    application, _role = case_for(principal=principal, number=number, roles=(APPLICANT, FILER))
    _enterprise_may_apply(principal, application)
    if application.status != S.CORRECTION:
        raise Conflict("办件当前不需要补正", code="services/not_in_correction")
    version = application.item_version
    applicant = Applicant(
        kind=application.applicant_kind,
        id_number=application.applicant_id_number,
        uscc=application.applicant_uscc,
        name=application.applicant_name,
        region_code=application.received_region_id,
        is_on_behalf=application.is_on_behalf,
    )
    subject = PrefillSubject(
        id_number=applicant.id_number,
        uscc=applicant.uscc,
        is_own_account=principal.kind in ("citizen", "enterprise"),
    )
    prefill = prefill_values(
        principal=principal, subject=subject, sources=prefill_sources(version.form_schema)
    )
    merged = {**application.form_data, **(form_data or {})}
    data, prefilled = form_clean(schema=version.form_schema, data=merged, prefill=prefill)
    errors = form_errors(schema=version.form_schema, data=data)
    rows, material_errors = materials_collect(
        principal=principal,
        item=application.item,
        version=version,
        applicant=applicant,
        given=materials,
        only_given=True,
    )
    errors.update(material_errors)
    if errors:
        raise ValidationFailed(
            "补正信息有误，请按提示修改", code="services/application_invalid", fields=errors
        )
    with transaction.atomic():
        application = _locked(application)
        if application.status != S.CORRECTION:
            raise Conflict("办件当前不需要补正", code="services/not_in_correction")
        request = (
            CaseEvent.objects.filter(application=application, kind=S.CORRECTION)
            .order_by("-at", "-id")
            .first()
        )
        back_to = (request.detail or {}).get("from") if request else None
        if back_to not in (S.SUBMITTED, S.ACCEPTED):
            back_to = S.SUBMITTED
        application.form_data = data
        application.prefilled_fields = prefilled
        application.save(update_fields=["form_data", "prefilled_fields", "updated_at"])
        codes = [row["material_code"] for row in rows]
        ApplicationMaterial.objects.filter(
            application=application, material_code__in=codes
        ).delete()
        ApplicationMaterial.objects.bulk_create(
            [ApplicationMaterial(application=application, **row) for row in rows]
        )
        _licenses_used(
            principal=principal,
            application=application,
            addresses=[row["license_address"] for row in rows if row["source"] == "license"],
        )
        case_transition(
            application=application,
            to=back_to,
            principal=principal,
            label="申请人已补正",
            detail={"materials": codes, "fields": sorted((form_data or {}).keys())[:50]},
        )
        if application.approval_mode == "workflow":
            workflow.workflow_correction_done(application=application, principal=principal)
    return application
