from django.urls import path

from . import views

app_name = "business"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("bind/", views.bind, name="bind"),
]
