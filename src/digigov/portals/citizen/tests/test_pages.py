"""Home and profile: greeting, real-name level, masked personal data."""

import pytest
from django.urls import reverse

from digigov.kernel.ids import mask_id_number

pytestmark = pytest.mark.django_db


def test_home_greets_and_shows_level_without_upgrade_link_at_l2(login, citizen):
    html = login(citizen).get(reverse("citizen:home")).content.decode()
    assert f"您好，{citizen.real_name}" in html
    assert "L2" in html and "实名核验" in html
    assert reverse("identity:realname") not in html


def test_home_offers_upgrade_to_l2_for_l1(login, citizen_l1):
    html = login(citizen_l1).get(reverse("citizen:home")).content.decode()
    assert "L1" in html
    assert f'href="{reverse("identity:realname")}"' in html


def test_profile_shows_masked_id_and_phone_only(login, citizen):
    html = login(citizen).get(reverse("citizen:profile")).content.decode()
    assert mask_id_number(citizen.person_id) in html
    assert citizen.person_id not in html
    assert "13800138000" not in html
    assert "138****8000" in html
    assert "L2" in html


def test_pages_mark_current_nav_item(login, citizen):
    html = login(citizen).get(reverse("citizen:profile")).content.decode()
    assert f'href="{reverse("citizen:profile")}" aria-current="page"' in html
