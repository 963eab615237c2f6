from django.urls import path

from . import views

app_name = "identity"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.otp_view, name="otp"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("realname/", views.realname_view, name="realname"),
    path("identity/verify-in-person/", views.verify_in_person_view, name="verify_in_person"),
]
