"""代亲友办理 on the 粤省事 apply page: a pick-list of the relatives who authorised the
citizen (masked name and ID number shown, the delegation id sent), resolved on the server
to the real person; a choice that is not a live "apply" delegation to this citizen is
refused (audited) and files nothing. The typed-ID path keeps working."""

# ruff: noqa: F811 (pytest fixtures are imported from test_applications_support)

from __future__ import annotations

import pytest

from digigov.apps.services.models import Application
from digigov.apps.services.selectors.relatives import relative_applicant, relatives_for_apply
from digigov.apps.services.tests.test_applications_support import (  # noqa: F401 (fixtures)
    citizen_make,
    delegation_make,
    dispatched,
    login,
    person_item,
    principal_of,
    world,
)
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import PermissionDenied
from digigov.kernel.ids import mask_id_number, mask_name
from digigov.support.identity import services as identity

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def family(world):
    agent = citizen_make("agent", world.people[0])
    mother = citizen_make("mother", world.people[1])
    father = citizen_make("father", world.people[2])
    stranger = citizen_make("stranger", world.people[3])
    return {
        "agent": agent,
        "mother": mother,
        "father": father,
        "stranger": stranger,
        "to_mother": delegation_make(mother, agent),
        "query_only": delegation_make(father, agent, scopes=("query",)),
        "to_stranger": delegation_make(mother, stranger),
    }


def test_the_page_lists_authorising_relatives_masked(client, world, family):
    item = person_item()
    html = _text(login(client, family["agent"]).get(f"/citizen/apply/{item.code}/"))
    assert 'data-testid="relative-picklist"' in html
    mother_id = world.people[1]
    assert f'name="relative" value="{family["to_mother"].pk}"' in html
    assert mask_id_number(mother_id) in html and mask_name(world.name(mother_id)) in html
    assert mother_id not in html and world.name(mother_id) not in html
    # a delegation without the "apply" scope is not offered
    assert f'value="{family["query_only"].pk}"' not in html
    assert world.people[2] not in html
    # the typed-ID path is still offered
    assert 'name="relative_id_number"' in html


def test_choosing_and_submitting_through_the_picklist(client, world, family, dispatched):
    item = person_item()
    client = login(client, family["agent"])
    page = f"/citizen/apply/{item.code}/"
    choice = str(family["to_mother"].pk)
    chosen = client.post(page, {"action": "relative", "relative": choice})
    html = _text(chosen)
    assert chosen.status_code == 200 and 'data-testid="on-behalf"' in html
    assert mask_name(world.name(world.people[1])) in html
    # the apply form carries the delegation id, not the relative's ID number
    assert f'<input type="hidden" name="relative" value="{choice}">' in html
    assert 'name="applicant_id_number"' not in html
    done = client.post(
        page,
        {"action": "submit", "idempotency_key": "r1", "relative": choice, "f_phone": "13912345678"},
    )
    assert done.status_code == 302, _text(done)
    case = Application.objects.get()
    assert case.is_on_behalf and case.applicant_id_number == world.people[1]
    assert case.filed_by_account_id == family["agent"].pk


@pytest.mark.parametrize(
    "which", ["query_only", "to_stranger", "revoked", "made_up", "not_a_number"]
)
def test_a_choice_that_is_not_a_live_apply_delegation_is_refused(
    client, world, family, dispatched, which
):
    item = person_item()
    if which == "revoked":
        identity.delegation_revoke(
            principal=principal_of(family["mother"]), delegation_id=family["to_mother"].pk
        )
        choice = str(family["to_mother"].pk)
    elif which == "made_up":
        choice = "999999"
    elif which == "not_a_number":
        choice = world.people[3]  # an ID number instead of a choice
    else:
        choice = str(family[which].pk)
    client = login(client, family["agent"])
    page = f"/citizen/apply/{item.code}/"
    denied_before = AuditEntry.objects.filter(
        action="services.relative.resolve", outcome="denied"
    ).count()
    for data in (
        {"action": "relative", "relative": choice},
        {"action": "submit", "idempotency_key": "r2", "relative": choice, "f_phone": "13912345678"},
    ):
        response = client.post(page, data)
        assert response.status_code == 403
        assert "所选亲友未授权您代为申办" in _text(response)
    assert not Application.objects.exists()
    assert (
        AuditEntry.objects.filter(action="services.relative.resolve", outcome="denied").count()
        == denied_before + 2
    )


def test_the_typed_id_path_still_works_and_is_still_checked(client, world, family, dispatched):
    item = person_item()
    client = login(client, family["agent"])
    page = f"/citizen/apply/{item.code}/"
    chosen = client.post(page, {"action": "relative", "relative_id_number": world.people[1]})
    assert chosen.status_code == 200 and 'data-testid="on-behalf"' in _text(chosen)
    refused = client.post(page, {"action": "relative", "relative_id_number": world.people[3]})
    assert refused.status_code == 403
    empty = client.post(page, {"action": "relative"})
    assert empty.status_code == 422 and "请选择要代为办理的亲友" in _text(empty)
    # a forged applicant_id_number on submit is checked by the services
    forged = client.post(
        page,
        {
            "action": "submit",
            "idempotency_key": "r3",
            "applicant_id_number": world.people[3],
            "f_phone": "13912345678",
        },
    )
    assert forged.status_code == 403
    assert not Application.objects.exists()


def test_selectors(world, family):
    agent = principal_of(family["agent"])
    choices = relatives_for_apply(principal=agent)
    assert [c.value for c in choices] == [str(family["to_mother"].pk)]
    assert relative_applicant(principal=agent, choice=choices[0].value) == world.people[1]
    with pytest.raises(PermissionDenied):
        relative_applicant(principal=agent, choice=str(family["to_stranger"].pk))
    # another citizen cannot use the agent's delegation id
    with pytest.raises(PermissionDenied):
        relative_applicant(
            principal=principal_of(family["father"]), choice=str(family["to_mother"].pk)
        )
