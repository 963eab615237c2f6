"""粤商通: an enterprise agent signs in and sees the enterprise they are bound to."""

import pytest
from browser_steps import login

from digigov.data.registries.selectors import entity_brief
from digigov.portals.testing import PASSWORD, enterprise_agent_make

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_enterprise_agent_sees_the_bound_entity(open_browser, base_url, registry, screenshot):
    enterprise_agent_make(username="boss_rep", uscc=registry.usccs[0])
    entity = entity_brief(uscc=registry.usccs[0])
    page = open_browser().page
    login(page, base_url, username="boss_rep", password=PASSWORD, next_path="/business/")
    assert page.url == f"{base_url}/business/"
    bindings = page.get_by_test_id("bindings")
    assert entity.name in bindings.inner_text()
    assert entity.uscc in bindings.inner_text()
    assert "法定代表人" in bindings.inner_text()
    screenshot(page, "business-home")

    # The same account is refused by the citizen portal, with the reason in words.
    response = page.goto(f"{base_url}/citizen/")
    assert response.status == 403
    assert "账号类型不符" in page.get_by_role("heading", level=1).inner_text()
