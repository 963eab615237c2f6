from django.urls import path

from . import views

app_name = "citizen"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("relatives/", views.relatives, name="relatives"),
    path("relatives/<int:delegation_id>/revoke/", views.relative_revoke, name="relative_revoke"),
    path("elderly/", views.elderly, name="elderly"),
]
