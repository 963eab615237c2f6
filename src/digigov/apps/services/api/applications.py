"""/api/v1/services/applications: thin, parse, call one service or selector, render.

Uploads are two-step: POST /uploads (multipart) stores a file for one material of an item
and answers an upload token; POST "" (JSON) submits the case referencing tokens and/or
license addresses. Machine clients need the scopes services:apply / services:read."""

from __future__ import annotations

from dataclasses import asdict

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import File, Form, Router
from ninja.files import UploadedFile

from digigov.kernel.api.auth import require_scope

from ..schemas.applications import (
    ApplicationIn,
    CaseOut,
    CasePageOut,
    CorrectIn,
    PrefillOut,
    UploadOut,
    WithdrawIn,
)
from ..selectors import applications as selectors
from ..selectors.prefill import form_prefill
from ..services import applications as services
from ..services.materials import material_stage

router = Router()
APPLY = "services:apply"
READ = "services:read"


def _page_out(page: selectors.Page) -> dict:
    return {
        "items": page.items,
        "page": page.page,
        "page_size": page.page_size,
        "total": page.total,
        "has_next": page.has_next,
    }


def _case_out(detail: selectors.CaseDetail) -> dict:
    # Shallow (ninja serializes the nested values itself); asdict would deep-copy the form
    # schema on every answer.
    out = dict(detail.__dict__)
    out["timeline"] = [dict(entry.__dict__) for entry in detail.timeline]
    out["materials"] = [dict(material.__dict__) for material in detail.materials]
    for material in out["materials"]:
        material["download_url"] = (
            reverse(
                "api-v1:services_application_material_file",
                kwargs={"number": detail.number, "code": material["code"]},
            )
            if material["source"] == "upload"
            else ""
        )
    return out


def _detail(request: HttpRequest, number: str) -> dict:
    return _case_out(selectors.case_detail(principal=request.principal, number=number))


@router.post(
    "/uploads", response={201: UploadOut}, summary="上传申请材料（先上传，提交时引用凭证）"
)
def application_upload(
    request: HttpRequest,
    item_code: Form[str],
    material_code: Form[str],
    file: File[UploadedFile],
):
    principal = require_scope(request, APPLY)
    item = services.item_resolve(item_code=item_code, region_code=principal.region_code)
    staged = material_stage(
        principal=principal,
        item=item,
        material_code=material_code,
        original_name=file.name or "",
        content=file,
    )
    return 201, {**asdict(staged), "upload_token": staged.token}


@router.post("", response={201: CaseOut}, summary="提交申请（幂等：同一幂等键只生成一个办件）")
def application_submit(request: HttpRequest, payload: ApplicationIn):
    principal = require_scope(request, APPLY)
    application = services.application_submit(
        principal=principal,
        item_code=payload.item_code,
        form_data=payload.form_data,
        materials=[m.dict() for m in payload.materials],
        idempotency_key=request.headers.get("Idempotency-Key") or payload.idempotency_key,
        channel=payload.channel,
        applicant_id_number=payload.applicant_id_number or None,
        applicant_uscc=payload.applicant_uscc or None,
        commitment=payload.commitment.dict() if payload.commitment else None,
        handling_region_code=payload.handling_region_code or None,
        received_partner=payload.received_partner,
    )
    detail = selectors.case_detail_filed(principal=principal, application=application)
    return 201, _case_out(detail)


@router.get("", response=CasePageOut, summary="我的办件（窗口人员：view=received 为本机构收件）")
def application_list(
    request: HttpRequest, page: int = 1, page_size: int = 20, status: str = "", view: str = "mine"
):
    principal = require_scope(request, READ)
    if view == "received":
        return _page_out(
            selectors.cases_received(principal=principal, page=page, page_size=page_size)
        )
    return _page_out(
        selectors.cases_mine(principal=principal, page=page, page_size=page_size, status=status)
    )


@router.get("/prefill", response=PrefillOut, summary="免填写：按事项读取可自动填写的字段")
def application_prefill(
    request: HttpRequest,
    item_code: str,
    applicant_id_number: str = "",
    applicant_uscc: str = "",
):
    principal = require_scope(request, APPLY)
    item = services.item_resolve(item_code=item_code, region_code=principal.region_code)
    values = form_prefill(
        principal=principal,
        item_version=item.published,
        applicant_id_number=applicant_id_number or None,
        applicant_uscc=applicant_uscc or None,
    )
    return {"item_code": item.code, "values": values, "fields": sorted(values)}


@router.get("/{number}", response=CaseOut, summary="办件详情（进度、材料）")
def application_get(request: HttpRequest, number: str):
    require_scope(request, READ)
    return _detail(request, number)


@router.post("/{number}/withdraw", response=CaseOut, summary="撤回申请")
def application_withdraw(request: HttpRequest, number: str, payload: WithdrawIn):
    principal = require_scope(request, APPLY)
    services.application_withdraw(principal=principal, number=number, reason=payload.reason)
    return _detail(request, number)


@router.post("/{number}/correct", response=CaseOut, summary="补正（办件处于待补正时）")
def application_correct(request: HttpRequest, number: str, payload: CorrectIn):
    principal = require_scope(request, APPLY)
    services.application_correct(
        principal=principal,
        number=number,
        form_data=payload.form_data,
        materials=[m.dict() for m in payload.materials],
    )
    return _detail(request, number)


@router.get(
    "/{number}/materials/{code}/file",
    url_name="services_application_material_file",
    summary="下载上传的材料（仅办件当事人和经办人员；一律作为附件下载）",
    response={200: None},
)
def application_material_file(request: HttpRequest, number: str, code: str):
    principal = require_scope(request, READ)
    stored = selectors.material_file(principal=principal, number=number, material_code=code)
    response = FileResponse(
        stored.path.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
