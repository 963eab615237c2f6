"""Topic dashboards (专题): the list, one topic, and the choices a topic can select."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from digigov.kernel.errors import NotFound
from digigov.kernel.principals import Principal

from ..constants import FUNCTIONS
from ..models import Indicator, Topic
from . import sources
from .access import dashboard_scope
from .calculators import sector_names


def topic_list(*, principal: Principal, include_inactive: bool = False) -> QuerySet[Topic]:
    dashboard_scope(principal=principal)
    topics = Topic.objects.prefetch_related("indicators").order_by("code")
    return topics if include_inactive else topics.filter(is_active=True)


def topic_get(*, principal: Principal, code: str) -> Topic:
    dashboard_scope(principal=principal)
    topic = Topic.objects.prefetch_related("indicators").filter(code=code).first()
    if topic is None:
        raise NotFound("专题不存在", code="governance/unknown_topic")
    return topic


@dataclass(frozen=True)
class TopicChoices:
    functions: list[tuple[str, str]]
    sectors: list[tuple[str, str]]
    indicators: list[tuple[int, str]]
    event_types: list[tuple[str, str]]
    sensor_kinds: list[tuple[str, str]]
    datasets: list[tuple[str, str]]


def topic_choices() -> TopicChoices:
    return TopicChoices(
        functions=list(FUNCTIONS.items()),
        sectors=list(sector_names().items()),
        indicators=[
            (number, f"{number}. {name}")
            for number, name in Indicator.objects.order_by("number").values_list("number", "name")
        ],
        event_types=sources.choices_of(sources.cityevents_stat, "event_type_choices"),
        sensor_kinds=sources.choices_of(sources.sensors_stat, "sensor_kind_choices"),
        datasets=sources.choices_of(sources.opendata_stat, "open_dataset_choices"),
    )


def sector_labels(chosen: list[str]) -> list[str]:
    labels = sector_names()
    return [labels.get(value, value) for value in chosen]


def topic_fields(topic: Topic) -> dict[str, Any]:
    """A topic's configuration as plain values: the API's body and the form's initial values
    (indicators prefetched by topic_list / topic_get)."""
    return {
        "code": topic.code,
        "name": topic.name,
        "function": topic.function,
        "description": topic.description,
        "sectors": topic.sectors,
        "indicators": sorted(i.number for i in topic.indicators.all()),
        "event_types": topic.event_types,
        "sensor_kinds": topic.sensor_kinds,
        "datasets": topic.datasets,
        "is_active": topic.is_active,
    }
