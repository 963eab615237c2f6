"""亲友代办 through the page: granting and revoking change the database; bad input
changes nothing and is explained beside the field."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from digigov.kernel.ids import mask_name
from digigov.portals.testing import citizen_make
from digigov.support.identity.models import Delegation
from digigov.support.identity.services import delegation_grant

pytestmark = pytest.mark.django_db


def _form(registry, index=1, **overrides):
    id_number = registry.id_numbers[index]
    data = {
        "agent_name": registry.name_of(id_number),
        "agent_id_number": id_number,
        "scopes": ["apply", "query"],
        "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_grant_creates_delegation_and_lists_it(login, citizen, registry):
    client = login(citizen)
    data = _form(registry)
    response = client.post(reverse("citizen:relatives"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("citizen:relatives")
    delegation = Delegation.objects.get()
    assert delegation.grantor_id == citizen.pk
    assert delegation.agent_id_number == data["agent_id_number"]
    assert sorted(delegation.scopes) == ["apply", "query"]
    expires = timezone.localtime(delegation.expires_at)
    assert expires.date().isoformat() == data["expires_on"]
    assert (expires.hour, expires.minute) == (23, 59)

    html = client.get(reverse("citizen:relatives")).content.decode()
    assert "已授权亲友代办" in html
    assert mask_name(data["agent_name"]) in html
    assert data["agent_id_number"] not in html
    assert "代为申办、代为查询" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"agent_name": ""}, "agent_name", "请填写亲友姓名"),
        ({"agent_id_number": "44010619900101001X"}, "agent_id_number", "身份证号"),
        ({"agent_id_number": "123"}, "agent_id_number", "应为 18 位"),
        ({"scopes": None}, "scopes", "请至少选择一项授权范围"),
        ({"scopes": ["everything"]}, "scopes", "授权范围无效"),
        ({"expires_on": "2000-01-01"}, "expires_on", "有效期必须晚于今天"),
        ({"expires_on": "明天"}, "expires_on", "日期格式"),
        ({"agent_name": "不是这个人"}, "agent_id_number", "核验未通过"),
    ],
)
def test_invalid_input_changes_nothing(login, citizen, registry, overrides, field, message):
    response = login(citizen).post(reverse("citizen:relatives"), _form(registry, **overrides))
    assert response.status_code == 422
    assert Delegation.objects.count() == 0
    form = response.context["form"]
    assert any(message in error for error in form.errors.get(field, [])), form.errors
    assert message in response.content.decode()


def test_self_and_too_long_expiry_refused_by_the_service(login, citizen, registry):
    client = login(citizen)
    own = client.post(
        reverse("citizen:relatives"),
        _form(registry, index=0),  # the citizen's own number
    )
    too_long = client.post(
        reverse("citizen:relatives"),
        _form(
            registry,
            expires_on=(timezone.localdate() + datetime.timedelta(days=800)).isoformat(),
        ),
    )
    assert own.status_code == too_long.status_code == 422
    assert "不能是本人" in own.content.decode()
    assert "有效期最长为" in too_long.content.decode()
    assert Delegation.objects.count() == 0


def test_l1_citizen_cannot_grant(login, citizen_l1, registry):
    response = login(citizen_l1).post(reverse("citizen:relatives"), _form(registry))
    assert response.status_code == 422
    assert "请先完成实名核验" in response.content.decode()
    assert Delegation.objects.count() == 0


def test_duplicate_grant_is_explained(login, citizen, registry):
    client = login(citizen)
    client.post(reverse("citizen:relatives"), _form(registry))
    response = client.post(reverse("citizen:relatives"), _form(registry))
    assert response.status_code == 422
    assert "请先撤销原授权" in response.content.decode()
    assert Delegation.objects.count() == 1


def _grant(citizen, registry, index=1):
    id_number = registry.id_numbers[index]
    return delegation_grant(
        principal=citizen.as_principal(),
        agent_id_number=id_number,
        agent_name=registry.name_of(id_number),
        scopes=["query"],
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )


def test_revoke_through_the_page(login, citizen, registry):
    delegation = _grant(citizen, registry)
    client = login(citizen)
    page = client.get(reverse("citizen:relatives")).content.decode()
    assert reverse("citizen:relative_revoke", args=[delegation.pk]) in page
    response = client.post(reverse("citizen:relative_revoke", args=[delegation.pk]))
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    page = client.get(reverse("citizen:relatives")).content.decode()
    assert "已撤销该亲友代办授权" in page
    assert "已失效" in page
    assert reverse("citizen:relative_revoke", args=[delegation.pk]) not in page


def test_cannot_revoke_someone_elses_delegation(login, citizen, registry):
    other = _grant(citizen, registry)
    relative_id = registry.id_numbers[2]
    intruder = citizen_make(username="intruder", id_number=relative_id)
    client = login(intruder)
    response = client.post(reverse("citizen:relative_revoke", args=[other.pk]), follow=True)
    assert "授权记录不存在" in response.content.decode()
    other.refresh_from_db()
    assert other.revoked_at is None


def test_received_delegations_are_listed_for_the_relative(login, citizen, registry):
    _grant(citizen, registry, index=1)
    relative = citizen_make(username="relative", id_number=registry.id_numbers[1])
    html = login(relative).get(reverse("citizen:relatives")).content.decode()
    assert "授权我代办的人" in html
    assert mask_name(citizen.real_name) in html
    assert "您还没有授权任何亲友" in html
    assert "代为查询" in html


def test_relatives_page_queries_do_not_grow_with_rows(login, citizen, registry):
    client = login(citizen)
    _grant(citizen, registry, index=1)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("citizen:relatives"))
    _grant(citizen, registry, index=2)
    _grant(citizen, registry, index=3)
    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse("citizen:relatives"))
    assert response.content.decode().count("撤销授权</button>") == 3
    assert len(three) == len(one)
