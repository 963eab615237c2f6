from django.urls import path

from . import bundles, cases, ratings, views

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
    path("bundles/<str:code>/apply/", bundles.apply, name="bundle_apply"),
]
