"""Resource downloads (CSV, JSON, XLSX), for a signed-in person or a developer key
(`Authorization` header, as CKAN)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from digigov.kernel.errors import DomainError
from digigov.kernel.principals import request_principal

from ..services.downloads import resource_download
from ..services.keys import developer_key_use


def api_key_of(request: HttpRequest) -> str:
    return (
        request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") or ""
    ).strip()


@require_GET
def download(request: HttpRequest, resource_id):
    principal = request_principal(request)
    try:
        owner = ""
        secret = api_key_of(request)
        if secret:
            owner = developer_key_use(secret=secret).owner
        file = resource_download(principal=principal, resource_id=resource_id, key_owner=owner)
    except DomainError as error:
        return JsonResponse(
            {"error": {"code": error.code, "message": error.message, "fields": error.fields}},
            status=error.status,
            json_dumps_params={"ensure_ascii": False},
        )
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
