"""Real-name levels: L2 online against the population registry, L3 in person by staff."""

from __future__ import annotations

import pytest
from django.urls import reverse

from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Throttled,
    ValidationFailed,
)
from digigov.kernel.events.models import Event
from digigov.support.identity import services
from digigov.support.identity.models import Account

from . import factories
from .conftest import otp_session_login

pytestmark = pytest.mark.django_db


def test_l2_binds_the_account_to_the_registry_person():
    person = factories.person(name="李四")
    account = factories.account()
    level = services.realname_verify(
        principal=account.as_principal(), name="李四", id_number=person.id_number.lower()
    )
    account.refresh_from_db()
    assert level == 2
    assert account.real_name_level == 2
    assert account.person_id == person.id_number
    assert account.real_name == "李四"
    entry = AuditEntry.objects.filter(action="identity.realname.verify", outcome="success").get()
    assert person.id_number not in str(entry.detail)  # only the masked number is logged
    assert Event.objects.filter(topic="identity.realname.verified").exists()


def test_l2_mismatch_is_refused_audited_and_changes_nothing():
    person = factories.person(name="李四")
    account = factories.account()
    with pytest.raises(ValidationFailed) as caught:
        services.realname_verify(
            principal=account.as_principal(), name="李五", id_number=person.id_number
        )
    assert caught.value.code == "realname_mismatch"
    account.refresh_from_db()
    assert account.real_name_level == 1 and account.person_id is None
    assert (
        AuditEntry.objects.filter(action="identity.realname.verify", outcome="denied").count() == 1
    )


def test_l2_rejects_an_invalid_id_number_with_its_reason():
    account = factories.account()
    bad = factories.id_number()[:-1] + ("0" if factories.id_number()[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as caught:
        services.realname_verify(principal=account.as_principal(), name="李四", id_number=bad)
    assert "校验位" in caught.value.message
    assert "id_number" in caught.value.fields


def test_l2_is_throttled_after_five_failures():
    person = factories.person(name="李四")
    account = factories.account()
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            services.realname_verify(
                principal=account.as_principal(), name="错名", id_number=person.id_number
            )
    with pytest.raises(Throttled):
        services.realname_verify(
            principal=account.as_principal(), name="李四", id_number=person.id_number
        )
    account.refresh_from_db()
    assert account.real_name_level == 1


def test_an_id_number_binds_one_account_of_a_kind():
    first = factories.verified_account(name="赵六")
    second = factories.account()
    with pytest.raises(Conflict):
        services.realname_verify(
            principal=second.as_principal(), name="赵六", id_number=first.person_id
        )
    # an enterprise account of the same person is a different kind: allowed
    agent = factories.account(kind="enterprise")
    assert (
        services.realname_verify(
            principal=agent.as_principal(), name="赵六", id_number=first.person_id
        )
        == 2
    )


def test_staff_cannot_use_online_realname(staff_member):
    person = factories.person()
    with pytest.raises(PermissionDenied):
        services.realname_verify(
            principal=staff_member.as_principal(), name=person.name, id_number=person.id_number
        )


def test_l3_records_who_where_and_when(citizen, staff_member):
    level = services.realname_verify_in_person(
        principal=staff_member.as_principal(),
        account_id=citizen.pk,
        place="广州市天河区政务服务中心 3 号窗口",
    )
    citizen.refresh_from_db()
    assert level == 3 == citizen.real_name_level
    assert citizen.verified_by == staff_member
    assert citizen.verified_at is not None
    assert citizen.verified_place == "广州市天河区政务服务中心 3 号窗口"
    entry = AuditEntry.objects.get(action="identity.realname.in_person", outcome="success")
    assert entry.actor == f"staff:{staff_member.pk}"


def test_l3_needs_the_permission_and_changes_nothing_without(citizen, staff_plain):
    with pytest.raises(PermissionDenied):
        services.realname_verify_in_person(
            principal=staff_plain.as_principal(), account_id=citizen.pk, place="某地"
        )
    with pytest.raises(PermissionDenied):
        services.realname_verify_in_person(
            principal=citizen.as_principal(), account_id=citizen.pk, place="某地"
        )
    citizen.refresh_from_db()
    assert citizen.real_name_level == 2 and citizen.verified_by is None
    assert (
        AuditEntry.objects.filter(action="identity.realname.in_person", outcome="denied").count()
        == 2
    )


def test_l3_needs_l2_first(staff_member):
    account = factories.account()
    with pytest.raises(ValidationFailed):
        services.realname_verify_in_person(
            principal=staff_member.as_principal(), account_id=account.pk, place="某地"
        )
    with pytest.raises(NotFound):
        services.realname_verify_in_person(
            principal=staff_member.as_principal(), account_id=staff_member.pk, place="某地"
        )


def test_realname_page(client):
    person = factories.person(name="孙七")
    account = factories.account(username="sunqi")
    client.force_login(account)
    page = client.get(reverse("identity:realname"))
    assert "L1 注册用户" in page.content.decode()
    wrong = client.post(
        reverse("identity:realname"), {"name": "孙八", "id_number": person.id_number}
    )
    assert wrong.status_code == 422
    assert "姓名与身份证号不一致" in wrong.content.decode()
    ok = client.post(reverse("identity:realname"), {"name": "孙七", "id_number": person.id_number})
    assert ok.status_code == 302
    assert Account.objects.get(pk=account.pk).real_name_level == 2


def test_realname_page_needs_a_citizen_or_enterprise_login(client, staff_member):
    assert client.get(reverse("identity:realname")).status_code == 302
    otp_session_login(client, staff_member)
    response = client.get(reverse("identity:realname"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_verify_in_person_page(client, citizen, staff_member, staff_plain):
    url = reverse("identity:verify_in_person")
    # anonymous -> login; citizen -> 403 (wrong account kind); staff without the role -> 403
    assert client.get(url)["Location"].startswith(reverse("identity:login"))
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    otp_session_login(client, staff_plain)
    assert client.get(url).status_code == 403
    otp_session_login(client, staff_member)
    found = client.get(url, {"username": "zhangsan"})
    assert found.status_code == 200
    assert "张三" in found.content.decode()
    assert citizen.id_number not in found.content.decode()  # masked
    assert AuditEntry.objects.filter(action="identity.account.lookup").exists()
    done = client.post(
        url,
        {
            "account_id": citizen.pk,
            "place": "天河政务服务中心",
            "confirmed": "on",
            "username": "zhangsan",
        },
    )
    assert done.status_code == 302
    citizen.refresh_from_db()
    assert citizen.real_name_level == 3
