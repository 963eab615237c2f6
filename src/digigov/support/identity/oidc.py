"""The OpenID Connect provider's glue to django-oauth-toolkit (DOT).

Signing keys live in the database (OidcSigningKey, private halves sealed with SM4), not in
settings. DOT reads `oauth2_settings.OIDC_RSA_PRIVATE_KEY` and `..._KEYS_INACTIVE` wherever
it signs or publishes (discovery, JWKS, Application.jwk_key, ID token signing);
`install_keyring()` turns those two names into properties backed by the keyring below, so
every DOT code path sees the current keys as plain strings (DOT's lru_cache of parsed PEMs
keeps working) and nothing touches the database at import time. Each process re-reads the
keys at most every DIGIGOV_OIDC_KEY_CACHE_SECONDS; the process that rotates sees the new
key at once.
"""

from __future__ import annotations

import json
import threading
import time

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from jwcrypto import jws
from oauth2_provider.models import get_access_token_model, get_grant_model, get_id_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem
from oauthlib.oauth2.rfc6749 import utils as oauth_utils

from digigov.kernel.audit.services import audit_record
from digigov.kernel.ids import mask_id_number

from .models import OidcSigningKey


class Keyring:
    """The active signing key and the retired keys still published, cached per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded_at = float("-inf")
        self._active = ""
        self._inactive: list[str] = []
        self._by_kid: dict[str, str] = {}

    def clear(self) -> None:
        with self._lock:
            self._loaded_at = float("-inf")
            self._by_kid = {}

    def _fresh(self) -> None:
        ttl = settings.DIGIGOV_OIDC_KEY_CACHE_SECONDS
        if time.monotonic() - self._loaded_at < ttl:
            return
        with self._lock:
            if time.monotonic() - self._loaded_at < ttl:
                return
            self._load()

    def _load(self) -> None:
        from .services import oidc_key_ensure, oidc_key_private_pem

        cutoff = timezone.now() - timezone.timedelta(
            seconds=settings.DIGIGOV_OIDC_RETIRED_KEY_SECONDS
        )
        rows = list(
            OidcSigningKey.objects.filter(Q(is_active=True) | Q(retired_at__gte=cutoff)).order_by(
                "-is_active", "-created_at"
            )
        )
        if not rows or not rows[0].is_active:
            rows.insert(0, oidc_key_ensure())
        by_kid = {row.kid: self._by_kid.get(row.kid) or oidc_key_private_pem(row) for row in rows}
        self._by_kid = by_kid
        self._active = by_kid[rows[0].kid]
        self._inactive = [by_kid[row.kid] for row in rows[1:]]
        self._loaded_at = time.monotonic()

    def active_pem(self) -> str:
        self._fresh()
        return self._active

    def inactive_pems(self) -> list[str]:
        self._fresh()
        return list(self._inactive)

    def pem_for_kid(self, kid: str) -> str | None:
        self._fresh()
        return self._by_kid.get(kid)


keyring = Keyring()


def _guarded(read):
    # An AttributeError escaping a property would send Python to DOT's __getattr__, which
    # would silently fall back to the empty placeholder: surface it as a real error.
    def getter(self):
        try:
            return read()
        except AttributeError as exc:
            raise RuntimeError(f"OIDC keyring failed: {exc}") from exc

    return property(getter)


def install_keyring() -> None:
    """Make DOT's two key settings read from the keyring (called from AppConfig.ready)."""
    base = type(oauth2_settings)
    if getattr(base, "_digigov_keyring", False):
        return
    oauth2_settings.__class__ = type(
        "KeyringOAuth2ProviderSettings",
        (base,),
        {
            "_digigov_keyring": True,
            "OIDC_RSA_PRIVATE_KEY": _guarded(keyring.active_pem),
            "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _guarded(keyring.inactive_pems),
        },
    )


class DigigovOAuth2Validator(OAuth2Validator):
    """Claims of the platform's ID tokens and userinfo, key lookup by kid, audit of tokens."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "account_kind": "profile",
        "real_name_level": "realname",
        "id_number_masked": "realname",
    }

    def get_additional_claims(self):
        # Request-agnostic form (one argument): DOT then lists these claims in discovery.
        return {
            "name": lambda request: request.user.get_full_name(),
            "preferred_username": lambda request: request.user.username,
            "account_kind": lambda request: request.user.kind,
            "real_name_level": lambda request: request.user.real_name_level,
            "id_number_masked": lambda request: (
                mask_id_number(request.user.id_number) if request.user.id_number else ""
            ),
        }

    def _get_key_for_token(self, token):
        """Verify our own ID tokens (id_token_hint at logout) with the key named by their
        kid, so a token signed before a rotation is still recognised."""
        unverified = jws.JWS()
        unverified.deserialize(token)
        header = unverified.jose_header
        kid = header.get("kid") if isinstance(header, dict) else None
        if header.get("alg") == "RS256" and kid:
            pem = keyring.pem_for_kid(kid)
            if pem is None:
                return None
            claims = json.loads(unverified.objects["payload"].decode("utf-8"))
            if "aud" not in claims or not self._get_client_by_audience(claims["aud"]):
                return None
            return jwk_from_pem(pem)
        return super()._get_key_for_token(token)

    # -- the authorization code, read once per token request ------------------------------
    # DOT reads the grant row six times while exchanging one code (scopes, validation,
    # redirect URI, PKCE challenge and method, nonce). Within the request the row only
    # changes by its deletion at the end, so the reads after the first reuse it; the
    # application check DOT makes is kept. validate_code still reads for itself.

    def _grant(self, code, request):
        cached = getattr(request, "_digigov_grant", None)
        if cached is None or cached.code != code:
            cached = get_grant_model().objects.filter(code=code).first()
            request._digigov_grant = cached
        return cached

    def _grant_of_client(self, code, request):
        grant = self._grant(code, request)
        client = getattr(request, "client", None)
        if grant is None or client is None or grant.application_id != client.pk:
            raise get_grant_model().DoesNotExist()
        return grant

    def get_authorization_code_scopes(self, client_id, code, redirect_uri, request):
        grant = self._grant(code, request)
        return oauth_utils.scope_to_list(grant.scope) if grant and grant.scope else []

    def get_authorization_code_nonce(self, client_id, code, redirect_uri, request):
        grant = self._grant(code, request)
        return (grant.nonce or None) if grant else None

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        return self._grant_of_client(code, request).redirect_uri_allowed(redirect_uri)

    def get_code_challenge(self, code, request):
        return self._grant_of_client(code, request).code_challenge or None

    def get_code_challenge_method(self, code, request):
        return self._grant_of_client(code, request).code_challenge_method or None

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        """DOT re-parses and re-verifies the ID token it signed a moment ago (and queries
        for it) to link it to the access token; the row is already on the request."""
        issued = getattr(request, "id_token", None)
        if not token.get("id_token") or not isinstance(issued, get_id_token_model()):
            return super()._create_access_token(expires, request, token, source_refresh_token)
        access_token = get_access_token_model()(
            user=request.user,
            scope=token["scope"],
            expires=expires,
            id_token=issued,
            application=request.client,
            source_refresh_token=source_refresh_token,
            resource=getattr(request, "resource", []),
        )
        self._set_token_value(access_token, token["access_token"])
        access_token.save()
        return access_token

    def _save_bearer_token(self, token, request, *args, **kwargs):
        # Runs inside DOT's transaction: the tokens and their audit entry commit together.
        result = super()._save_bearer_token(token, request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            audit_record(
                actor=f"{user.kind}:{user.pk}",
                action="identity.oidc.token_issue",
                object_type="Application",
                object_id=request.client.client_id,
                source_address=_address(request),
                detail={"grant_type": request.grant_type, "scope": token.get("scope", "")},
            )
        return result


def _address(request) -> str:
    headers = getattr(request, "headers", {}) or {}
    return headers.get("REMOTE_ADDR", "") if hasattr(headers, "get") else ""
