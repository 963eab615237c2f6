from django.contrib import admin
from django.urls import include, path

from digigov.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("digigov.support.identity.urls")),
    path("citizen/", include("digigov.portals.citizen.urls")),
    path("business/", include("digigov.portals.business.urls")),
    path("staff/", include("digigov.portals.staff.urls")),
    path("", include("digigov.portals.web.urls")),
]
