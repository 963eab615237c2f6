"""共享交换: what a department's machine client reads through /api/v1/exchange.

Every call is checked in this order, and every refusal is logged (exchange log and audit)
with a stable code before it is raised: rate limit, client (a machine with the scope and a
department), purpose, grant (an unknown resource, one without a grant and one with only
ended grants all answer 403 the same way, so nobody learns what exists), fields asked,
filters. Answers carry only the granted fields, each masked by its catalog rule unless the
grant names it unmasked. The read and its log entry share one transaction: no log, no
answer. Verify-only checks answer yes or no and nothing else."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from typing import Any, NoReturn, TextIO

from django.conf import settings
from django.db import transaction

from digigov.data.catalog.selectors.resources import (
    ResourceFilters,
    resource_by_code,
    resource_field_list,
    resource_list,
)
from digigov.data.catalog.selectors.rows import (
    resource_row_by_key,
    resource_rows,
    resource_rows_iter,
)
from digigov.data.registries.selectors import entity_brief, person_matches
from digigov.kernel.api.throttle import throttle_check
from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    Throttled,
    Unauthenticated,
    ValidationFailed,
)
from digigov.kernel.ids import (
    InvalidIdentifier,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    resident_id_validate,
    uscc_validate,
)
from digigov.kernel.principals import Principal

from ..digests import subject_digest
from ..models import ExchangeLogEntry
from ..selectors.access import READ_SCOPE, VERIFY_SCOPE
from ..selectors.grants import EffectiveGrant, grant_state_for
from .log import exchange_log_append, exchange_log_key_forget

Operation = ExchangeLogEntry.Operation
ANSWERED, REFUSED = ExchangeLogEntry.Outcome.ANSWERED, ExchangeLogEntry.Outcome.REFUSED
MAX_PAGE_SIZE = 100
MAX_PURPOSE = 200
ACTIVE_STATUSES = ("存续", "在业")
_REDACTED = "***"
_MASKS = {
    "id_number": mask_id_number,
    "name": mask_name,
    "phone": mask_phone,
    "address": mask_address,
    "redact": lambda _value: _REDACTED,
}
_PERSON_REGISTRY, _ENTITY_REGISTRY = "registry.person", "registry.entity"


@dataclass(frozen=True)
class ExchangePage:
    fields: list[str]
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


# --- refusals and limits ---------------------------------------------------------------------


def _refuse(
    principal: Principal,
    error: DomainError,
    *,
    operation: str,
    resource_id: int | None = None,
    resource_code: str = "",
    fields: list[str] | None = None,
    purpose: str = "",
) -> NoReturn:
    """Log and audit a refused call in its own transaction, then raise the error."""
    with transaction.atomic():
        exchange_log_append(
            principal=principal,
            operation=operation,
            outcome=REFUSED,
            resource_id=resource_id,
            resource_code=resource_code,
            fields=fields,
            purpose=purpose,
            error_code=error.code,
        )
        audit_record(
            actor=principal.actor,
            acting_for=principal.acting_for,
            action=f"sharing.exchange.{operation}",
            object_type="sharing.DataResource" if resource_code else "sharing.Exchange",
            object_id=resource_code[:60],
            outcome="denied",
            source_address=principal.source_address,
            detail={"code": error.code, "purpose": purpose[:100]},
        )
    raise error


def _limit_per_minute() -> int:
    return int(getattr(settings, "DIGIGOV_EXCHANGE_RATE_PER_MINUTE", 600))


def exchange_throttle(*, principal: Principal, operation: str, resource_code: str = "") -> None:
    """A per-client, per-minute counter in Django's cache (per process unless a shared cache
    is configured). The first refusal of a window is logged; the rest are not, so a flood
    cannot flood the logs too."""
    limit = _limit_per_minute()
    error = Throttled(f"调用过于频繁：每分钟至多 {limit} 次，请稍后再试", code="exchange_throttled")
    throttle_check(
        bucket=f"sharing:exchange:{principal.actor}",
        limit=limit,
        error=error,
        on_first_refusal=lambda: _refuse(
            principal, error, operation=operation, resource_code=resource_code
        ),
    )


def _client_check(principal: Principal, *, scope: str, operation: str, code: str = "") -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    exchange_throttle(principal=principal, operation=operation, resource_code=code)
    if principal.kind != "machine":
        _refuse(
            principal,
            PermissionDenied(
                "共享交换接口只对部门系统（机器客户端）开放", code="exchange_machine_only"
            ),
            operation=operation,
            resource_code=code,
        )
    if not principal.has_scope(scope):
        _refuse(
            principal,
            PermissionDenied(f"客户端缺少授权范围：{scope}", code="scope_missing"),
            operation=operation,
            resource_code=code,
        )
    if not principal.organization_id:
        _refuse(
            principal,
            PermissionDenied(
                "客户端未登记所属单位，不能调用共享交换", code="client_no_organization"
            ),
            operation=operation,
            resource_code=code,
        )


def _purpose(principal: Principal, purpose: str, *, operation: str, code: str = "") -> str:
    purpose = (purpose or "").strip()
    if not purpose:
        _refuse(
            principal,
            ValidationFailed(
                "请说明调用目的（purpose）", code="purpose_required", fields={"purpose": ["必填"]}
            ),
            operation=operation,
            resource_code=code,
        )
    if len(purpose) > MAX_PURPOSE:
        _refuse(
            principal,
            ValidationFailed(
                f"调用目的至多 {MAX_PURPOSE} 个字",
                code="purpose_invalid",
                fields={"purpose": ["过长"]},
            ),
            operation=operation,
            resource_code=code,
        )
    return purpose


# --- the grant and the fields ------------------------------------------------------------------


# Published resources are immutable except for retiring them, so a resource and its fields
# are kept per process for a few seconds: a retired resource stops answering within that
# time. Grants are never cached: a revoked or expired grant stops the very next call.
_RESOURCE_SECONDS = 10.0
_resources: dict[str, tuple[Any, list[Any], float]] = {}


def _resource(code: str) -> tuple[Any, list[Any]]:
    hit = _resources.get(code)
    if hit is not None and time.monotonic() - hit[2] < _RESOURCE_SECONDS:
        return hit[0], hit[1]
    resource = resource_by_code(code=code)
    fields = resource_field_list(resource_id=resource.pk) if resource is not None else []
    if resource is not None and resource.status == "published":
        if len(_resources) > 1000:  # bounded: codes come from callers
            _resources.clear()
        _resources[code] = (resource, fields, time.monotonic())
    return resource, fields


@dataclass(frozen=True)
class _Call:
    principal: Principal
    operation: str
    resource: Any  # catalog DataResource
    grant: EffectiveGrant
    fields: list[str]  # what the caller gets
    masking: dict[str, str]  # field -> masking rule
    subject_fields: list[str]  # fields holding ID numbers: whose records were read
    purpose: str


def _resolve(
    principal: Principal,
    *,
    operation: str,
    resource_code: str,
    purpose: str,
    fields: list[str] | None,
    filters: dict[str, str] | None = None,
) -> _Call:
    code = (resource_code or "").strip()[:60]
    _client_check(principal, scope=READ_SCOPE, operation=operation, code=code)
    purpose = _purpose(principal, purpose, operation=operation, code=code)
    resource, catalog_fields = _resource(code)
    state = None
    if resource is not None and resource.status == "published":
        state = grant_state_for(organization_id=principal.organization_id, resource_id=resource.pk)
    if state is None or state.effective is None:
        if state is not None and state.ended_status == "revoked":
            error = PermissionDenied("本单位对该数据资源的共享授权已被撤销", code="grant_revoked")
        elif state is not None and state.ended_status == "expired":
            error = PermissionDenied("本单位对该数据资源的共享授权已到期", code="grant_expired")
        else:
            # Unknown, unpublished and never-granted resources answer alike.
            error = PermissionDenied("本单位没有该数据资源的有效共享授权", code="grant_missing")
        _refuse(
            principal,
            error,
            operation=operation,
            resource_id=resource.pk if state is not None else None,
            resource_code=code,
            purpose=purpose,
        )
    grant = state.effective
    asked = [f.strip() for f in fields or [] if f and f.strip()]
    wanted = [name for name in grant.fields if name in asked] if asked else list(grant.fields)
    not_granted = [name for name in asked if name not in grant.fields]
    if not_granted:
        _refuse(
            principal,
            PermissionDenied(
                "未获授权的数据项：" + "、".join(not_granted)[:200],
                code="field_not_granted",
                fields={"fields": not_granted[:20]},
            ),
            operation=operation,
            resource_id=resource.pk,
            resource_code=code,
            fields=asked[:50],
            purpose=purpose,
        )
    bad_filters = [name for name in (filters or {}) if name not in grant.fields]
    if bad_filters:
        _refuse(
            principal,
            PermissionDenied(
                "不能按未获授权的数据项筛选：" + "、".join(bad_filters)[:200],
                code="filter_not_granted",
            ),
            operation=operation,
            resource_id=resource.pk,
            resource_code=code,
            fields=wanted,
            purpose=purpose,
        )
    subject_fields = [f.name for f in catalog_fields if f.masking == "id_number"]
    if resource.storage == _PERSON_REGISTRY and "id_number" not in subject_fields:
        subject_fields.append("id_number")
    return _Call(
        principal=principal,
        operation=operation,
        resource=resource,
        grant=grant,
        fields=wanted,
        masking={f.name: f.masking for f in catalog_fields},
        subject_fields=subject_fields,
        purpose=purpose,
    )


def _shown(call: _Call, row: dict[str, Any]) -> dict[str, Any]:
    """The granted fields of a row, masked unless the grant says otherwise."""
    out = {}
    for name in call.fields:
        value = row.get(name)
        mask = _MASKS.get(call.masking.get(name, "none"))
        if mask is not None and name not in call.grant.unmasked_fields and value not in (None, ""):
            value = mask(str(value))
        out[name] = value
    return out


def _digests(call: _Call, row: dict[str, Any]) -> list[str]:
    return [subject_digest(str(row[name])) for name in call.subject_fields if row.get(name)]


def _read_fields(call: _Call) -> list[str]:
    return call.fields + [n for n in call.subject_fields if n not in call.fields]


def _log_answer(call: _Call, *, row_count: int, subjects: list[str]) -> None:
    exchange_log_append(
        principal=call.principal,
        operation=call.operation,
        outcome=ANSWERED,
        resource_id=call.resource.pk,
        resource_code=call.resource.code,
        fields=call.fields,
        purpose=call.purpose,
        row_count=row_count,
        subjects=subjects,
    )


def _refuse_call(call: _Call, error: DomainError) -> NoReturn:
    _refuse(
        call.principal,
        error,
        operation=call.operation,
        resource_id=call.resource.pk,
        resource_code=call.resource.code,
        fields=call.fields,
        purpose=call.purpose,
    )


# --- the three reads ---------------------------------------------------------------------------


def exchange_record_get(
    *,
    principal: Principal,
    resource_code: str,
    key: str,
    purpose: str,
    fields: list[str] | None = None,
) -> ExchangePage:
    """One row by its key field; NotFound (logged as answered, 0 rows) when there is none."""
    call = _resolve(
        principal, operation=Operation.RECORD, resource_code=resource_code, purpose=purpose,
        fields=fields,
    )  # fmt: skip
    key = (key or "").strip()[:120]
    try:
        with transaction.atomic():
            row = resource_row_by_key(resource=call.resource, key=key, fields=_read_fields(call))
            _log_answer(
                call, row_count=1 if row else 0, subjects=_digests(call, row) if row else []
            )
    except DomainError as error:
        _refuse_call(call, error)
    if row is None:
        raise NotFound("没有该主键的记录", code="record_not_found")
    return ExchangePage(call.fields, [_shown(call, row)], 1, 1, 1)


def exchange_records_query(
    *,
    principal: Principal,
    resource_code: str,
    purpose: str,
    filters: dict[str, str] | None = None,
    fields: list[str] | None = None,
    page: int = 1,
    page_size: int = 20,
) -> ExchangePage:
    """A page of rows matching field = value filters on granted fields."""
    filters = {k: str(v)[:120] for k, v in (filters or {}).items()}
    call = _resolve(
        principal, operation=Operation.QUERY, resource_code=resource_code, purpose=purpose,
        fields=fields, filters=filters,
    )  # fmt: skip
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        _refuse_call(
            call,
            ValidationFailed(f"页码从 1 开始，每页 1 至 {MAX_PAGE_SIZE} 条", code="page_invalid"),
        )
    try:
        with transaction.atomic():
            result = resource_rows(
                resource=call.resource,
                fields=_read_fields(call),
                filters=filters,
                page=page,
                page_size=page_size,
            )
            subjects = [d for row in result.rows for d in _digests(call, row)]
            _log_answer(call, row_count=len(result.rows), subjects=subjects)
    except DomainError as error:
        _refuse_call(call, error)
    return ExchangePage(
        call.fields, [_shown(call, row) for row in result.rows], result.total, page, page_size
    )


def exchange_export(*, principal: Principal, resource_code: str, purpose: str, out: TextIO) -> int:
    """Every row as CSV into `out` (granted fields, masked), for grants that allow export.

    The rows are read and written, then the log entry, in one transaction; the caller sends
    `out` only after this returns (the API spools it), so nothing leaves unlogged."""
    call = _resolve(
        principal, operation=Operation.EXPORT, resource_code=resource_code, purpose=purpose,
        fields=None,
    )  # fmt: skip
    if not call.grant.may_export:
        _refuse_call(
            call,
            PermissionDenied("授权不允许批量导出，请按主键或条件查询", code="export_not_granted"),
        )
    writer = csv.writer(out, lineterminator="\n")
    count = 0
    subjects: set[str] = set()
    try:
        with transaction.atomic():
            writer.writerow(call.fields)
            for _ref, row in resource_rows_iter(resource=call.resource, fields=_read_fields(call)):
                writer.writerow(["" if v is None else v for v in _shown(call, row).values()])
                subjects.update(_digests(call, row))
                count += 1
            _log_answer(call, row_count=count, subjects=list(subjects))
    except DomainError as error:
        _refuse_call(call, error)
    return count


# --- verify-only (数据核验) ------------------------------------------------------------------------

_registry_resources: dict[str, tuple[int | None, str, float]] = {}


def _registry_resource(storage: str) -> tuple[int | None, str]:
    """The published catalog entry of a base registry, for the log (cached a minute)."""
    hit = _registry_resources.get(storage)
    if hit is not None and time.monotonic() - hit[2] < 60:
        return hit[0], hit[1]
    page = resource_list(
        principal=Principal(kind="system", id="sharing"),
        filters=ResourceFilters(storage=storage, status="published"),
        page_size=1,
    )
    found = (page.rows[0].pk, page.rows[0].code) if page.rows else (None, storage)
    _registry_resources[storage] = (*found, time.monotonic())
    return found


def exchange_caches_clear() -> None:
    """Forget per-process caches (tests: each test's database starts empty)."""
    _registry_resources.clear()
    _resources.clear()
    exchange_log_key_forget()


def exchange_verify_person(
    *, principal: Principal, id_number: str, name: str, purpose: str = "数据核验"
) -> bool:
    """Does the population registry hold this ID number with this name? Yes or no."""
    operation = Operation.VERIFY_PERSON
    _client_check(principal, scope=VERIFY_SCOPE, operation=operation)
    purpose = _purpose(principal, purpose, operation=operation)
    resource_id, code = _registry_resource(_PERSON_REGISTRY)
    id_number = (id_number or "").strip().upper()
    name = (name or "").strip()
    try:
        resident_id_validate(id_number)
        if not name or len(name) > 50:
            raise ValidationFailed("姓名应为 1 至 50 个字", fields={"name": ["无效"]})
    except (InvalidIdentifier, ValidationFailed) as error:
        _refuse(principal, error, operation=operation, resource_id=resource_id,
                resource_code=code, purpose=purpose)  # fmt: skip
    with transaction.atomic():
        match = person_matches(id_number=id_number, name=name)
        exchange_log_append(
            principal=principal,
            operation=operation,
            outcome=ANSWERED,
            resource_id=resource_id,
            resource_code=code,
            fields=["id_number", "name"],
            purpose=purpose,
            row_count=1 if match else 0,
            subjects=[subject_digest(id_number)],
        )
    return match


def exchange_verify_entity(*, principal: Principal, uscc: str, purpose: str = "数据核验") -> bool:
    """Is the entity with this USCC registered and active (存续/在业)? Yes or no."""
    operation = Operation.VERIFY_ENTITY
    _client_check(principal, scope=VERIFY_SCOPE, operation=operation)
    purpose = _purpose(principal, purpose, operation=operation)
    resource_id, code = _registry_resource(_ENTITY_REGISTRY)
    uscc = (uscc or "").strip().upper()
    try:
        uscc_validate(uscc)
    except InvalidIdentifier as error:
        _refuse(principal, error, operation=operation, resource_id=resource_id,
                resource_code=code, purpose=purpose)  # fmt: skip
    with transaction.atomic():
        brief = entity_brief(uscc=uscc)
        active = brief is not None and brief.status in ACTIVE_STATUSES
        exchange_log_append(
            principal=principal,
            operation=operation,
            outcome=ANSWERED,
            resource_id=resource_id,
            resource_code=code,
            fields=["uscc", "status"],
            purpose=purpose,
            row_count=1 if brief else 0,
        )
    return active


__all__ = [
    "ExchangePage",
    "exchange_caches_clear",
    "exchange_export",
    "exchange_record_get",
    "exchange_records_query",
    "exchange_throttle",
    "exchange_verify_entity",
    "exchange_verify_person",
]
