"""粤商通 企业证照: the legal representative (or an agent with 代为用证) sees the entity's
licenses, shows and downloads them and decides third-party requests; another entity's
licenses are refused, nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from digigov.apps.services.testing import organizations_ready
from digigov.kernel.api.services import machine_client_create
from digigov.kernel.principals import Principal
from digigov.support.licenses.models import Authorization, LicenseUse
from digigov.support.licenses.services.issuance import license_issue
from digigov.support.licenses.services.use import authorization_request
from digigov.support.licenses.testing import SYSTEM, issuer, type_make

FIELDS = [
    {"key": "name", "label": "名称", "type": "string", "required": True},
    {"key": "scope", "label": "经营范围", "type": "string"},
]


@pytest.fixture
def licensed(registry):
    organizations_ready()
    type_make("TESTE", name="测试执照", holder_kind="entity", fields=FIELDS)
    return registry


def _issue(uscc: str):
    return license_issue(
        principal=SYSTEM,
        type_code="TESTE",
        issuer_id=issuer().pk,
        holder_kind="entity",
        holder_key=uscc,
        data={"name": "某公司", "scope": "软件开发"},
    )


def _query(uscc: str) -> str:
    return f"?uscc={uscc}"


@pytest.mark.parametrize("kind", ["anonymous", "citizen", "staff"])
def test_only_enterprise_accounts(as_kind, licensed, kind):
    response = as_kind(kind).get(reverse("business:licenses"))
    assert response.status_code in (302, 403)


def test_legal_rep_sees_the_entitys_licenses(login, enterprise, licensed):
    ours = _issue(licensed.usccs[0])
    theirs = _issue(licensed.usccs[1])
    client = login(enterprise)
    html = client.get(reverse("business:licenses")).content.decode()
    assert ours.number in html and theirs.number not in html
    detail = client.get(
        reverse("business:license", kwargs={"address": ours.address}) + _query(licensed.usccs[0])
    )
    assert detail.status_code == 200 and "软件开发" in detail.content.decode()


def test_another_entitys_license_is_refused(login, enterprise, licensed):
    theirs = _issue(licensed.usccs[1])
    client = login(enterprise)
    url = reverse("business:license", kwargs={"address": theirs.address})
    assert client.get(url + _query(licensed.usccs[1])).status_code == 403  # not bound
    assert client.get(url + _query(licensed.usccs[0])).status_code == 404  # not its holder
    download = reverse(
        "business:license_download", kwargs={"address": theirs.address, "file_format": "json"}
    )
    assert client.get(download + _query(licensed.usccs[0])).status_code == 404
    assert client.get(reverse("business:licenses") + _query(licensed.usccs[1])).status_code == 403
    assert not LicenseUse.objects.exists()


def test_show_and_download_are_recorded(login, enterprise, licensed):
    ours = _issue(licensed.usccs[0])
    client = login(enterprise)
    query = _query(licensed.usccs[0])
    page = client.post(
        reverse("business:license", kwargs={"address": ours.address}) + query, {"fields": ["scope"]}
    )
    assert page.status_code == 200 and "/verify/s/" in page.context["show"]["url"]
    download = client.get(
        reverse("business:license_download", kwargs={"address": ours.address, "file_format": "pdf"})
        + query
    )
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert list(LicenseUse.objects.values_list("kind", flat=True)) == ["download"]


def test_legal_rep_refuses_a_request(login, enterprise, licensed):
    _issue(licensed.usccs[0])
    client_row = machine_client_create(
        actor=Principal(kind="operator", id="t"), name="某医院", scopes=["licenses:use"]
    )
    authorization = authorization_request(
        principal=Principal(
            kind="machine", id=str(client_row.pk), scopes=frozenset({"licenses:use"})
        ),
        holder_kind="entity",
        holder_key=licensed.usccs[0],
        license_type="TESTE",
        purpose="签约",
        days=10,
    )
    client = login(enterprise)
    assert "某医院" in client.get(reverse("business:licenses")).content.decode()
    response = client.post(
        reverse("business:authorization_refuse", kwargs={"authorization_id": authorization.pk}),
        {"uscc": licensed.usccs[0], "reason": "不需要"},
    )
    assert response.status_code == 302
    assert Authorization.objects.get().status == "refused"
