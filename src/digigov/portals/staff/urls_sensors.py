"""粤政易 · 感知终端 (included at /staff/sensors/, names in the staff namespace)."""

from django.urls import path

from . import sensors

urlpatterns = [
    path("", sensors.devices, name="sensors_devices"),
    path("devices/new/", sensors.device_new, name="sensors_device_new"),
    path("devices/<int:device_id>/", sensors.device, name="sensors_device"),
    path("devices/<int:device_id>/edit/", sensors.device_edit, name="sensors_device_edit"),
    path("rules/", sensors.rules, name="sensors_rules"),
    path("alerts/", sensors.alerts, name="sensors_alerts"),
    path("alerts/<int:alert_id>/<slug:action>/", sensors.alert_action, name="sensors_alert_action"),
    path("ingest/", sensors.ingest, name="sensors_ingest"),
]
