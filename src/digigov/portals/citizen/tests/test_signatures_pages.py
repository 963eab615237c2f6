"""粤省事 · 电子签名: the key page (create after the password, revoke), signing a case's
application form or commitment letter from the case page, the case page showing
"已电子签名（时间）" with a verify link, and who may do it (denied calls change nothing)."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from digigov.apps.services.selectors.decisions import commitment_text_for
from digigov.apps.services.services.applications import application_submit
from digigov.apps.services.testing import item_make
from digigov.data.registries.selectors import person_brief
from digigov.data.registries.services import demo_person_id_numbers, registry_demo_generate
from digigov.support.identity.testing import PASSWORD, citizen_make, login, principal_of
from digigov.support.seals.models import PersonalSignature, SignatureKey
from digigov.support.seals.services.signatures import STEP_UP_FAILURES

pytestmark = pytest.mark.django_db
_serial = itertools.count(1)


@pytest.fixture
def people(db):
    registry_demo_generate(people=3, entities=0)
    return demo_person_id_numbers(count=3)


@pytest.fixture
def applicant(people):
    return citizen_make("signer01", people[0])


def _case(account, *, mode: str = "workflow"):
    item = item_make(
        code=f"TEST-SIG-{next(_serial):03d}",
        name="测试许可事项",
        subject_kind="person",
        approval_mode=mode,
        **({"conditions": ["申请人已年满18周岁"]} if mode == "commitment" else {}),
    )
    extra = {}
    if mode == "commitment":
        extra["commitment"] = {
            "accepted": True,
            "text": commitment_text_for(item_version=item.published),
            "signature": person_brief(id_number=account.person_id).name,
        }
    return application_submit(
        principal=principal_of(account),
        item_code=item.code,
        form_data={"phone": "13912345678"},
        idempotency_key=f"sig-{next(_serial)}",
        **extra,
    )


def _client(account) -> Client:
    return login(Client(), account)


def test_sign_from_the_case_page_then_the_case_shows_signed(applicant):
    case = _case(applicant)
    client = _client(applicant)
    page = client.get(f"/citizen/cases/{case.number}/").content.decode()
    assert 'data-testid="case-signature"' in page and "签署申请表" in page

    form = client.get(f"/citizen/signatures/sign/?case={case.number}").content.decode()
    assert "测试许可事项" in form and case.number in form
    assert "13912345678" in form  # the form data that will be signed
    assert applicant.person_id not in form  # the ID number is masked
    assert 'name="password"' in form

    wrong = client.post("/citizen/signatures/sign/", {"case": case.number, "password": "nope"})
    assert wrong.status_code == 422 and "密码不正确" in wrong.content.decode()
    assert not PersonalSignature.objects.exists() and not SignatureKey.objects.exists()

    done = client.post("/citizen/signatures/sign/", {"case": case.number, "password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == f"/citizen/cases/{case.number}/"
    signature = PersonalSignature.objects.get()
    assert signature.object_ref == f"services.application:{case.number}"
    assert SignatureKey.objects.get().algorithm == "sm2"  # made on the first signature

    page = client.get(f"/citizen/cases/{case.number}/").content.decode()
    assert "已电子签名（" in page
    assert f"/citizen/signatures/{signature.pk}/" in page
    verify = client.get(f"/citizen/signatures/{signature.pk}/").content.decode()
    assert "签名有效" in verify


def test_commitment_cases_sign_the_commitment_letter(applicant):
    case = _case(applicant, mode="commitment")
    client = _client(applicant)

    page = client.get(f"/citizen/cases/{case.number}/").content.decode()
    assert "签署承诺书" in page
    form = client.get(f"/citizen/signatures/sign/?case={case.number}").content.decode()
    assert 'data-testid="commitment-text"' in form and "申请人已年满18周岁" in form
    client.post("/citizen/signatures/sign/", {"case": case.number, "password": PASSWORD})

    signature = PersonalSignature.objects.get()
    assert "申请人已年满18周岁" in signature.signed_payload
    assert '"kind":"commitment"' in signature.signed_payload


def test_a_recent_step_up_is_not_asked_again_for_five_minutes(applicant):
    client = _client(applicant)
    client.post("/citizen/signatures/key/", {"password": PASSWORD})
    assert SignatureKey.objects.count() == 1
    case = _case(applicant)

    form = client.get(f"/citizen/signatures/sign/?case={case.number}").content.decode()
    assert 'name="password"' not in form
    client.post("/citizen/signatures/sign/", {"case": case.number})

    assert PersonalSignature.objects.count() == 1


def test_key_page_create_and_revoke(applicant):
    client = _client(applicant)
    page = client.get("/citizen/signatures/").content.decode()
    assert 'data-testid="key-form"' in page

    client.post("/citizen/signatures/key/", {"password": "wrong"})
    assert not SignatureKey.objects.exists()
    client.post("/citizen/signatures/key/", {"password": PASSWORD})
    page = client.get("/citizen/signatures/").content.decode()
    assert 'data-testid="signature-key"' in page

    client.post("/citizen/signatures/key/revoke/", {"reason": "换手机"})
    key = SignatureKey.objects.get()
    assert key.revoked_at is not None and key.revoke_reason == "换手机"


def test_password_attempts_are_throttled(applicant):
    client = _client(applicant)
    for _ in range(STEP_UP_FAILURES):
        client.post("/citizen/signatures/key/", {"password": "wrong"})

    page = client.post("/citizen/signatures/key/", {"password": PASSWORD}, follow=True)

    assert "密码错误次数过多" in page.content.decode()
    assert not SignatureKey.objects.exists()


def test_another_citizen_cannot_sign_or_see_the_case(applicant, people):
    case = _case(applicant)
    other = citizen_make("other01", people[1])
    client = _client(other)

    assert client.get(f"/citizen/signatures/sign/?case={case.number}").status_code == 403
    response = client.post("/citizen/signatures/sign/", {"case": case.number, "password": PASSWORD})

    assert response.status_code == 403
    assert not PersonalSignature.objects.exists()
    assert not SignatureKey.objects.exists()


def test_another_citizen_cannot_open_my_signature(applicant, people):
    case = _case(applicant)
    _client(applicant).post(
        "/citizen/signatures/sign/", {"case": case.number, "password": PASSWORD}
    )
    signature = PersonalSignature.objects.get()
    other = _client(citizen_make("other01", people[1]))

    response = other.get(f"/citizen/signatures/{signature.pk}/")

    assert response.status_code == 302  # not found: back to the signatures page


def test_level_one_citizen_is_asked_for_real_name(db):
    client = _client(citizen_make("lone01"))
    page = client.get("/citizen/signatures/").content.decode()
    assert "完成实名核验" in page
    client.post("/citizen/signatures/key/", {"password": PASSWORD})
    assert not SignatureKey.objects.exists()


@pytest.mark.parametrize("kind", ["anonymous", "enterprise", "staff_no_otp", "staff"])
def test_other_accounts_cannot_reach_signature_pages(as_kind, kind, applicant):
    case = _case(applicant)
    client = as_kind(kind)

    for url in ("/citizen/signatures/", f"/citizen/signatures/sign/?case={case.number}"):
        assert client.get(url).status_code in (302, 403)
    client.post("/citizen/signatures/key/", {"password": PASSWORD})
    client.post("/citizen/signatures/sign/", {"case": case.number, "password": PASSWORD})

    assert not SignatureKey.objects.exists()
    assert not PersonalSignature.objects.exists()
