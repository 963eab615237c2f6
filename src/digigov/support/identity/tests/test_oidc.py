"""The OpenID Connect provider: discovery, PKCE, consent, claims, JWKS and key rotation,
RP-initiated logout, and an end-to-end login by a standard OIDC client (Authlib) against
a live server."""

from __future__ import annotations

import json
import re
import warnings

import httpx
import pytest
from django.core.management import call_command
from django.urls import reverse
from oauth2_provider.models import AccessToken

from digigov.kernel.audit.models import AuditEntry
from digigov.support.identity import services
from digigov.support.identity.models import OidcSigningKey
from digigov.support.identity.oidc import keyring

from . import factories
from .oidc_flow import REDIRECT, authorize_url, code_from, pkce_pair, tokens

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Authlib announces its move to joserfc
    from authlib.integrations.httpx_client import OAuth2Client
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.oidc.core import CodeIDToken

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
jwt = JsonWebToken(["RS256"])


def _client(client_id: str = "rp-trusted", *, trusted: bool = True, redirect: str = REDIRECT):
    return services.oidc_client_ensure(
        client_id=client_id,
        name="办事服务应用" if trusted else "第三方生活缴费",
        redirect_uris=[redirect],
        post_logout_redirect_uris=["http://rp.example/bye"],
        trusted=trusted,
    )


def _jwks(client) -> dict:
    return client.get("/o/.well-known/jwks.json").json()


def _decode(id_token: str, jwks: dict, **params):
    claims = jwt.decode(
        id_token,
        JsonWebKey.import_key_set(jwks),
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": "http://testserver/o"}},
        claims_params=params,
    )
    claims.validate()
    return claims


def _kid(token: str) -> str:
    import base64

    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


@pytest.mark.django_db
def test_discovery_document(client):
    meta = client.get("/o/.well-known/openid-configuration").json()
    assert meta["issuer"] == "http://testserver/o"
    assert meta["authorization_endpoint"] == "http://testserver/o/authorize/"
    assert meta["jwks_uri"] == "http://testserver/o/.well-known/jwks.json"
    assert meta["end_session_endpoint"] == "http://testserver/o/logout/"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert "RS256" in meta["id_token_signing_alg_values_supported"]
    for claim in (
        "real_name_level",
        "account_kind",
        "id_number_masked",
        "name",
        "preferred_username",
    ):
        assert claim in meta["claims_supported"]
    assert {"openid", "profile", "realname"} <= set(meta["scopes_supported"])


@pytest.mark.django_db
def test_jwks_publishes_the_key_from_the_database_never_the_private_half(client):
    jwks = _jwks(client)
    [key] = jwks["keys"]
    stored = OidcSigningKey.objects.get()
    assert key["kid"] == stored.kid and key["alg"] == "RS256" and key["kty"] == "RSA"
    assert "d" not in key and "p" not in key
    assert "PRIVATE KEY" not in stored.private_key_sealed  # sealed with SM4


@pytest.mark.django_db
def test_pkce_is_required_and_plain_is_refused(client, citizen):
    _client()
    client.force_login(citizen)
    missing = client.get(authorize_url("rp-trusted", None, code_challenge_method=None))
    assert missing.status_code == 302
    assert "error=invalid_request" in missing["Location"]
    assert "code=" not in missing["Location"]
    verifier, _ = pkce_pair()
    plain = client.get(authorize_url("rp-trusted", verifier, code_challenge_method="plain"))
    assert "error=" in plain["Location"] and "code=" not in plain["Location"]


@pytest.mark.django_db
def test_token_needs_the_right_code_verifier(client, citizen):
    _client()
    client.force_login(citizen)
    _, challenge = pkce_pair()
    code = code_from(client.get(authorize_url("rp-trusted", challenge))["Location"])
    other_verifier, _ = pkce_pair()
    response = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": "rp-trusted",
            "code_verifier": other_verifier,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.django_db
def test_anonymous_authorize_goes_to_our_login(client):
    _client()
    _, challenge = pkce_pair()
    response = client.get(authorize_url("rp-trusted", challenge))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login") + "?next=/o/authorize/")


@pytest.mark.django_db
def test_untrusted_client_shows_a_chinese_consent_page(client, citizen):
    _client("rp-third", trusted=False)
    client.force_login(citizen)
    _, challenge = pkce_pair()
    page = client.get(authorize_url("rp-third", challenge))
    assert page.status_code == 200
    body = page.content.decode()
    assert "授权登录" in body and "第三方生活缴费" in body and "同意并登录" in body
    assert "实名等级" in body  # the realname scope, described in Chinese
    form = {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body)
    }
    refused = client.post("/o/authorize/", form)
    assert "error=access_denied" in refused["Location"]
    allowed = client.post("/o/authorize/", {**form, "allow": "Authorize"})
    assert code_from(allowed["Location"])
    outcomes = list(
        AuditEntry.objects.filter(action="identity.oidc.consent").values_list("outcome", flat=True)
    )
    assert outcomes == ["denied", "success"]


@pytest.mark.django_db
def test_staff_must_pass_the_second_factor_before_authorizing(client, staff_member):
    _client()
    client.force_login(staff_member)
    _, challenge = pkce_pair()
    response = client.get(authorize_url("rp-trusted", challenge))
    assert response["Location"].startswith(reverse("identity:otp"))


@pytest.mark.django_db
def test_claims_in_id_token_and_userinfo(client, citizen):
    _client()
    client.force_login(citizen)
    issued = tokens(client, "rp-trusted")
    claims = _decode(issued["id_token"], _jwks(client), nonce="n-456", client_id="rp-trusted")
    assert claims["sub"] == str(citizen.pk)
    assert claims["aud"] == "rp-trusted"
    assert claims["real_name_level"] == 2
    assert claims["account_kind"] == "citizen"
    assert claims["name"] == "张三"
    assert claims["preferred_username"] == "zhangsan"
    assert claims["id_number_masked"].startswith("4401") and "*" in claims["id_number_masked"]
    assert citizen.id_number not in json.dumps(claims)
    access = AccessToken.objects.get(token=issued["access_token"])
    assert str(access.id_token.jti) == claims["jti"]  # linked to the ID token it came with
    info = client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {issued['access_token']}").json()
    assert info["sub"] == str(citizen.pk) and info["real_name_level"] == 2
    assert AuditEntry.objects.filter(
        action="identity.oidc.token_issue", object_id="rp-trusted"
    ).exists()
    # without the realname scope the real-name claims are left out
    narrow = tokens(client, "rp-trusted", scope="openid profile")
    claims = _decode(narrow["id_token"], _jwks(client), nonce="n-456", client_id="rp-trusted")
    assert "real_name_level" not in claims and "id_number_masked" not in claims
    assert claims["account_kind"] == "citizen"


@pytest.mark.django_db
def test_access_token_works_on_the_api(client, citizen):
    _client()
    client.force_login(citizen)
    issued = tokens(client, "rp-trusted")
    client.logout()
    me = client.get("/api/v1/identity/me", HTTP_AUTHORIZATION=f"Bearer {issued['access_token']}")
    assert me.status_code == 200 and me.json()["username"] == "zhangsan"


@pytest.mark.django_db
def test_key_rotation_keeps_old_tokens_verifiable(client, citizen):
    _client()
    client.force_login(citizen)
    old = tokens(client, "rp-trusted")["id_token"]
    old_kid = _kid(old)
    call_command("oidc_rotate_key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    keys = OidcSigningKey.objects.order_by("created_at")
    assert [k.is_active for k in keys] == [False, True]
    new = tokens(client, "rp-trusted")["id_token"]
    assert _kid(new) == keys[1].kid != old_kid
    jwks = _jwks(client)
    assert {k["kid"] for k in jwks["keys"]} == {old_kid, keys[1].kid}
    # both verify against the published JWKS
    _decode(old, jwks, nonce="n-456", client_id="rp-trusted")
    _decode(new, jwks, nonce="n-456", client_id="rp-trusted")
    assert AuditEntry.objects.filter(action="identity.oidc.key_rotate").count() == 1


@pytest.mark.django_db
def test_retired_keys_leave_the_jwks_after_their_grace_period(client, settings):
    first = services.oidc_key_ensure()
    services.oidc_key_rotate()
    settings.DIGIGOV_OIDC_RETIRED_KEY_SECONDS = 0
    keyring.clear()
    kids = {k["kid"] for k in _jwks(client)["keys"]}
    assert first.kid not in kids and len(kids) == 1


@pytest.mark.django_db
def test_rp_initiated_logout_with_a_token_signed_before_rotation(client, citizen):
    _client()
    client.force_login(citizen)
    id_token = tokens(client, "rp-trusted")["id_token"]
    services.oidc_key_rotate()
    response = client.get(
        "/o/logout/",
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": "http://rp.example/bye",
            "state": "s1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "http://rp.example/bye?state=s1"
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="identity.logout").count() == 1


@pytest.mark.django_db
def test_logout_without_a_hint_asks_in_chinese(client, citizen):
    client.force_login(citizen)
    page = client.get("/o/logout/")
    assert page.status_code == 200
    assert "确认退出" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_standard_oidc_client_logs_a_demo_citizen_in(live_server):
    """Authlib (not our code) runs authorization code + PKCE against a live server,
    validates the ID token's signature against the JWKS and its claims, reads userinfo."""
    citizen = factories.verified_account(name="张三", username="citizen")
    base = live_server.url
    callback = f"{base}/oidc/callback"
    _client("digigov-e2e", trusted=True, redirect=callback)

    meta = httpx.get(f"{base}/o/.well-known/openid-configuration").json()
    assert meta["issuer"] == f"{base}/o"
    # Every client is closed before the test ends: the live server's request threads
    # must not outlive the test database they share.
    rp = OAuth2Client(
        client_id="digigov-e2e",
        redirect_uri=callback,
        scope="openid profile realname",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    from authlib.common.security import generate_token

    verifier, nonce = generate_token(64), generate_token(20)
    url, state = rp.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    with httpx.Client(base_url=base, follow_redirects=False) as browser:
        to_login = browser.get(url)
        assert to_login.status_code == 302
        login_page = browser.get(to_login.headers["location"])
        form = login_page.text.split('data-testid="login-form"', 1)[1]
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        next_url = re.search(r'name="next" value="([^"]+)"', form).group(1)
        logged_in = browser.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": csrf,
                "username": "citizen",
                "password": factories.PASSWORD,
                "next": next_url.replace("&amp;", "&"),
            },
        )
        assert logged_in.status_code == 302, logged_in.text
        back = browser.get(logged_in.headers["location"])
        assert back.status_code == 302
        redirect_with_code = back.headers["location"]
    assert redirect_with_code.startswith(callback)

    token = rp.fetch_token(
        meta["token_endpoint"],
        authorization_response=redirect_with_code,
        code_verifier=verifier,
        state=state,
    )
    jwks = httpx.get(meta["jwks_uri"]).json()
    claims = jwt.decode(
        token["id_token"],
        JsonWebKey.import_key_set(jwks),
        claims_cls=CodeIDToken,
        claims_options={
            "iss": {"essential": True, "value": meta["issuer"]},
            "aud": {"essential": True, "value": "digigov-e2e"},
        },
        claims_params={
            "nonce": nonce,
            "client_id": "digigov-e2e",
            "access_token": token["access_token"],
        },
    )
    claims.validate()
    assert claims["sub"] == str(citizen.pk)
    assert claims["real_name_level"] == 2 and claims["account_kind"] == "citizen"

    userinfo = rp.get(meta["userinfo_endpoint"]).json()
    assert userinfo["sub"] == str(citizen.pk)
    assert userinfo["preferred_username"] == "citizen"
    assert userinfo["name"] == "张三"
    assert userinfo["id_number_masked"] == claims["id_number_masked"]
    assert "*" in userinfo["id_number_masked"]
    rp.close()
