"""粤商通: a legal representative binds an enterprise from the profile page."""

import pytest
from django.urls import reverse

from digigov.data.registries.selectors import entity_brief
from digigov.portals.testing import citizen_make
from digigov.support.identity.models import EntityBinding

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_unbound(registry):
    """The first entity's legal representative, with an enterprise account not yet bound."""
    rep = entity_brief(uscc=registry.usccs[0]).legal_rep_id_number
    return citizen_make(username="rep_new", id_number=rep, kind="enterprise")


@pytest.fixture
def stranger(registry):
    """An enterprise account of somebody who represents none of the entities."""
    reps = {entity_brief(uscc=u).legal_rep_id_number for u in registry.usccs}
    other = next(n for n in registry.id_numbers if n not in reps)
    return citizen_make(username="stranger", id_number=other, kind="enterprise")


def test_legal_representative_binds_the_enterprise(login, rep_unbound, registry):
    client = login(rep_unbound)
    response = client.post(reverse("business:bind"), {"uscc": registry.usccs[0].lower()})
    assert response.status_code == 302
    binding = EntityBinding.objects.get(account=rep_unbound)
    assert (binding.entity_id, binding.role) == (registry.usccs[0], "legal_rep")
    page = client.get(reverse("business:profile")).content.decode()
    assert entity_brief(uscc=registry.usccs[0]).name in page


def test_someone_else_cannot_bind_and_sees_why(login, stranger, registry):
    response = login(stranger).post(
        reverse("business:bind"), {"uscc": registry.usccs[0]}, follow=True
    )
    assert not EntityBinding.objects.filter(account=stranger).exists()
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "法定代表人" in messages[0]


def test_empty_code_changes_nothing(login, rep_unbound):
    response = login(rep_unbound).post(reverse("business:bind"), {"uscc": ""}, follow=True)
    assert not EntityBinding.objects.filter(account=rep_unbound).exists()
    assert "请填写统一社会信用代码" in response.content.decode()


@pytest.mark.parametrize("kind", ["anonymous", "citizen"])
def test_others_cannot_post(as_kind, kind, registry):
    response = as_kind(kind).post(reverse("business:bind"), {"uscc": registry.usccs[0]})
    assert response.status_code in (302, 403)
    assert not EntityBinding.objects.filter(entity_id=registry.usccs[0]).exists()
