from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEntry


def audit_entries(
    *,
    actor: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.order_by("-seq")
    if actor:
        entries = entries.filter(actor=actor)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if action:
        entries = entries.filter(action=action)
    return entries
