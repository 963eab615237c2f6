"""A browser-less authorization-code + PKCE flow through Django's test client (for tests
that need tokens but not a live server)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlparse

REDIRECT = "http://rp.example/callback"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def authorize_url(
    client_id: str, challenge: str, *, scope: str = "openid profile realname", **extra
) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "st-123",
        "nonce": "n-456",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    return "/o/authorize/?" + urlencode({k: v for k, v in query.items() if v is not None})


def code_from(location: str) -> str:
    assert location.startswith(REDIRECT), location
    params = parse_qs(urlparse(location).query)
    assert params.get("state") == ["st-123"], params
    return params["code"][0]


def tokens(client, client_id: str, *, scope: str = "openid profile realname") -> dict:
    """Log-in must already be done on `client`. Returns the token endpoint's JSON."""
    verifier, challenge = pkce_pair()
    response = client.get(authorize_url(client_id, challenge, scope=scope))
    assert response.status_code == 302, response.content
    code = code_from(response["Location"])
    token = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.content
    return token.json()
