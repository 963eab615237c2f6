"""OIDC authorization-code + PKCE logins per second against gunicorn on PostgreSQL.

One login is what a browser and a relying party do together, five HTTP requests:
GET /o/authorize (-> login page), GET /login/ (CSRF token), POST /login/ with the password,
GET /o/authorize again (-> redirect with the code; the client is trusted, no consent page),
POST /o/token/ with the PKCE verifier (-> access token and RS256 ID token).

Run: .venv/bin/python -m bench oidc_login
Environment: DIGIGOV_BENCH_POSTGRES_URL (server; the database digigov_bench_oidc is dropped
and re-created), BENCH_OIDC_ACCOUNTS (500), BENCH_OIDC_CLIENTS (concurrency levels, "8,16"),
BENCH_OIDC_LOGINS (per client, 25), BENCH_OIDC_WORKERS (gunicorn processes, 4).

Baseline in the same run: the same flow with Django's PBKDF2 hasher (accounts re-hashed,
server started with DIGIGOV_PASSWORD_HASHER=pbkdf2). Target: >= 30 logins/s, p99 <= 500 ms.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlencode, urlparse

from bench.common import (
    PG_URL,
    ROOT,
    Figure,
    concurrent_load,
    latency_summary,
    live_server,
    rate,
    report,
)

DATABASE = "digigov_bench_oidc"
CLIENT_ID = "bench-rp"
REDIRECT = "http://127.0.0.1:9/callback"  # never contacted: the code is read from Location
PASSWORD = "Bench#Login2025"
ACCOUNTS = int(os.environ.get("BENCH_OIDC_ACCOUNTS", "500"))
# Concurrency levels (closed loop: each client starts its next login when one ends).
LEVELS = [int(n) for n in os.environ.get("BENCH_OIDC_CLIENTS", "8,16").split(",")]
LOGINS_PER_CLIENT = int(os.environ.get("BENCH_OIDC_LOGINS", "25"))
WORKERS = int(os.environ.get("BENCH_OIDC_WORKERS", "4"))
BASELINE_LOGINS_PER_CLIENT = max(2, LOGINS_PER_CLIENT // 6)  # PBKDF2 is ~15x slower

_SEED = """
import django
django.setup()
from django.contrib.auth.hashers import make_password
from django.db import transaction
from digigov.support.identity.models import Account
from digigov.support.identity.services import oidc_client_ensure, oidc_key_ensure

count, hasher, password, client_id, redirect = {args!r}
# One hash for all accounts: verifying costs the same, and seeding stays quick even for
# PBKDF2. Each account gets its own row and its own session at login.
encoded = make_password(password, hasher=hasher)
with transaction.atomic():
    existing = set(Account.objects.values_list("username", flat=True))
    Account.objects.bulk_create(
        [
            Account(username=f"bench{{i:05d}}", password=encoded, kind="citizen")
            for i in range(count)
            if f"bench{{i:05d}}" not in existing
        ],
        batch_size=1000,
    )
    Account.objects.filter(username__startswith="bench").update(password=encoded)
oidc_key_ensure()
oidc_client_ensure(
    client_id=client_id,
    name="基准测试客户端",
    redirect_uris=[redirect],
    post_logout_redirect_uris=[],
    trusted=True,
)
"""


def _database_url() -> str:
    # Persistent connections, as any production deployment on PostgreSQL runs: opening a
    # connection (a backend process) per request would cost more than the whole login.
    parsed = urlparse(PG_URL)
    return parsed._replace(
        path=f"/{DATABASE}", query="conn_max_age=300&conn_health_checks=true"
    ).geturl()


def _recreate_database() -> None:
    import psycopg

    admin = urlparse(PG_URL)._replace(path="/postgres", query="").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def _env(hasher: str) -> dict[str, str]:
    return {
        "DATABASE_URL": _database_url(),
        "DIGIGOV_PASSWORD_HASHER": hasher,
        "DJANGO_SETTINGS_MODULE": "digigov.settings",
        "DIGIGOV_DEBUG": "false",
    }


def _django(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env={**os.environ, **env}, cwd=ROOT, check=True)


def _prepare(hasher: str, *, migrate: bool) -> None:
    env = _env(hasher)
    if migrate:
        _django([sys.executable, "-m", "digigov.cli", "migrate", "--noinput", "-v0"], env)
    algorithm = {"argon2": "argon2", "pbkdf2": "pbkdf2_sha256"}[hasher]
    script = _SEED.format(args=(ACCOUNTS, algorithm, PASSWORD, CLIENT_ID, REDIRECT))
    _django([sys.executable, "-c", script], env)


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


_CSRF = re.compile(r'data-testid="login-form".*?name="csrfmiddlewaretoken" value="([^"]+)"', re.S)
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Connection:
    """A keep-alive HTTP/1.1 connection with a cookie jar: the standard library's client,
    because a heavier client costs more CPU per request than the server it measures when
    a dozen threads share one interpreter on a 2-core machine."""

    def __init__(self, base: str) -> None:
        parsed = urlparse(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict | None = None
    ) -> tuple[int, dict[str, str], str]:
        headers = dict(_FORM) if form is not None else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(form) if form is not None else None
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (ConnectionError, http.client.HTTPException):
            self.connection.close()  # the server closed a kept-alive connection: retry once
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""') or "max-age=0" in rest.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text


class Browser:
    """One simulated user agent (and its relying party's back channel) per worker thread;
    the browser's cookies are cleared between logins."""

    def __init__(self, base: str) -> None:
        self.http = Connection(base)
        self.rp = Connection(base)

    def login(self, index: int) -> None:
        http = self.http
        http.cookies.clear()
        username = f"bench{index % ACCOUNTS:05d}"
        verifier, challenge = _pkce()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": CLIENT_ID,
                "redirect_uri": REDIRECT,
                "scope": "openid profile realname",
                "state": secrets.token_urlsafe(8),
                "nonce": secrets.token_urlsafe(8),
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        authorize = f"/o/authorize/?{query}"
        status, headers, _ = http.request("GET", authorize)
        _expect(status, 302, authorize)
        status, _, page = http.request("GET", headers["location"])
        _expect(status, 200, "login page")
        csrf = _CSRF.search(page).group(1)
        status, headers, _ = http.request(
            "POST",
            "/login/",
            {
                "csrfmiddlewaretoken": csrf,
                "username": username,
                "password": PASSWORD,
                "next": authorize,
            },
        )
        _expect(status, 302, "login")
        status, headers, _ = http.request("GET", headers["location"])
        _expect(status, 302, "authorize with session")
        code = parse_qs(urlparse(headers["location"]).query)["code"][0]
        status, _, body = self.rp.request(
            "POST",
            "/o/token/",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "client_id": CLIENT_ID,
                "code_verifier": verifier,
            },
        )
        _expect(status, 200, "token")
        if "id_token" not in json.loads(body):
            raise RuntimeError("no ID token")


def _expect(status: int, wanted: int, what: str) -> None:
    if status != wanted:
        raise RuntimeError(f"{what}: HTTP {status}")


def _run(hasher: str, *, levels: list[int], logins_per_client: int) -> dict[int, dict]:
    """One server per hasher; one bounded closed-loop run per concurrency level."""
    # Password hashing and Django are CPU-bound: one process per request in flight beats
    # threads sharing an interpreter lock (measured: 4x1 ~25% faster than 2x4 here).
    results: dict[int, dict] = {}
    with live_server(_env(hasher), workers=WORKERS, threads=1) as base:
        # warm-up: imports, the keyring's first load, database connections
        warm = Browser(base)
        for i in range(2 * WORKERS):
            warm.login(ACCOUNTS - 1 - i)
        for clients in levels:
            browsers: dict[int, Browser] = {}

            def one_login(index: int, browsers=browsers) -> None:
                client = index // logins_per_client
                browsers.setdefault(client, Browser(base)).login(index)

            time.sleep(0.5)
            seconds, latencies, errors = concurrent_load(
                one_login, clients=clients, requests_per_client=logins_per_client
            )
            results[clients] = {
                "rate": rate(len(latencies) - errors, seconds),
                "logins": len(latencies),
                "errors": errors,
                **latency_summary(latencies),
            }
    return results


def main() -> None:
    _recreate_database()
    _prepare("argon2", migrate=True)
    argon = _run("argon2", levels=LEVELS, logins_per_client=LOGINS_PER_CLIENT)
    _prepare("pbkdf2", migrate=False)
    pbkdf2 = _run("pbkdf2", levels=LEVELS[:1], logins_per_client=BASELINE_LOGINS_PER_CLIENT)
    base = pbkdf2[LEVELS[0]]
    server = f"gunicorn {WORKERS} workers x 1 thread, PostgreSQL"
    figures = []
    for clients, result in argon.items():
        figures.append(
            Figure(
                name=f"OIDC code+PKCE logins, Argon2id (m=19 MiB, t=2, p=1), {clients} clients",
                value=result["rate"],
                unit="logins/s",
                baseline_name=f"Django PBKDF2-SHA256 (1,000,000 iterations), {LEVELS[0]} clients",
                baseline_value=base["rate"],
                target=">= 30 logins/s, p99 <= 500 ms",
                extra={
                    **{k: v for k, v in result.items() if k != "rate"},
                    "baseline_logins": base["logins"],
                    "baseline_p50_ms": base["p50_ms"],
                    "baseline_p99_ms": base["p99_ms"],
                    "requests_per_login": 5,
                    "server": server,
                },
            )
        )
    report("oidc_login", figures)


if __name__ == "__main__":
    main()
