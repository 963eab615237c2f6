"""/api/v1/identity: the caller's own account, delegations (亲友代办), entity bindings and
online real-name verification. Thin: who may do what is decided by selectors and services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from . import selectors, services
from .schemas import (
    DelegationIn,
    DelegationOut,
    EntityBindingOut,
    ProfileOut,
    RealnameIn,
    RealnameOut,
)

router = Router(tags=["统一身份认证"])


@router.get("/me", response=ProfileOut, summary="当前账号资料（脱敏）")
def me(request: HttpRequest):
    return selectors.profile_get(principal=request.principal)


@router.get("/delegations", response=list[DelegationOut], summary="亲友代办：我授权的与授权我的")
def delegations(request: HttpRequest):
    return selectors.delegations_for(principal=request.principal)


@router.post("/delegations", response={201: DelegationOut}, summary="授权亲友代办（范围与有效期）")
def delegation_grant(request: HttpRequest, body: DelegationIn):
    delegation = services.delegation_grant(
        principal=request.principal,
        agent_id_number=body.agent_id_number,
        agent_name=body.agent_name,
        scopes=body.scopes,
        expires_at=body.expires_at,
    )
    view = next(
        d for d in selectors.delegations_for(principal=request.principal) if d.id == delegation.pk
    )
    return 201, view


@router.delete("/delegations/{delegation_id}", response={204: None}, summary="撤销亲友代办授权")
def delegation_revoke(request: HttpRequest, delegation_id: int):
    services.delegation_revoke(principal=request.principal, delegation_id=delegation_id)
    return 204, None


@router.get("/entity-bindings", response=list[EntityBindingOut], summary="企业账号可代表的法人")
def entity_bindings(request: HttpRequest):
    return selectors.entity_bindings_for(principal=request.principal)


@router.post("/realname", response=RealnameOut, summary="在线实名核验（L1 → L2）")
def realname(request: HttpRequest, body: RealnameIn):
    level = services.realname_verify(
        principal=request.principal, name=body.name, id_number=body.id_number
    )
    return {"real_name_level": level}
