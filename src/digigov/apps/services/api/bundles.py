"""/api/v1/services/bundles: thin, parse, call one service or selector, render.

Public: the list and a bundle's guide (components, merged form, merged materials).
Signed in: the prefilled form, uploads (one per merged material), apply, my bundle
applications, withdraw a whole bundle application. Machine clients need the scopes services:apply / services:read."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from ninja import File, Form, Router
from ninja.files import UploadedFile

from digigov.kernel.api.auth import require_scope

from ..schemas.applications import WithdrawIn
from ..schemas.bundles import (
    BundleApplicationOut,
    BundleApplyIn,
    BundleDetailOut,
    BundleSummaryOut,
    BundleUploadOut,
)
from ..selectors import bundles as selectors
from ..services import bundles as services

router = Router()
APPLY = "services:apply"
READ = "services:read"


def _detail_out(detail: selectors.BundleDetail) -> dict:
    return {
        "summary": asdict(detail.summary),
        "region_code": detail.region_code,
        "departments": detail.departments,
        "components": [asdict(c) for c in detail.components],
        "form_schema": detail.form.schema,
        "fields": [asdict(f) for f in detail.form.fields],
        "materials": [asdict(m) for m in detail.materials],
        "prefill": detail.prefill,
    }


@router.get(
    "", response=list[BundleSummaryOut], auth=None, summary="一件事列表（可按生命周期筛选）"
)
def bundle_list(
    request: HttpRequest,
    q: str = "",
    subject_kind: str = "",
    life_event: str = "",
    enterprise_stage: str = "",
):
    return [
        asdict(s)
        for s in selectors.bundle_search(
            query=q,
            subject_kind=subject_kind,
            life_event=life_event,
            enterprise_stage=enterprise_stage,
        )
    ]


@router.get(
    "/applications",
    response=list[BundleApplicationOut],
    summary="我的一件事申请（含各事项办理状态）",
)
def bundle_application_list(request: HttpRequest):
    principal = require_scope(request, READ)
    return [asdict(v) for v in selectors.bundle_applications_mine(principal=principal)]


@router.get("/applications/{number}", response=BundleApplicationOut, summary="一件事申请详情")
def bundle_application_get(request: HttpRequest, number: str):
    principal = require_scope(request, READ)
    return asdict(selectors.bundle_application_get(principal=principal, number=number))


@router.post(
    "/applications/{number}/withdraw",
    response=BundleApplicationOut,
    summary="撤回一件事（各事项均未作出决定时，整件撤回）",
)
def bundle_application_withdraw(request: HttpRequest, number: str, payload: WithdrawIn):
    principal = require_scope(request, APPLY)
    services.bundle_withdraw(principal=principal, number=number, reason=payload.reason)
    return asdict(selectors.bundle_application_get(principal=principal, number=number))


@router.get(
    "/{code}",
    response=BundleDetailOut,
    auth=None,
    summary="一件事详情（事项、部门、合并申请表与材料）",
)
def bundle_get(request: HttpRequest, code: str, region_code: str = ""):
    return _detail_out(selectors.bundle_detail(code=code, region_code=region_code))


@router.get("/{code}/form", response=BundleDetailOut, summary="申请表（为登录的申请人自动填写）")
def bundle_form(
    request: HttpRequest, code: str, applicant_id_number: str = "", applicant_uscc: str = ""
):
    principal = require_scope(request, APPLY)
    detail = selectors.bundle_form(
        principal=principal,
        bundle_code=code,
        applicant_id_number=applicant_id_number or None,
        applicant_uscc=applicant_uscc or None,
    )
    return _detail_out(detail)


@router.post(
    "/{code}/uploads", response={201: BundleUploadOut}, summary="上传一项材料（各事项共用）"
)
def bundle_upload(
    request: HttpRequest,
    code: str,
    material_code: Form[str],
    file: File[UploadedFile],
    applicant_uscc: Form[str] = "",
):
    principal = require_scope(request, APPLY)
    region = selectors.applicant_region(principal=principal, applicant_uscc=applicant_uscc or None)
    staged = services.bundle_material_stage(
        principal=principal,
        bundle_code=code,
        material_code=material_code,
        original_name=file.name or "",
        content=file,
        region_code=region,
    )
    return 201, {**asdict(staged), "upload_token": staged.token}


@router.post(
    "/{code}/apply",
    response={201: BundleApplicationOut},
    summary="提交一件事申请（一表申请，各部门并联办理；幂等）",
)
def bundle_apply(request: HttpRequest, code: str, payload: BundleApplyIn):
    principal = require_scope(request, APPLY)
    bundle_application = services.bundle_submit(
        principal=principal,
        bundle_code=code,
        form_data=payload.form_data,
        materials=[m.dict() for m in payload.materials],
        idempotency_key=request.headers.get("Idempotency-Key") or payload.idempotency_key,
        applicant_id_number=payload.applicant_id_number or None,
        applicant_uscc=payload.applicant_uscc or None,
        chosen_items=payload.chosen_items,
        commitment=payload.commitment.dict() if payload.commitment else None,
        commitments={code: c.dict() for code, c in (payload.commitments or {}).items()},
    )
    view = selectors.bundle_application_get(principal=principal, number=bundle_application.number)
    return 201, asdict(view)
