"""系统清单 commands: a department registers its information systems (resources name the
system they come from) and takes one out of use. Audited, with an event."""

from __future__ import annotations

from django.db import transaction

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import NotFound, ValidationFailed
from digigov.kernel.events.services import event_publish
from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal

from ..models import SourceSystem
from .resources import CODE_PATTERN, _require_manager


def _record(principal: Principal, *, action: str, system: SourceSystem) -> None:
    audit_record(
        actor=principal.actor,
        acting_for=principal.acting_for,
        action=f"catalog.system.{action}",
        object_type="catalog.system",
        object_id=system.code,
        source_address=principal.source_address,
        detail={"organization_id": system.organization_id, "is_active": system.is_active},
    )
    event_publish(
        topic=f"catalog.system.{action}",
        payload={
            "system_id": system.pk,
            "code": system.code,
            "organization_id": system.organization_id,
        },
    )


def source_system_register(
    *, principal: Principal, organization_id: int, code: str, name: str, description: str = ""
) -> SourceSystem:
    code, name, description = code.strip(), name.strip(), description.strip()
    _require_manager(principal, action="system", code=code, organization_id=organization_id)
    errors: dict[str, list[str]] = {}
    if not CODE_PATTERN.match(code):
        errors["code"] = ["系统编码为 3-60 位字母、数字、点、连字符或下划线，以字母或数字开头"]
    elif SourceSystem.objects.filter(code=code).exists():
        errors["code"] = ["系统编码已被使用"]
    if not name:
        errors["name"] = ["请填写系统名称"]
    elif len(name) > 120:
        errors["name"] = ["系统名称至多 120 个字符"]
    if len(description) > 2000:
        errors["description"] = ["系统简介至多 2000 个字符"]
    if not Organization.objects.filter(pk=organization_id, is_active=True).exists():
        errors["organization"] = ["建设单位不存在"]
    if errors:
        raise ValidationFailed("信息系统登记信息有误", fields=errors)
    with transaction.atomic():
        system = SourceSystem.objects.create(
            code=code, name=name, description=description, organization_id=organization_id
        )
        _record(principal, action="register", system=system)
    return system


def source_system_deactivate(*, principal: Principal, code: str) -> SourceSystem:
    """Out of use: it stays on the list (resources still name it) but new ones cannot."""
    system = SourceSystem.objects.filter(code=code).first()
    if system is None:
        raise NotFound("信息系统不存在", code="system_unknown")
    _require_manager(principal, action="system", code=code, organization_id=system.organization_id)
    with transaction.atomic():
        system = SourceSystem.objects.select_for_update().get(pk=system.pk)
        if system.is_active:
            system.is_active = False
            system.save(update_fields=["is_active"])
            _record(principal, action="deactivate", system=system)
    return system
