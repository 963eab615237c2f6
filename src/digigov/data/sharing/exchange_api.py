"""/api/v1/exchange: 共享交换 for departments' machine clients (API key or bearer token).

By key, filtered pages and bulk CSV export of a granted resource, each with a required
`purpose`; verify-only checks (数据核验) that answer yes or no. Thin: the services check the
client, the grant and the fields, mask, and log every call (answered or refused)."""

from __future__ import annotations

import io
import tempfile

from django.http import FileResponse, HttpRequest
from ninja import Router

from digigov.kernel.api.auth import ApiKeyAuth, BearerTokenAuth

from .schemas import (
    ExchangePageOut,
    ExchangeRecordOut,
    VerifyEntityIn,
    VerifyEntityOut,
    VerifyPersonIn,
    VerifyPersonOut,
)
from .services.exchange import (
    exchange_export,
    exchange_record_get,
    exchange_records_query,
    exchange_verify_entity,
    exchange_verify_person,
)

router = Router(tags=["共享交换：数据交换与核验"], auth=[ApiKeyAuth(), BearerTokenAuth()])
RESERVED = {"purpose", "page", "page_size", "fields"}
_CSV_RESPONSES = {200: {"description": "CSV 文件（UTF-8）", "content": {"text/csv": {}}}}


def _field_list(fields: str) -> list[str] | None:
    names = [name.strip() for name in fields.split(",") if name.strip()]
    return names or None


@router.post(
    "/verify/person", response=VerifyPersonOut, summary="自然人核验：姓名与身份证号是否一致"
)
def verify_person(request: HttpRequest, body: VerifyPersonIn):
    match = exchange_verify_person(
        principal=request.principal, id_number=body.id_number, name=body.name, purpose=body.purpose
    )
    return {"match": match}


@router.post("/verify/entity", response=VerifyEntityOut, summary="法人核验：是否存续（存续、在业）")
def verify_entity(request: HttpRequest, body: VerifyEntityIn):
    active = exchange_verify_entity(
        principal=request.principal, uscc=body.uscc, purpose=body.purpose
    )
    return {"active": active}


@router.get(
    "/{resource_code}/records/{key}",
    response=ExchangeRecordOut,
    summary="按主键查询一条记录（仅授权数据项，按规则脱敏）",
)
def record_get(
    request: HttpRequest, resource_code: str, key: str, purpose: str = "", fields: str = ""
):
    page = exchange_record_get(
        principal=request.principal,
        resource_code=resource_code,
        key=key,
        purpose=purpose,
        fields=_field_list(fields),
    )
    return {"resource_code": resource_code, "fields": page.fields, "record": page.rows[0]}


@router.get(
    "/{resource_code}/records",
    response=ExchangePageOut,
    summary="条件查询（其他查询参数为按授权数据项的精确筛选，每页至多 100 条）",
)
def records_query(
    request: HttpRequest,
    resource_code: str,
    purpose: str = "",
    fields: str = "",
    page: int = 1,
    page_size: int = 20,
):
    filters = {k: v for k, v in request.GET.items() if k not in RESERVED}
    result = exchange_records_query(
        principal=request.principal,
        resource_code=resource_code,
        purpose=purpose,
        filters=filters,
        fields=_field_list(fields),
        page=page,
        page_size=page_size,
    )
    return {
        "resource_code": resource_code,
        "fields": result.fields,
        "rows": result.rows,
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
    }


@router.get(
    "/{resource_code}/export",
    openapi_extra={"responses": _CSV_RESPONSES},
    summary="批量导出 CSV（仅限允许导出的授权）",
)
def export(request: HttpRequest, resource_code: str, purpose: str = ""):
    # Spooled: small exports stay in memory, big ones go to a temporary file; sent only
    # after the rows and their log entry are committed.
    buffer = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 (the response closes it)
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    try:
        exchange_export(
            principal=request.principal, resource_code=resource_code, purpose=purpose, out=text
        )
    except Exception:
        buffer.close()
        raise
    text.flush()
    text.detach()
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"{resource_code}.csv",
        content_type="text/csv; charset=utf-8",
    )
