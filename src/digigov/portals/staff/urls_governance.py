"""URL patterns of 一网统管 (included at /staff/governance/, names in the staff namespace)."""

from django.urls import path

from . import governance

urlpatterns: list = [
    path("", governance.dashboard, name="governance"),
    path("city/<str:code>/", governance.city_dashboard, name="governance_city"),
    path("m/", governance.mobile, name="governance_mobile"),
    path("indicators/<int:number>/", governance.indicator, name="governance_indicator"),
    path("indicators/<int:number>/records/", governance.records, name="governance_records"),
    path("indicators/<int:number>/report/", governance.report, name="governance_report"),
    path("topics/", governance.topics, name="governance_topics"),
    path("topics/new/", governance.topic_edit, name="governance_topic_new"),
    path("topics/<slug:code>/", governance.topic_dashboard, name="governance_topic"),
    path("topics/<slug:code>/edit/", governance.topic_edit, name="governance_topic_edit"),
]
