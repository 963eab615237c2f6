"""Elderly mode (适老化): a keyboard-reachable, labelled toggle kept in the session and a
cookie; pages then carry the `elderly` class on <body>."""

import re

import pytest
from django.urls import reverse

from digigov.portals.web.preferences import ELDERLY_COOKIE, ELDERLY_SESSION_KEY

pytestmark = pytest.mark.django_db


def _body_class(response) -> str:
    return re.search(r'<body class="([^"]*)"', response.content.decode()).group(1)


def test_toggle_on_sets_session_and_cookie_and_returns_to_page(login, citizen):
    client = login(citizen)
    home = reverse("citizen:home")
    assert "elderly" not in _body_class(client.get(home)).split()
    response = client.post(reverse("citizen:elderly"), {"enabled": "1", "next": home})
    assert response.status_code == 302
    assert response["Location"] == home
    assert response.cookies[ELDERLY_COOKIE].value == "1"
    assert response.cookies[ELDERLY_COOKIE]["max-age"] >= 30 * 24 * 3600
    assert client.session[ELDERLY_SESSION_KEY] is True
    page = client.get(home)
    assert "elderly" in _body_class(page).split()
    assert 'aria-pressed="true"' in page.content.decode()
    assert "长辈模式（已开启）" in page.content.decode()


def test_toggle_off(login, citizen):
    client = login(citizen)
    client.post(reverse("citizen:elderly"), {"enabled": "1"})
    response = client.post(reverse("citizen:elderly"), {"enabled": "0"})
    assert response.cookies[ELDERLY_COOKIE].value == "0"
    assert "elderly" not in _body_class(client.get(reverse("citizen:home"))).split()


def test_cookie_alone_survives_logout(client):
    client.cookies[ELDERLY_COOKIE] = "1"
    assert "elderly" in _body_class(client.get(reverse("web:home"))).split()


def test_anonymous_may_toggle_for_the_login_page(client):
    login_url = reverse("identity:login")
    response = client.post(reverse("citizen:elderly"), {"enabled": "1", "next": login_url})
    assert response["Location"] == login_url
    assert "elderly" in _body_class(client.get(login_url)).split()


def test_foreign_next_is_ignored(client):
    response = client.post(
        reverse("citizen:elderly"), {"enabled": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("web:home")


def test_toggle_needs_post(client):
    assert client.get(reverse("citizen:elderly")).status_code == 405


def test_toggle_is_a_labelled_button_in_every_page(client):
    html = client.get(reverse("web:home")).content.decode()
    form = re.search(
        rf'<form method="post" action="{reverse("citizen:elderly")}".*?</form>', html, re.S
    ).group(0)
    assert re.search(r'<button type="submit" aria-pressed="false"[^>]*>长辈模式', form)
    assert 'name="csrfmiddlewaretoken"' in form
