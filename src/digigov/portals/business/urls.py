from django.urls import path

from . import bundles, cases, licenses, ratings, views

app_name = "business"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("bind/", views.bind, name="bind"),
    path("apply/<str:item_code>/", cases.apply, name="apply"),
    path("cases/", cases.cases, name="cases"),
    path("cases/<str:number>/", cases.case, name="case"),
    path("cases/<str:number>/withdraw/", cases.case_withdraw, name="case_withdraw"),
    path("cases/<str:number>/correct/", cases.case_correct, name="case_correct"),
    path("cases/<str:number>/rating/", ratings.case_rating, name="case_rating"),
    path("bundles/applications/", bundles.applications, name="bundle_applications"),
    path("bundles/applications/<str:number>/", bundles.application, name="bundle_application"),
    path(
        "bundles/applications/<str:number>/withdraw/",
        bundles.application_withdraw,
        name="bundle_withdraw",
    ),
    path("bundles/<str:code>/apply/", bundles.apply, name="bundle_apply"),
    path("licenses/", licenses.wallet, name="licenses"),
    path(
        "licenses/authorizations/<int:authorization_id>/grant/",
        licenses.authorization_decide,
        {"action": "grant"},
        name="authorization_grant",
    ),
    path(
        "licenses/authorizations/<int:authorization_id>/refuse/",
        licenses.authorization_decide,
        {"action": "refuse"},
        name="authorization_refuse",
    ),
    path(
        "licenses/authorizations/<int:authorization_id>/withdraw/",
        licenses.authorization_decide,
        {"action": "withdraw"},
        name="authorization_withdraw",
    ),
    path("licenses/<str:address>/", licenses.license_detail, name="license"),
    path(
        "licenses/<str:address>/download/<str:file_format>/",
        licenses.license_download,
        name="license_download",
    ),
]
