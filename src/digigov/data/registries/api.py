"""/api/v1/registries: 自然人基础库 and 法人基础库. Thin: parse, call one selector or
service, render. Who may see what is decided (and audited) by the selectors and services."""

from __future__ import annotations

import io
import tempfile

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router
from ninja.files import UploadedFile

from digigov.kernel.api.auth import require_scope
from digigov.kernel.ids import mask_id_number

from . import selectors, services
from .access import SCOPE_READ, SCOPE_WRITE
from .constants import DEFAULT_PURPOSE
from .schemas import EntityOut, EntityPageOut, ImportReportOut, PersonOut, PersonPageOut

router = Router(tags=["基础库"])
MAX_REPORTED_REJECTIONS = 1000
_CSV_RESPONSES = {200: {"description": "CSV 文件（UTF-8）", "content": {"text/csv": {}}}}


def _report_out(report: services.ImportReport, *, mask_keys: bool) -> dict:
    shown = report.rejections[:MAX_REPORTED_REJECTIONS]
    return {
        "total": report.total,
        "imported": report.imported,
        "rejected": report.rejected,
        "all_or_nothing": report.all_or_nothing,
        "written": report.written,
        "rejections": [
            {
                "line": r.line,
                "key": mask_id_number(r.key) if mask_keys else r.key,
                "reasons": list(r.reasons),
            }
            for r in shown
        ],
        "rejections_truncated": report.rejected > len(shown),
    }


def _csv_response(write, filename: str) -> FileResponse:
    # Spooled: small exports stay in memory, big ones go to a temporary file.
    buffer = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 (the response closes it)
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    write(text)
    text.flush()
    text.detach()
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename=filename, content_type="text/csv; charset=utf-8"
    )


# --- people ---------------------------------------------------------------------------------


@router.get("/people", response=PersonPageOut, summary="自然人列表（脱敏，可按区划、姓名前缀筛选）")
def person_list(
    request: HttpRequest,
    region: str = "",
    name: str = "",
    page: int = 1,
    page_size: int = 20,
    purpose: str = DEFAULT_PURPOSE,
):
    principal = require_scope(request, SCOPE_READ)
    return selectors.person_search(
        principal=principal,
        region_code=region,
        name_prefix=name,
        page=page,
        page_size=page_size,
        purpose=purpose,
    )


@router.get(
    "/people/export",
    summary="导出自然人 CSV（无完整信息权限时脱敏）",
    openapi_extra={"responses": _CSV_RESPONSES},
)
def person_export(request: HttpRequest, purpose: str = DEFAULT_PURPOSE):
    principal = require_scope(request, SCOPE_READ)
    return _csv_response(
        lambda out: selectors.person_export(principal=principal, out=out, purpose=purpose),
        "people.csv",
    )


@router.post(
    "/people/import", response=ImportReportOut, summary="导入自然人 CSV（逐行校验，返回拒收报告）"
)
def person_import(
    request: HttpRequest,
    file: File[UploadedFile],
    all_or_nothing: Form[bool] = False,
):
    principal = require_scope(request, SCOPE_WRITE)
    report = services.person_import(
        principal=principal,
        source=file.file,
        all_or_nothing=all_or_nothing,
        filename=file.name or "",
    )
    return _report_out(report, mask_keys=True)


@router.get("/people/{id_number}", response=PersonOut, summary="按公民身份号码查询自然人")
def person_detail(request: HttpRequest, id_number: str, purpose: str = DEFAULT_PURPOSE):
    principal = require_scope(request, SCOPE_READ)
    return selectors.person_get(principal=principal, id_number=id_number, purpose=purpose)


# --- entities -------------------------------------------------------------------------------


@router.get(
    "/entities", response=EntityPageOut, summary="法人列表（脱敏，可按区划、名称前缀、状态筛选）"
)
def entity_list(
    request: HttpRequest,
    region: str = "",
    name: str = "",
    status: str = "",
    page: int = 1,
    page_size: int = 20,
    purpose: str = DEFAULT_PURPOSE,
):
    principal = require_scope(request, SCOPE_READ)
    return selectors.entity_search(
        principal=principal,
        region_code=region,
        name_prefix=name,
        status=status,
        page=page,
        page_size=page_size,
        purpose=purpose,
    )


@router.get(
    "/entities/export",
    summary="导出法人 CSV（无完整信息权限时脱敏）",
    openapi_extra={"responses": _CSV_RESPONSES},
)
def entity_export(request: HttpRequest, purpose: str = DEFAULT_PURPOSE):
    principal = require_scope(request, SCOPE_READ)
    return _csv_response(
        lambda out: selectors.entity_export(principal=principal, out=out, purpose=purpose),
        "entities.csv",
    )


@router.post(
    "/entities/import", response=ImportReportOut, summary="导入法人 CSV（逐行校验，返回拒收报告）"
)
def entity_import(
    request: HttpRequest,
    file: File[UploadedFile],
    all_or_nothing: Form[bool] = False,
):
    principal = require_scope(request, SCOPE_WRITE)
    report = services.entity_import(
        principal=principal,
        source=file.file,
        all_or_nothing=all_or_nothing,
        filename=file.name or "",
    )
    return _report_out(report, mask_keys=False)


@router.get("/entities/{uscc}", response=EntityOut, summary="按统一社会信用代码查询法人")
def entity_detail(request: HttpRequest, uscc: str, purpose: str = DEFAULT_PURPOSE):
    principal = require_scope(request, SCOPE_READ)
    return selectors.entity_get(principal=principal, uscc=uscc, purpose=purpose)
