"""/api/v1/catalog/systems: 系统清单."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from digigov.kernel.api.auth import require_scope
from digigov.kernel.organizations.models import Organization

from ..selectors.lists import system_list
from ..selectors.resources import WRITE_SCOPE
from ..services.systems import source_system_register
from .resources import organization_id, reader
from .schemas import CatalogSystemIn, CatalogSystemOut

router = Router()


@router.get("/systems", response=list[CatalogSystemOut], summary="系统清单")
def system_list_api(request: HttpRequest, q: str = "", organization: str = ""):
    principal = reader(request)
    org = None
    if organization:
        org = Organization.objects.filter(code=organization).values_list("pk", flat=True).first()
        org = org or -1
    return system_list(principal=principal, organization_id=org, query=q[:100])


@router.post(
    "/systems",
    response={201: CatalogSystemOut},
    summary="登记本单位信息系统",
)
def system_register_api(request: HttpRequest, payload: CatalogSystemIn):
    principal = require_scope(request, WRITE_SCOPE)
    system = source_system_register(
        principal=principal,
        organization_id=organization_id(principal, payload.organization),
        code=payload.code,
        name=payload.name,
        description=payload.description,
    )
    return Status(
        201,
        {
            "code": system.code,
            "name": system.name,
            "organization_code": system.organization.code,
            "organization_name": system.organization.name,
            "description": system.description,
            "is_active": system.is_active,
            "published_resources": 0,
        },
    )
