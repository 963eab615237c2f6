from django.contrib import admin
from django.urls import include, path

from digigov.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/3/", include("digigov.data.opendata.ckan_urls")),
    path("api/", include("digigov.data.opendata.ckan_urls")),  # ckanapi calls /api/action/<name>
    path("opendata/", include("digigov.data.opendata.urls")),  # downloads, DCAT (before web)
    path("o/", include("digigov.support.identity.oidc_urls", namespace="oauth2_provider")),
    path("", include("digigov.support.identity.urls")),
    path("citizen/", include("digigov.portals.citizen.urls")),
    path("business/", include("digigov.portals.business.urls")),
    path("staff/", include("digigov.portals.staff.urls")),
    path("kiosk/", include("digigov.portals.kiosk.urls")),
    path("", include("digigov.portals.web.urls")),
]


def not_found(request, exception=None):
    """Unknown /api/ paths answer in the API's JSON error shape; pages get the HTML 404."""
    if request.path.startswith(("/api/3/", "/api/action/")):
        from digigov.data.opendata.views.ckan import not_found as ckan_not_found

        return ckan_not_found(request)  # CKAN clients expect CKAN's error envelope
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        from digigov.kernel.api.root import error_body

        return JsonResponse(error_body("not_found", "接口不存在"), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


handler404 = not_found
