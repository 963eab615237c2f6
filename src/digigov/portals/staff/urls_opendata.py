"""粤政易 · 开放广东 at /staff/opendata/ (names in the staff: namespace)."""

from django.urls import path

from . import opendata, opendata_community

urlpatterns = [
    path("", opendata.overview, name="opendata"),
    path("publish/", opendata.publish_pick, name="opendata_publish"),
    path("publish/<str:code>/", opendata.publish_form, name="opendata_publish_form"),
    path("review/", opendata.review, name="opendata_review"),
    path("review/<uuid:dataset_id>/decide/", opendata.review_decide, name="opendata_review_decide"),
    path("applications/", opendata.applications, name="opendata_applications"),
    path(
        "applications/<int:application_id>/decide/",
        opendata.application_decide_view,
        name="opendata_application_decide",
    ),
    path("datasets/<uuid:dataset_id>/usage/", opendata.dataset_usage_page, name="opendata_usage"),
    path(
        "datasets/<uuid:dataset_id>/<slug:action>/",
        opendata.dataset_action,
        name="opendata_dataset_action",
    ),
    path("requests/", opendata_community.requests_inbox, name="opendata_requests"),
    path(
        "requests/<int:request_id>/answer/",
        opendata_community.request_answer,
        name="opendata_request_answer",
    ),
    path("moderation/", opendata_community.moderation, name="opendata_moderation"),
    path(
        "moderation/<slug:kind>/<int:object_id>/",
        opendata_community.moderate,
        name="opendata_moderate",
    ),
]
