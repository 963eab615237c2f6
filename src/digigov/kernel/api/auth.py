"""Who is calling the API: a person's session, an API key, or an OAuth2 bearer token
(client credentials for machines, authorization code for people). Each sets
request.principal; a failure is audited and answered 401 in the standard shape."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from digigov.kernel.audit.services import audit_record
from digigov.kernel.errors import PermissionDenied
from digigov.kernel.principals import Principal, client_address, request_principal

from .services import api_key_authenticate, machine_principal


def _audit_failure(request: HttpRequest, method: str) -> None:
    audit_record(
        actor="anonymous",
        action="api.auth.fail",
        object_type="api",
        object_id=request.path,
        outcome="denied",
        source_address=client_address(request),
        detail={"method": method},
    )


def user_principal(request: HttpRequest, user) -> Principal:
    return request_principal(request, user)


class ApiKeyAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None):
        if not key:
            return None
        client = api_key_authenticate(key)
        if client is None:
            _audit_failure(request, "api_key")
            return None
        request.principal = machine_principal(client, source_address=client_address(request))
        return request.principal


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        from oauth2_provider.models import get_access_token_model

        # By checksum, as django-oauth-toolkit does: indexed, and it still works when the
        # token itself is not stored (COMPLIANT_BCP_RFC9700_TOKEN_STORAGE).
        access = (
            get_access_token_model()
            .objects.select_related("application", "user")
            .filter(token_checksum=hashlib.sha256(token.encode()).hexdigest())
            .first()
        )
        if access is None or access.expires <= timezone.now():
            _audit_failure(request, "bearer")
            return None
        scopes = frozenset(access.scope.split())
        if access.user_id is None:
            client = getattr(access.application, "machine_client", None)
            if client is None or not client.is_active:
                _audit_failure(request, "bearer")
                return None
            principal = machine_principal(
                client, source_address=client_address(request), scopes=scopes
            )
        else:
            base = user_principal(request, access.user)
            principal = Principal(**{**base.__dict__, "scopes": base.scopes | scopes})
        request.principal = principal
        return principal


class PrincipalSessionAuth(SessionAuth):
    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF protects session cookies only. Without a signed-in session there is nothing
        # to protect, and failing here would refuse an API-key or bearer caller (tried
        # next) before it is even looked at.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        request.principal = user_principal(request, user)
        return request.principal


# The default for every endpoint: any of the three; order = cheapest first.
default_auth = [PrincipalSessionAuth(), ApiKeyAuth(), BearerTokenAuth()]


def require_scope(request: HttpRequest, scope: str) -> Principal:
    """Machines need the scope; people are checked by the service's own permission rules."""
    principal: Principal = request.principal
    if principal.kind == "machine" and not principal.has_scope(scope):
        audit_record(
            actor=principal.actor,
            action="api.scope.denied",
            object_type="api",
            object_id=request.path,
            outcome="denied",
            source_address=principal.source_address,
            detail={"scope": scope},
        )
        raise PermissionDenied(f"客户端缺少授权范围：{scope}", code="scope_missing")
    return principal
