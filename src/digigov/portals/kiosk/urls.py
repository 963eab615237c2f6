from django.urls import path

from . import views

app_name = "kiosk"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/<str:item_code>/", views.apply, name="apply"),
    path("receipt/<str:number>/", views.receipt, name="receipt"),
    path("bundles/<str:code>/", views.bundle_apply, name="bundle_apply"),
    path("bundles/receipts/<str:number>/", views.bundle_receipt, name="bundle_receipt"),
]
