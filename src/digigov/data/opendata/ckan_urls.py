"""The CKAN Action API, mounted at /api/3/ and at /api/ (the ckanapi client calls
/api/action/<name>) by the root urls.py."""

from django.urls import path, re_path

from .views import ckan

urlpatterns = [
    path("action/<str:name>", ckan.action, name="ckan-action"),
    re_path(r"^(?:3/)?action/?$", ckan.not_found),
]
