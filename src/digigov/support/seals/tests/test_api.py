"""/api/v1/seals: who may list and use seals (denied calls change nothing), public
verification, the RFC 3161 endpoint and the coverage indicator."""

from __future__ import annotations

import hashlib

import pytest
from asn1crypto import algos, tsp

from digigov.data.registries.services import demo_person_id_numbers, registry_demo_generate
from digigov.kernel.api import services as api_services
from digigov.kernel.principals import Principal
from digigov.support.identity.testing import citizen_make, login, staff_make

from ..models import SealUse
from ..testing import pdf_make, seal_make

pytestmark = pytest.mark.django_db

OPERATOR = Principal(kind="operator", id="test")


def _api_key(organization_code: str, scopes: list[str]) -> str:
    from digigov.kernel.organizations.models import Organization

    client = api_services.machine_client_create(
        actor=OPERATOR,
        name=f"{organization_code}-{'-'.join(scopes) or 'none'}",
        scopes=scopes,
        organization_id=Organization.objects.get(code=organization_code).pk,
    )
    return api_services.api_key_issue(actor=OPERATOR, client_id=client.pk).key


@pytest.fixture
def seal():
    return seal_make()


def _as(client, who: str):
    if who == "anonymous":
        return {}
    if who == "citizen":
        registry_demo_generate(people=2, entities=0)
        login(client, citizen_make("citizen01", demo_person_id_numbers(count=2)[0]))
        return {}
    if who == "staff_other_role":
        login(client, staff_make("clerk01", organization_code="440100-scjg", roles=["审批人员"]))
        return {}
    if who == "staff_other_org":
        login(client, staff_make("admin02", organization_code="440100-gat", roles=["印章管理员"]))
        return {}
    if who == "staff_no_otp":
        account = staff_make("admin03", organization_code="440100-scjg", roles=["印章管理员"])
        login(client, account, verified=False)
        return {}
    if who == "machine_no_scope":
        return {"HTTP_X_API_KEY": _api_key("440100-scjg", ["services:read"])}
    if who == "machine_other_org":
        return {"HTTP_X_API_KEY": _api_key("440100-gat", ["seals:use"])}
    if who == "staff":
        login(client, staff_make("admin01", organization_code="440100-scjg", roles=["印章管理员"]))
        return {}
    if who == "machine":
        return {"HTTP_X_API_KEY": _api_key("440100-scjg", ["seals:use"])}
    raise AssertionError(who)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("citizen", 403),
        ("staff_other_role", 403),
        ("staff_no_otp", 403),
        ("machine_no_scope", 403),
    ],
)
def test_list_refused(client, seal, who, status):
    headers = _as(client, who)
    response = client.get("/api/v1/seals", **headers)
    assert response.status_code == status
    assert "error" in response.json()


@pytest.mark.parametrize("who", ["staff", "machine"])
def test_list_shows_the_organizations_seals(client, seal, who):
    seal_make("440100-gat")  # another department's seal stays hidden
    headers = _as(client, who)

    response = client.get("/api/v1/seals", **headers)

    assert response.status_code == 200
    body = response.json()
    assert [s["id"] for s in body] == [seal.pk]
    assert body[0]["status"] == "active"
    assert body[0]["organization_code"] == "440100-scjg"
    assert body[0]["uses"] == 0


def _post_seal(client, seal_id, headers, pdf=None):
    return client.post(
        f"/api/v1/seals/{seal_id}/seal",
        {
            "file": _upload(pdf or pdf_make()),
            "reason": "许可决定书",
        },
        **headers,
    )


def _upload(content: bytes, name: str = "决定书.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("citizen", 403),
        ("staff_other_role", 403),
        ("staff_other_org", 403),
        ("staff_no_otp", 403),
        ("machine_no_scope", 403),
        ("machine_other_org", 403),
    ],
)
def test_sealing_refused_changes_nothing(client, seal, who, status):
    headers = _as(client, who)

    response = _post_seal(client, seal.pk, headers)

    assert response.status_code == status
    assert response.json()["error"]["code"]
    assert not SealUse.objects.exists()


@pytest.mark.parametrize("who", ["staff", "machine"])
def test_sealing_returns_a_pdf_that_verifies(client, seal, who):
    headers = _as(client, who)

    response = _post_seal(client, seal.pk, headers)

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert SealUse.objects.get().file_name == "决定书.pdf"
    client.logout()
    verified = client.post("/api/v1/seals/verify", {"file": _upload(response.content)})
    assert verified.status_code == 200
    body = verified.json()
    assert body["is_valid"] is True
    assert body["signatures"][0]["verdict"] == "valid"
    assert body["signatures"][0]["seal_name"] == "广州市市场监督管理局"


def test_sealing_a_non_pdf_is_422(client, seal):
    headers = _as(client, "machine")
    response = _post_seal(client, seal.pk, headers, pdf=b"just text")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "seals/pdf_invalid"
    assert not SealUse.objects.exists()


def test_verify_reports_a_modified_copy(client, seal):
    from ..services.sealing import pdf_seal
    from ..testing import admin_principal

    sealed = pdf_seal(
        principal=admin_principal(), seal_id=seal.pk, pdf=pdf_make("Total 100"), reason="x"
    )
    at = sealed.index(b"Total 100")
    tampered = sealed[:at] + b"Total 900" + sealed[at + 9 :]

    body = client.post("/api/v1/seals/verify", {"file": _upload(tampered)}).json()

    assert body["is_valid"] is False
    assert body["signatures"][0]["verdict"] == "modified"
    assert body["signatures"][0]["verdict_label"] == "签章后被修改"


def test_verify_bad_input(client, db):
    response = client.post("/api/v1/seals/verify", {"file": _upload(b"hello", "x.pdf")})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "上传的文件不是 PDF"
    assert client.post("/api/v1/seals/verify", {}).status_code == 422


def test_public_verify_and_tsa_are_rate_limited_per_caller(client, db, settings):
    from digigov.kernel.audit.models import AuditEntry

    settings.DIGIGOV_SEALS_PUBLIC_RATE_PER_MINUTE = 2
    upload = lambda: {"file": _upload(b"hello", "x.pdf")}  # noqa: E731
    assert [client.post("/api/v1/seals/verify", upload()).status_code for _ in range(2)] == [
        422,
        422,
    ]
    refused = client.post("/api/v1/seals/verify", upload())
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "seals/throttled"
    assert client.post("/api/v1/seals/verify", upload()).status_code == 429
    # audited once per window, not once per refused call
    assert AuditEntry.objects.filter(action="seals.verify", outcome="denied").count() == 1
    # the time-stamping service has its own allowance
    tsa = client.post("/api/v1/seals/tsa", b"x", content_type="application/timestamp-query")
    assert tsa.status_code != 429


def test_tsa_endpoint(client, db):
    query = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {
                "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "hashed_message": hashlib.sha256(b"x").digest(),
            },
            "cert_req": True,
        }
    ).dump()

    response = client.post("/api/v1/seals/tsa", query, content_type="application/timestamp-query")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.content)
    assert reply["status"]["status"].native == "granted"
    wrong = client.post("/api/v1/seals/tsa", query, content_type="application/json")
    assert wrong.status_code == 422


def test_coverage_endpoint(client, seal):
    body = client.get("/api/v1/seals/coverage?region_code=440100").json()
    assert body["numerator"] == 1
    assert body["denominator"] > 1
    assert body["region_code"] == "440100"
    assert client.get("/api/v1/seals/coverage?region_code=12").status_code == 404
