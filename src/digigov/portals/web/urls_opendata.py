"""开放广东's pages at /opendata/ (names in the web: namespace). The backend's own
/opendata/ paths (resource/<id>/download, catalog.<fmt>, dataset/<name>.<fmt>) come first in
the root urls.py; these paths never take those shapes (datasets/ is plural)."""

from django.urls import path

from . import opendata, opendata_community

urlpatterns = [
    path("", opendata.home, name="opendata"),
    path("datasets/", opendata.search, name="opendata_search"),
    path("datasets/<slug:name>/", opendata.dataset_page, name="opendata_dataset"),
    path("datasets/<slug:name>/rate/", opendata.dataset_rate, name="opendata_rate"),
    path("datasets/<slug:name>/comment/", opendata.dataset_comment, name="opendata_comment"),
    path("datasets/<slug:name>/apply/", opendata.dataset_apply, name="opendata_apply"),
    path("applications/", opendata_community.my_applications, name="opendata_applications"),
    path("requests/", opendata_community.requests_list, name="opendata_requests"),
    path("requests/new/", opendata_community.request_new, name="opendata_request_new"),
    path("showcases/", opendata_community.showcase_list, name="opendata_showcases"),
    path("showcases/new/", opendata_community.showcase_new, name="opendata_showcase_new"),
    path("developer/", opendata_community.developer, name="opendata_developer"),
    path(
        "developer/keys/<int:key_id>/",
        opendata_community.developer_usage,
        name="opendata_key_usage",
    ),
    path(
        "developer/keys/<int:key_id>/revoke/",
        opendata_community.developer_revoke,
        name="opendata_key_revoke",
    ),
]
