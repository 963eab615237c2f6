"""/api/v1/services/applications/{number}/decision[/replay]: how a case was decided.
Thin: parse, call one selector or service, render. Access: selectors/access.py case_for
(refusals audited)."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Router

from ..schemas.decisions import DecisionOut, ReplayOut
from ..selectors.decisions import decision_explain
from ..services.instant import instant_replay

router = Router()


@router.get("/{number}/decision", response=DecisionOut, summary="办件决定及其说明")
def decision_get(request: HttpRequest, number: str):
    """Each 秒批 rule with pass/fail, the value read and the message; or the signed
    告知承诺 and its verification status. Personal values are masked for anyone but the
    applicant."""
    return asdict(decision_explain(principal=request.principal, number=number))


@router.get("/{number}/decision/replay", response=ReplayOut, summary="秒批决定复现（工作人员）")
def decision_replay(request: HttpRequest, number: str, current: bool = True):
    """Re-evaluate the stored facts with the stored rule set (and, with current=true, with
    the rule set published now). For staff of the handling, receiving or supervising side."""
    return asdict(instant_replay(principal=request.principal, number=number, with_current=current))
