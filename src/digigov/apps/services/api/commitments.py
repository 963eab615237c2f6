"""/api/v1/services/commitments: 告知承诺核查 by the handling department. Thin: parse, call
one service or selector, render. The scope is the staff page's: checks of cases handled by
the caller's organization, for staff with services.handle_application (refusals of a
single check audited by selectors/access.py). Machine clients need services:read (read)
or services:apply (record an outcome); the services then refuse anyone but staff."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from digigov.kernel.api.auth import require_scope

from ..schemas.commitments import (
    CommitmentCheckDetailOut,
    CommitmentCheckPageOut,
    CommitmentVerifyIn,
)
from ..selectors.commitments import commitment_check_get, commitment_check_page
from ..services.commitment import commitment_verify

router = Router()
READ = "services:read"
APPLY = "services:apply"


@router.get(
    "",
    response=CommitmentCheckPageOut,
    summary="告知承诺核查清单（本机构办理的办件，按核查期限排序）",
)
def commitment_list(
    request: HttpRequest, status: str = "pending", page: int = 1, page_size: int = 20
):
    principal = require_scope(request, READ)
    return asdict(
        commitment_check_page(
            principal=principal,
            status=status,
            page=page,
            page_size=page_size,
            today=timezone.localdate(),
        )
    )


@router.get("/{check_id}", response=CommitmentCheckDetailOut, summary="核查任务（含承诺书全文）")
def commitment_get(request: HttpRequest, check_id: int):
    principal = require_scope(request, READ)
    return asdict(
        commitment_check_get(principal=principal, check_id=check_id, today=timezone.localdate())
    )


@router.post(
    "/{check_id}/verify",
    response=CommitmentCheckDetailOut,
    summary="记录核查结果：承诺属实，或承诺不实（须填写核查结论）",
)
def commitment_verify_endpoint(request: HttpRequest, check_id: int, body: CommitmentVerifyIn):
    principal = require_scope(request, APPLY)
    commitment_verify(
        principal=principal,
        check_id=check_id,
        is_confirmed=body.outcome == "confirmed",
        finding=body.finding,
    )
    return asdict(
        commitment_check_get(principal=principal, check_id=check_id, today=timezone.localdate())
    )
