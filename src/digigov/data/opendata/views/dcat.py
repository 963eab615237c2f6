"""DCAT-AP for harvesters: the catalog (paged, ?page=N) and each dataset as JSON-LD,
Turtle or RDF/XML."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from digigov.kernel.errors import NotFound

from ..selectors.datasets import dataset_published_get
from ..selectors.dcat import catalog_graph, dataset_graph

FORMATS = {
    "jsonld": ("json-ld", "application/ld+json; charset=utf-8"),
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml; charset=utf-8"),
}


def _render(graph, fmt: str) -> HttpResponse:
    rdflib_format, content_type = FORMATS[fmt]
    return HttpResponse(graph.serialize(format=rdflib_format), content_type=content_type)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_GET
def catalog(request: HttpRequest, fmt: str):
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    return _render(catalog_graph(base_url=_base_url(request), page=page), fmt)


@require_GET
def dataset(request: HttpRequest, name: str, fmt: str):
    try:
        found = dataset_published_get(key=name)
    except NotFound as error:
        return JsonResponse(
            {"error": {"code": error.code, "message": error.message, "fields": {}}},
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    return _render(dataset_graph(dataset=found, base_url=_base_url(request)), fmt)
