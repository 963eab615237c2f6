"""/opendata/: files of 开放广东 (resource downloads) and the DCAT-AP catalog (JSON-LD and
Turtle), mounted by the root urls.py before the web portal (its HTML pages live there)."""

from django.urls import path, re_path

from .views import dcat, downloads

app_name = "opendata"

urlpatterns = [
    path("resource/<uuid:resource_id>/download", downloads.download, name="download"),
    re_path(r"^catalog\.(?P<fmt>jsonld|ttl|rdf)$", dcat.catalog, name="dcat-catalog"),
    re_path(
        r"^dataset/(?P<name>[a-z0-9][a-z0-9_-]{1,99})\.(?P<fmt>jsonld|ttl|rdf)$",
        dcat.dataset,
        name="dcat-dataset",
    ),
]
