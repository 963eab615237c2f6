"""The public portal: open to everyone, accessible markup, local assets only."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["web:home", "web:portals", "web:about"])
def test_public_pages_open_to_anonymous(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert response.context["portal_name"] == "广东政务服务网"


def test_home_links_to_each_portal_and_login(client):
    html = client.get(reverse("web:home")).content.decode()
    for name, label in [
        ("citizen:home", "粤省事"),
        ("business:home", "粤商通"),
        ("staff:home", "粤政易"),
    ]:
        assert f'href="{reverse(name)}"' in html
        assert label in html
    assert reverse("identity:login") in html


def test_pages_reference_no_external_assets(client):
    for name in ["web:home", "web:portals", "web:about"]:
        html = client.get(reverse(name)).content.decode()
        assert "<script" not in html  # no scripts at all yet, so none from a CDN
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not url.startswith(("http:", "https:", "//")), url


def test_about_has_accessibility_statement(client):
    html = client.get(reverse("web:about")).content.decode()
    assert "无障碍声明" in html
    assert "长辈模式" in html


def test_public_pages_refuse_writes(client):
    assert client.post(reverse("web:home")).status_code == 405


def test_stylesheet_is_served_locally(client):
    html = client.get(reverse("web:home")).content.decode()
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    assert href.startswith("/static/")
    response = client.get(href)
    assert response.status_code == 200
    css = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"body.elderly" in css
