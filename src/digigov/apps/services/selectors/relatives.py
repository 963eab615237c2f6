"""代亲友办理: the relatives who authorised a citizen to apply for them (亲友代办, scope
"apply"), as a pick-list that shows masked names and ID numbers and sends the delegation
id; and the server-side resolution of a choice to the relative's real ID number. A client
never has to send, nor is trusted with, a relative's ID number on this path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from digigov.kernel.audit.services import audit_as
from digigov.kernel.errors import PermissionDenied, Unauthenticated
from digigov.kernel.principals import Principal
from digigov.support.identity.selectors import delegation_grantor_for, delegations_for

SCOPE = "apply"


@dataclass(frozen=True)
class RelativeChoice:
    value: str  # the delegation id: opaque to the page, resolved by relative_applicant
    name_masked: str
    id_masked: str
    expires_at: dt.datetime


def relatives_for_apply(*, principal: Principal) -> list[RelativeChoice]:
    """Live delegations to this citizen that allow applying for the grantor."""
    if principal.kind != "citizen" or not principal.person_id_number:
        return []
    return [
        RelativeChoice(
            value=str(d.id),
            name_masked=d.other_name_masked,
            id_masked=d.other_id_masked,
            expires_at=d.expires_at,
        )
        for d in delegations_for(principal=principal)
        if d.direction == "received" and d.is_active and SCOPE in d.scopes
    ]


def relative_applicant(*, principal: Principal, choice: str) -> str:
    """The ID number of the relative behind a pick-list choice; PermissionDenied (audited)
    when it is not a live "apply" delegation to this citizen (revoked, expired, someone
    else's, or made up)."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    text = (choice or "").strip()
    grantor = (
        delegation_grantor_for(principal=principal, delegation_id=int(text), scope=SCOPE)
        if text.isdigit() and len(text) <= 12
        else None
    )
    if grantor is None:
        audit_as(
            principal,
            action="services.relative.resolve",
            object_type="identity.delegation",
            object_id=text[:40],
            outcome="denied",
            detail={"reason": "no_live_delegation"},
        )
        raise PermissionDenied(
            "所选亲友未授权您代为申办，或授权已撤销、已过期",
            code="services/relative_not_authorised",
        )
    return grantor
