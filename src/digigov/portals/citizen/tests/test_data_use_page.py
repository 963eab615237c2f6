"""粤省事 · 谁用了我的数据: a real-name citizen sees the calls that read their own record,
never anyone else's; L1 citizens are told to verify first; others are kept out."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from digigov.data.registries.selectors import entity_brief
from digigov.data.sharing.services.exchange import (
    exchange_caches_clear,
    exchange_record_get,
    exchange_verify_person,
)
from digigov.data.sharing.services.requests import sharing_request_submit
from digigov.data.sharing.tests.factories import client_make, period, requester, world_make
from digigov.kernel.api.models import MachineClient
from digigov.kernel.api.services import machine_principal
from digigov.support.identity import testing as identity_testing

pytestmark = pytest.mark.django_db
URL = "/citizen/data-use/"


@pytest.fixture(autouse=True)
def _fresh_caches():
    exchange_caches_clear()
    cache.clear()
    yield
    exchange_caches_clear()


@pytest.fixture
def world(db):
    world = world_make()
    sharing_request_submit(
        principal=requester(world), resource_code=world.entity.code,
        fields=["uscc", "name", "legal_rep_id_number"], purpose="p", legal_basis="b", scope="s",
        period_end=period(),
    )  # fmt: skip
    client_id, _ = client_make(world.mzt)
    machine = machine_principal(MachineClient.objects.get(pk=client_id))
    exchange_verify_person(
        principal=machine, id_number=world.people[0], name="张三", purpose="低保申请人身份核验"
    )
    exchange_verify_person(
        principal=machine, id_number=world.people[1], name="李四", purpose="别人的核验"
    )
    exchange_record_get(
        principal=machine, resource_code=world.entity.code, key=world.usccs[0], purpose="法人核对"
    )
    return world


def test_citizen_sees_only_calls_on_their_own_record(client, world):
    citizen = identity_testing.citizen_make("citizen_me", world.people[0])
    identity_testing.login(client, citizen)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "低保申请人身份核验" in page and world.mzt.name in page
    assert "别人的核验" not in page
    rep = entity_brief(uscc=world.usccs[0]).legal_rep_id_number
    assert f"共 {2 if rep == world.people[0] else 1} 条记录" in page
    assert "民政业务系统" not in page  # the department, not its system's name


def test_legal_representative_sees_reads_of_the_entity_record(client, world):
    rep = entity_brief(uscc=world.usccs[0]).legal_rep_id_number
    citizen = identity_testing.citizen_make("citizen_rep", rep)
    identity_testing.login(client, citizen)
    page = client.get(URL).content.decode()
    assert "法人核对" in page
    # the data items by their catalog labels, not their column names
    assert "法定代表人身份证号" in page and "legal_rep_id_number" not in page


def test_unverified_citizen_is_asked_to_verify(client, world):
    citizen = identity_testing.citizen_make("citizen_l1")
    identity_testing.login(client, citizen)
    response = client.get(URL)
    assert response.status_code == 403 and "实名认证" in response.content.decode()


def test_anonymous_and_staff_are_kept_out(client, world):
    assert client.get(URL).status_code == 302
    staff = identity_testing.staff_make(
        "staff_s1", organization_code="440100-mzt", roles=["数据共享审批人员"]
    )
    identity_testing.login(client, staff)
    assert client.get(URL).status_code in (302, 403)
