from django.urls import path

from . import bundles, guides, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("portals/", views.portals, name="portals"),
    path("about/", views.about, name="about"),
    path("guides/", guides.guide_list, name="guides"),
    path("guides/<str:code>/", guides.guide_detail, name="guide"),
    path("bundles/", bundles.bundle_list, name="bundles"),
    path("bundles/<str:code>/", bundles.bundle_guide, name="bundle"),
]
