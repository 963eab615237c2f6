"""Who may see or act on a case. Every case read or write goes through `case_for`, which
audits a refusal (outside any transaction, so the refusal entry survives the error)."""

from __future__ import annotations

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, PermissionDenied, Unauthenticated
from digigov.kernel.principals import Principal
from digigov.support.identity.selectors import delegation_allows, entity_allows

from ..models import Application
from .supervision import supervision_scope

# Roles of the parties to a case, as `case_role` answers them.
APPLICANT = "applicant"  # the person applying, or an agent of the applying entity
FILER = "filer"  # the account that filed it (a relative, a window clerk)
HANDLER = "handler"  # staff of the handling organization
RECEIVER = "receiver"  # staff of the receiving organization (收受分离)
SUPERVISOR = "supervisor"  # staff of a superior organization with the supervision right

SUPERVISE = "services.supervise_application"
HANDLE = "services.handle_application"
RECEIVE = "services.receive_application"


def case_role(*, principal: Principal, application: Application) -> str | None:
    kind = principal.kind
    if kind == "citizen":
        if application.applicant_kind == "person":
            if principal.person_id_number == application.applicant_id_number:
                return APPLICANT
            if application.is_on_behalf and delegation_allows(
                principal=principal,
                grantor_id_number=application.applicant_id_number,
                scope="query",
            ):
                return FILER
        if application.filed_by_account_id and str(application.filed_by_account_id) == principal.id:
            return FILER
        return None
    if kind == "enterprise":
        if application.applicant_kind == "entity" and entity_allows(
            principal=principal, uscc=application.applicant_uscc, scope="query"
        ):
            return APPLICANT
        return None
    if kind == "staff" and principal.organization_id:
        org = principal.organization_id
        if org == application.handling_organization_id and principal.has_perm(HANDLE):
            return HANDLER
        if org == application.received_organization_id and principal.has_perm(RECEIVE):
            return RECEIVER
        if principal.has_perm(SUPERVISE) and _supervises(principal, application):
            return SUPERVISOR
    return None


def _supervises(principal: Principal, application: Application) -> bool:
    """The supervision view's own scope (its organization and everything below; a
    政务服务数据管理局 also every department of its region), so a case it lists opens."""
    scope = supervision_scope(principal=principal)
    if scope.organization_ids is None:
        return True
    if {application.handling_organization_id, application.received_organization_id} & set(
        scope.organization_ids
    ):
        return True
    prefix = scope.region_prefix
    return bool(prefix) and (
        application.handling_region_id.startswith(prefix)
        or application.received_region_id.startswith(prefix)
    )


def _deny(principal: Principal, number: str, reason: str) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action="services.application.access",
        object_type="services.application",
        object_id=number,
        outcome="denied",
        source_address=principal.source_address,
        detail={"reason": reason},
    )


def case_for(
    *, principal: Principal, number: str, roles: tuple[str, ...] | None = None, for_update=False
) -> tuple[Application, str]:
    """The case and the principal's role in it, or NotFound / PermissionDenied (audited).
    `roles` narrows who may proceed (e.g. only the applicant may withdraw)."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    query = Application.objects.select_related(
        "item", "item_version", "handling_organization", "received_organization"
    )
    if for_update:
        query = query.select_for_update(of=("self",))
    application = query.filter(number=number).first()
    if application is None:
        raise NotFound("办件不存在", code="services/application_not_found")
    role = case_role(principal=principal, application=application)
    if role is None or (roles is not None and role not in roles):
        _deny(principal, number, "not_a_party" if role is None else f"role:{role}")
        raise PermissionDenied("无权查看或办理该办件", code="services/not_your_case")
    return application, role
