from django.urls import include, path

from . import bundles, guides, license_show, seal_verify, verify, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("opendata/", include("digigov.portals.web.urls_opendata")),
    path("portals/", views.portals, name="portals"),
    path("about/", views.about, name="about"),
    path("guides/", guides.guide_list, name="guides"),
    path("guides/<str:code>/", guides.guide_detail, name="guide"),
    path("bundles/", bundles.bundle_list, name="bundles"),
    path("bundles/<str:code>/", bundles.bundle_guide, name="bundle"),
    path("verify/", verify.verify_form, name="verify"),
    path("verify/pdf/", seal_verify.seal_verify, name="seal_verify"),
    path("verify/l/<str:address>/", verify.verify_license, name="verify_license"),
    path("verify/s/<str:token>/", license_show.license_show, name="license_show"),
]
