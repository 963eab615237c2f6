from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "digigov.kernel.events"
    label = "events"
    verbose_name = "领域事件"
