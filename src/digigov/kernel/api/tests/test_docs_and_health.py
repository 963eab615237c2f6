"""/api/v1/docs, the OpenAPI document, and the health check."""

import re

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_docs_page_serves_with_local_assets_only(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)


def test_swagger_bundle_is_served_locally(client):
    html = client.get("/api/v1/docs").content.decode()
    (bundle,) = re.findall(r'src="([^"]+swagger-ui-bundle\.js)"', html)

    response = client.get(bundle)

    assert response.status_code == 200


def test_openapi_document_has_the_kernel_routes(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["version"] == "1.0.0"
    assert {
        "/api/v1/ops/health",
        "/api/v1/regions/",
        "/api/v1/regions/{code}",
        "/api/v1/organizations/",
        "/api/v1/audit/entries",
    } <= set(document["paths"])
    schemes = document["components"]["securitySchemes"]
    assert {"type": "apiKey", "in": "header", "name": "X-API-Key"} in [
        {k: v for k, v in s.items() if k in {"type", "in", "name"}} for s in schemes.values()
    ]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_health_answers_anonymously(client):
    response = client.get("/api/v1/ops/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}
