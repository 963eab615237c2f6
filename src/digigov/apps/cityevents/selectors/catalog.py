"""The event-type catalogue as the admin pages show it."""

from __future__ import annotations

from ..models import LEVEL_LABELS, OPEN_STAGES, EventType


def event_type_get(*, code: str) -> EventType | None:
    return EventType.objects.filter(code=code).first()


def event_type_rows() -> list[dict]:
    rows = []
    for event_type in EventType.objects.order_by("category", "code"):
        general = (event_type.sla_hours or {}).get("general") or {}
        rows.append(
            {
                "type": event_type,
                "category": event_type.get_category_display(),
                "sla_general": [general.get(stage, "—") for stage in OPEN_STAGES],
                "levels": [
                    label
                    for level, label in LEVEL_LABELS.items()
                    if level in (event_type.sla_hours or {})
                ],
            }
        )
    return rows
