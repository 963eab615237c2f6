"""/api/v1/licenses/verify: public, no credentials needed; a bad credential is refused and
changes nothing; outcomes carry a code and a Chinese message; the rate limit answers 429."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from digigov.kernel.api.services import api_key_issue, machine_client_create
from digigov.kernel.audit.models import AuditEntry
from digigov.kernel.principals import Principal

from ..models import LicenseUse
from ..rendering import license_pdf
from ..selectors.verification import license_envelope, published_key_cache_clear
from ..services.issuance import license_issue
from ..testing import SYSTEM, issuer, type_make, world_make

BASE = "/api/v1/licenses/verify"
PUBLIC_FIELDS = {
    "outcome",
    "outcome_label",
    "message",
    "source",
    "status_checked",
    "address",
    "license_type_name",
    "issuer_name",
    "holder_name_masked",
    "valid_from",
    "valid_until",
    "suspended_until",
    "checked_at",
    "key_id",
    "algorithm",
}


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()
    published_key_cache_clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return world_make()


@pytest.fixture
def license(world):
    type_make()
    return license_issue(
        principal=SYSTEM,
        type_code="TESTZ",
        issuer_id=issuer().pk,
        holder_kind="person",
        holder_key=world.people[0],
        data={"category": "乙", "issued_on": "2026-01-02"},
    )


def _api_key(name: str = "某银行信贷系统") -> str:
    admin = Principal(kind="staff", id="1")
    client = machine_client_create(actor=admin, name=name, scopes=[])
    return api_key_issue(actor=admin, client_id=client.pk).key


def test_get_by_address_anonymous_shows_public_fields_only(client, license):
    response = client.get(f"{BASE}/{license.address}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PUBLIC_FIELDS
    assert (body["outcome"], body["outcome_label"]) == ("valid", "有效")
    assert body["holder_name_masked"].endswith("*")
    assert license.holder_key not in response.content.decode()
    assert license.holder_name not in response.content.decode()
    use = LicenseUse.objects.get(license=license)
    assert use.user_label == "公众核验"
    entry = AuditEntry.objects.filter(action="licenses.license.verify").latest("seq")
    assert entry.actor == "anonymous" and entry.source_address == "127.0.0.1"


def test_a_bad_api_key_is_refused_and_nothing_is_recorded(client, license):
    before = AuditEntry.objects.filter(action="licenses.license.verify").count()
    response = client.get(f"{BASE}/{license.address}", HTTP_X_API_KEY="dg_bad_key")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert LicenseUse.objects.count() == 0
    assert AuditEntry.objects.filter(action="licenses.license.verify").count() == before
    response = client.get(f"{BASE}/{license.address}", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401 and LicenseUse.objects.count() == 0


def test_a_client_with_a_key_is_named_in_the_holders_use_log(client, license):
    response = client.get(f"{BASE}/{license.address}", HTTP_X_API_KEY=_api_key())
    assert response.status_code == 200 and response.json()["outcome"] == "valid"
    use = LicenseUse.objects.get(license=license)
    assert use.user_label == "某银行信贷系统" and use.client_id is not None


def test_unknown_and_malformed_addresses(client, world):
    body = client.get(f"{BASE}/440100-scjg-TESTZ-20260000000001").json()
    assert body["outcome"] == "not_found" and body["message"].startswith("证照不存在")
    body = client.get(f"{BASE}/%3Cscript%3E").json()
    assert body["outcome"] == "malformed"


def test_post_envelope_valid_then_forged(client, license):
    envelope = license_envelope(license)
    response = client.post(BASE, data=json.dumps(envelope), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["outcome"] == "valid" and response.json()["source"] == "envelope"
    forged = copy.deepcopy(envelope)
    forged["document"]["holder"]["name"] = "李四"
    body = client.post(BASE, data=json.dumps(forged), content_type="application/json").json()
    assert body["outcome"] == "tampered" and "篡改" in body["message"]
    assert body["issuer_name"] == "" and body["holder_name_masked"] == ""


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[1, 2]", b'{"document": "x", "signature": 1}', b"\xff\xfe\x00"],
)
def test_post_bad_bodies_are_malformed_results(client, world, raw):
    response = client.post(BASE, data=raw, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["outcome"] == "malformed"
    assert LicenseUse.objects.count() == 0


def test_post_oversized_body_is_refused_unread(client, world):
    raw = b'{"document": {}, "signature": "' + b"A" * (2 * 1024 * 1024) + b'"}'
    body = client.post(BASE, data=raw, content_type="application/json").json()
    assert body["outcome"] == "malformed" and "2 MB" in body["message"]


def test_upload_pdf_and_json_files(client, license):
    pdf = SimpleUploadedFile("证照.pdf", license_pdf(license), content_type="application/pdf")
    body = client.post(f"{BASE}/file", data={"file": pdf}).json()
    assert (body["outcome"], body["source"]) == ("valid", "pdf")
    raw = json.dumps(license_envelope(license)).encode()
    upload = SimpleUploadedFile("license.json", raw, content_type="application/json")
    assert client.post(f"{BASE}/file", data={"file": upload}).json()["outcome"] == "valid"
    assert LicenseUse.objects.filter(license=license).count() == 2


def test_upload_without_a_file_or_with_junk_is_malformed(client, world):
    assert client.post(f"{BASE}/file", data={}).json()["outcome"] == "malformed"
    junk = SimpleUploadedFile("x.pdf", b"%PDF-1.4 nonsense", content_type="application/pdf")
    assert client.post(f"{BASE}/file", data={"file": junk}).json()["outcome"] == "malformed"
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024 + 10))
    body = client.post(f"{BASE}/file", data={"file": big}).json()
    assert body["outcome"] == "malformed" and "2 MB" in body["message"]


@override_settings(DIGIGOV_VERIFY_RATE_PER_MINUTE=3)
def test_rate_limit_answers_429_in_the_error_shape_and_records_nothing(client, license):
    for _ in range(3):
        assert client.get(f"{BASE}/{license.address}").status_code == 200
    response = client.get(f"{BASE}/{license.address}")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "licenses/verify_throttled"
    response = client.post(
        BASE, data=json.dumps(license_envelope(license)), content_type="application/json"
    )
    assert response.status_code == 429
    assert LicenseUse.objects.filter(license=license).count() == 3


def test_the_endpoints_are_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/licenses/verify/{address}"]
    assert "post" in paths["/api/v1/licenses/verify"]
    assert (
        "multipart/form-data"
        in (paths["/api/v1/licenses/verify/file"]["post"]["requestBody"]["content"])
    )
