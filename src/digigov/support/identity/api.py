"""/api/v1/identity: the caller's own account, delegations (亲友代办), entity bindings and
online real-name verification. Thin: who may do what is decided by selectors and services."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from . import selectors, services
from .schemas import (
    DelegationIn,
    DelegationOut,
    EntityAgentIn,
    EntityBindIn,
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


def _binding_view(request: HttpRequest, binding_id: int):
    return next(
        b for b in selectors.entity_bindings_for(principal=request.principal) if b.id == binding_id
    )


@router.post(
    "/entity-bindings", response={201: EntityBindingOut}, summary="法定代表人绑定企业（核对法人库）"
)
def entity_bind(request: HttpRequest, body: EntityBindIn):
    binding = services.entity_bind(principal=request.principal, uscc=body.uscc)
    return 201, _binding_view(request, binding.pk)


@router.post("/entity-agents", response={201: None}, summary="法定代表人授权代理人（范围与有效期）")
def entity_agent_authorise(request: HttpRequest, body: EntityAgentIn):
    services.entity_agent_authorise(
        principal=request.principal,
        uscc=body.uscc,
        agent_id_number=body.agent_id_number,
        agent_name=body.agent_name,
        scopes=body.scopes,
        expires_at=body.expires_at,
    )
    return 201, None


@router.delete("/entity-agents/{binding_id}", response={204: None}, summary="撤销代理人授权")
def entity_agent_revoke(request: HttpRequest, binding_id: int):
    services.entity_agent_revoke(principal=request.principal, binding_id=binding_id)
    return 204, None


@router.post("/realname", response=RealnameOut, summary="在线实名核验（L1 → L2）")
def realname(request: HttpRequest, body: RealnameIn):
    level = services.realname_verify(
        principal=request.principal, name=body.name, id_number=body.id_number
    )
    return {"real_name_level": level}
