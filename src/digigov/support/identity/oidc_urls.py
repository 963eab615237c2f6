"""The OIDC provider's endpoints, mounted at /o/ under the "oauth2_provider" namespace.

Only what an OpenID Provider needs: authorization (with our Chinese consent page), token,
revocation, introspection, discovery, JWKS, userinfo and RP-initiated logout. DOT's
self-service application management, device flow and dynamic registration stay unmounted:
clients are registered by administrators in the back office.
"""

from django.urls import path, re_path
from oauth2_provider import views as dot

from . import views

app_name = "oauth2_provider"
urlpatterns = [
    path("authorize/", views.ConsentView.as_view(), name="authorize"),
    path("token/", views.AtomicTokenView.as_view(), name="token"),
    path("revoke_token/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", dot.IntrospectTokenView.as_view(), name="introspect"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        dot.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(
        ".well-known/oauth-authorization-server",
        dot.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", dot.UserInfoView.as_view(), name="user-info"),
    path("logout/", views.LogoutConfirmView.as_view(), name="rp-initiated-logout"),
]
