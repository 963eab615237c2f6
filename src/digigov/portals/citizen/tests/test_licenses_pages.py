"""粤省事 我的证照: the holder's cards, one license with face data, the 亮证 QR that opens the
public /verify/s/ page (recorded), downloads (recorded), the third-party requests the holder
grants, refuses or withdraws; nobody else sees or decides any of it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from digigov.apps.services.testing import item_make, organizations_ready
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.principals import Principal
from digigov.portals import testing
from digigov.support.licenses.models import Authorization, LicenseUse
from digigov.support.licenses.services.issuance import license_issue
from digigov.support.licenses.services.status import license_suspend
from digigov.support.licenses.services.use import authorization_request
from digigov.support.licenses.testing import SYSTEM, issuer, type_make

MATERIAL = {
    "code": "M01",
    "name": "测试证",
    "required": True,
    "license_types": ["TESTZ"],
    "formats": ["pdf"],
    "max_mb": 1,
}


@pytest.fixture
def licensed(registry):
    organizations_ready()
    type_make()
    return registry


def _issue(holder_key: str, **data):
    return license_issue(
        principal=SYSTEM,
        type_code="TESTZ",
        issuer_id=issuer().pk,
        holder_kind="person",
        holder_key=holder_key,
        data={"category": "甲", "issued_on": "2026-01-02", **data},
    )


def _bank_request(holder_key: str) -> Authorization:
    from digigov.kernel.api.services import machine_client_create

    client = machine_client_create(
        actor=Principal(kind="operator", id="t"), name="某某银行", scopes=["licenses:use"]
    )
    bank = Principal(kind="machine", id=str(client.pk), scopes=frozenset({"licenses:use"}))
    return authorization_request(
        principal=bank,
        holder_kind="person",
        holder_key=holder_key,
        license_type="TESTZ",
        purpose="开立账户",
        days=30,
    )


@pytest.mark.parametrize("kind", ["anonymous", "enterprise", "staff"])
def test_others_than_citizens_do_not_get_the_wallet(as_kind, licensed, kind):
    response = as_kind(kind).get(reverse("citizen:licenses"))
    assert response.status_code in (302, 403)
    if kind == "anonymous":
        assert response["Location"].startswith(reverse("identity:login"))


def test_l1_citizen_is_asked_for_real_name(login, citizen_l1, licensed):
    response = login(citizen_l1).get(reverse("citizen:licenses"))
    assert response.status_code == 403
    assert "实名认证" in response.content.decode()


def test_wallet_lists_own_cards_with_status(login, citizen, licensed):
    mine = _issue(licensed.id_numbers[0])
    suspended = _issue(licensed.id_numbers[0])
    license_suspend(principal=SYSTEM, address=suspended.address, until=mine.valid_from, reason="x")
    theirs = _issue(licensed.id_numbers[1])
    response = login(citizen).get(reverse("citizen:licenses"))
    html = response.content.decode()
    assert response.status_code == 200
    assert mine.number in html and suspended.number in html and theirs.number not in html
    assert 'data-status="suspended"' in html and "暂停使用" in html
    assert "我的证照" in html


def test_detail_of_another_persons_license_is_404_and_audited(login, citizen, licensed):
    theirs = _issue(licensed.id_numbers[1])
    client = login(citizen)
    for url in (
        reverse("citizen:license", kwargs={"address": theirs.address}),
        reverse(
            "citizen:license_download", kwargs={"address": theirs.address, "file_format": "json"}
        ),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("citizen:license", kwargs={"address": theirs.address})).status_code
        == 404
    )
    assert not LicenseUse.objects.exists()
    assert AuditEntry.objects.filter(object_id=theirs.address, outcome="denied").exists()


def test_show_qr_opens_the_public_page_once_per_view(client, login, citizen, licensed):
    license = _issue(licensed.id_numbers[0], category="乙")
    page = login(citizen).post(
        reverse("citizen:license", kwargs={"address": license.address}), {"fields": ["category"]}
    )
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    url = page.context["show"]["url"]
    assert "/verify/s/" in url
    client.logout()
    public = client.get(url[url.index("/verify/s/") :])
    html = public.content.decode()
    assert public.status_code == 200
    assert 'data-outcome="valid"' in html and "类别" in html and "乙" in html
    assert "发证日期" not in html  # not chosen
    assert LicenseUse.objects.filter(license=license, kind="show").count() == 1


def test_a_bad_show_token_is_a_clear_refusal(client, licensed):
    response = client.get(reverse("web:license_show", kwargs={"token": "not-a-token"}))
    assert response.status_code == 422
    assert "二维码无效" in response.content.decode()


def test_download_is_an_attachment_and_shows_in_the_use_log(login, citizen, licensed):
    license = _issue(licensed.id_numbers[0])
    client = login(citizen)
    response = client.get(
        reverse(
            "citizen:license_download", kwargs={"address": license.address, "file_format": "json"}
        )
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    page = client.get(reverse("citizen:license", kwargs={"address": license.address}))
    assert "下载签名 JSON" in page.content.decode()


def test_holder_grants_and_withdraws_on_the_page(login, citizen, licensed):
    license = _issue(licensed.id_numbers[0])
    authorization = _bank_request(licensed.id_numbers[0])
    client = login(citizen)
    listing = client.get(reverse("citizen:licenses")).content.decode()
    assert "某某银行" in listing and "开立账户" in listing
    client.post(
        reverse("citizen:authorization_grant", kwargs={"authorization_id": authorization.pk}),
        {"address": license.address},
    )
    authorization.refresh_from_db()
    assert authorization.status == "granted" and authorization.license_id == license.pk
    client.post(
        reverse("citizen:authorization_withdraw", kwargs={"authorization_id": authorization.pk}),
        {"back": license.address},
    )
    authorization.refresh_from_db()
    assert authorization.status == "revoked"


def test_nobody_else_decides_a_request(client, login, licensed):
    other = testing.citizen_make(username="wangwu", id_number=licensed.id_numbers[1])
    license = _issue(licensed.id_numbers[0])
    authorization = _bank_request(licensed.id_numbers[0])
    url = reverse("citizen:authorization_grant", kwargs={"authorization_id": authorization.pk})
    assert client.post(url, {"address": license.address}).status_code == 302  # to login
    assert login(other).post(url, {"address": license.address}).status_code == 404
    authorization.refresh_from_db()
    assert authorization.status == "pending" and authorization.license_id is None


def test_apply_page_asks_for_consent_per_material(login, citizen, licensed):
    license = _issue(licensed.id_numbers[0])
    item = item_make(code="TEST-CONSENT", materials=[MATERIAL])
    html = (
        login(citizen)
        .get(reverse("citizen:apply", kwargs={"item_code": item.code}))
        .content.decode()
    )
    assert "使用电子证照（同意调用）" in html and license.address in html
    assert "不使用电子证照，上传文件" in html
    assert f'value="{license.address}" checked' not in html  # no silent default
