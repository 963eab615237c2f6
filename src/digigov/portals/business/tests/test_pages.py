"""粤商通: enterprise agents see the entities they are bound to; nobody else gets in."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from digigov.data.registries.selectors import entity_brief
from digigov.kernel.ids import mask_id_number
from digigov.portals.testing import citizen_make

pytestmark = pytest.mark.django_db

PAGES = ["business:home", "business:profile"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login_with_next(client, name):
    path = reverse(name)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('identity:login')}?next={quote(path, safe='')}"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("kind", ["citizen", "staff"])
def test_other_account_kinds_are_refused(as_kind, name, kind):
    response = as_kind(kind).get(reverse(name))
    assert response.status_code == 403
    assert "仅供<strong>企业经办人</strong>账号使用" in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_bound_agent_sees_the_entity(login, enterprise, registry, name):
    response = login(enterprise).get(reverse(name))
    assert response.status_code == 200
    assert response.context["portal_name"] == "粤商通"
    html = response.content.decode()
    entity = entity_brief(uscc=registry.usccs[0])
    assert entity.name in html
    assert entity.uscc in html
    assert "法定代表人" in html


def test_profile_masks_the_agents_id_number(login, enterprise):
    html = login(enterprise).get(reverse("business:profile")).content.decode()
    assert mask_id_number(enterprise.person_id) in html
    assert enterprise.person_id not in html


def test_unbound_agent_is_told_how_to_bind(login, db):
    agent = citizen_make(username="newagent", kind="enterprise")
    html = login(agent).get(reverse("business:home")).content.decode()
    assert "尚未绑定企业" in html
