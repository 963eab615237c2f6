"""Who may open the citizen portal: citizens only; anonymous visitors go to the login page
with ?next=, other kinds of account are refused with a Chinese explanation."""

import datetime
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from digigov.support.identity.models import Delegation
from digigov.support.identity.services import delegation_grant

pytestmark = pytest.mark.django_db

PAGES = ["citizen:home", "citizen:profile", "citizen:relatives"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login_with_next(client, name):
    path = reverse(name)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('identity:login')}?next={quote(path, safe='')}"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("kind", ["enterprise", "staff_no_otp", "staff"])
def test_other_account_kinds_are_refused(as_kind, name, kind):
    response = as_kind(kind).get(reverse(name))
    assert response.status_code == 403
    html = response.content.decode()
    assert "账号类型不符" in html
    assert "仅供<strong>个人</strong>账号使用" in html


@pytest.mark.parametrize("name", PAGES)
def test_citizen_sees_the_page(as_kind, name):
    response = as_kind("citizen").get(reverse(name))
    assert response.status_code == 200
    assert response.context["portal_name"] == "粤省事"


@pytest.mark.parametrize("kind", ["anonymous", "enterprise", "staff"])
def test_grant_and_revoke_refused_to_non_citizens_change_nothing(as_kind, kind, citizen, registry):
    relative = registry.id_numbers[1]
    delegation = delegation_grant(
        principal=citizen.as_principal(),
        agent_id_number=relative,
        agent_name=registry.name_of(relative),
        scopes=["query"],
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    client = as_kind(kind)
    grant = client.post(
        reverse("citizen:relatives"),
        {
            "agent_name": registry.name_of(registry.id_numbers[2]),
            "agent_id_number": registry.id_numbers[2],
            "scopes": ["apply"],
            "expires_on": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        },
    )
    revoke = client.post(reverse("citizen:relative_revoke", args=[delegation.pk]))
    assert grant.status_code in (302, 403) and revoke.status_code in (302, 403)
    if kind == "anonymous":
        assert grant["Location"].startswith(reverse("identity:login"))
        assert revoke["Location"].startswith(reverse("identity:login"))
    assert Delegation.objects.count() == 1
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


def test_revoke_needs_post(as_kind):
    response = as_kind("citizen").get(reverse("citizen:relative_revoke", args=[1]))
    assert response.status_code == 405
