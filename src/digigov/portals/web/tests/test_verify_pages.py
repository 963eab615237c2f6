"""广东政务服务网 · 电子证照核验: the form, the QR result page, uploads, CSRF, the rate limit;
anyone (anonymous, another citizen, the holder) sees the same masked public view."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from digigov.kernel.audit.models import AuditEntry
from digigov.support.identity.testing import citizen_make, login
from digigov.support.licenses.models import License, LicenseUse
from digigov.support.licenses.rendering import envelope_bytes, license_pdf
from digigov.support.licenses.selectors.verification import (
    license_envelope,
    published_key_cache_clear,
)
from digigov.support.licenses.services.issuance import license_issue
from digigov.support.licenses.testing import SYSTEM, issuer, type_make, world_make

FACE_VALUE = "预包装食品销售"


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
    type_make(fields=[{"key": "scope", "label": "经营范围", "type": "string", "required": True}])
    return license_issue(
        principal=SYSTEM,
        type_code="TESTZ",
        issuer_id=issuer().pk,
        holder_kind="person",
        holder_key=world.people[0],
        data={"scope": FACE_VALUE},
    )


def _verifications() -> int:
    return AuditEntry.objects.filter(action="licenses.license.verify").count()


def test_the_form_is_public_accessible_and_multipart(client, db):
    response = client.get(reverse("web:verify"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert '<label for="verify-text">' in html and '<label for="verify-file">' in html
    assert '<html lang="zh-CN">' in html and "https://" not in html.split("<main")[1]


def test_home_links_to_verification(client, db):
    assert f'href="{reverse("web:verify")}"' in client.get(reverse("web:home")).content.decode()


def _holder_client(world):
    holder = citizen_make("holder01", world.people[0])
    return login(Client(), holder)


def _stranger_client(world):
    stranger = citizen_make("stranger01", world.people[1])
    return login(Client(), stranger)


@pytest.mark.parametrize("who", ["anonymous", "stranger", "holder"])
def test_the_qr_page_shows_the_same_masked_view_to_everyone(client, world, license, who):
    viewer = {
        "anonymous": lambda: client,
        "stranger": lambda: _stranger_client(world),
        "holder": lambda: _holder_client(world),
    }[who]()
    response = viewer.get(reverse("web:verify_license", args=[license.address]))
    assert response.status_code == 200
    html = response.content.decode().split('<main id="main"')[1]  # the header names the viewer
    assert 'data-outcome="valid"' in html and "有效" in html
    assert license.issuer.name in html and "测试证" in html
    masked = license.holder_name[0] + "*" * (len(license.holder_name) - 1)
    assert masked in html
    assert license.holder_name not in html
    assert license.holder_key not in html and FACE_VALUE not in html
    use = LicenseUse.objects.get(license=license)
    assert use.kind == "verify"
    assert use.user_label == ("公众核验" if who == "anonymous" else "公众核验（登录用户）")


def test_a_suspended_license_shows_until_when(client, license):
    until = timezone.localdate() + dt.timedelta(days=90)
    License.objects.filter(pk=license.pk).update(status="suspended", suspended_until=until)
    html = client.get(reverse("web:verify_license", args=[license.address])).content.decode()
    assert 'data-outcome="suspended"' in html
    assert f"暂停使用至 {until:%Y年%m月%d日}" in html


def test_an_unknown_address_and_junk_in_the_url(client, world):
    html = client.get(reverse("web:verify_license", args=["440100-scjg-X-1"])).content.decode()
    assert 'data-outcome="not_found"' in html
    html = client.get("/verify/l/%3Cb%3Ebold%3C%5Cb%3E/").content.decode()
    assert 'data-outcome="malformed"' in html and "<b>" not in html


def test_post_text_from_the_qr_code(client, license):
    url = f"http://127.0.0.1:8000/verify/l/{license.address}/"
    response = client.post(reverse("web:verify"), {"text": url})
    assert response.status_code == 200
    assert 'data-outcome="valid"' in response.content.decode()


def test_upload_the_pdf_then_a_changed_copy(client, license):
    pdf = license_pdf(license)
    upload = SimpleUploadedFile("证照.pdf", pdf, content_type="application/pdf")
    html = client.post(reverse("web:verify"), {"file": upload}).content.decode()
    assert 'data-outcome="valid"' in html and "未被改动" in html

    envelope = license_envelope(license)
    envelope["document"]["validUntil"] = "2099-12-31"
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    spec = writer.root["/Names"]["/EmbeddedFiles"]["/Names"][1].get_object()
    stream = embed.EmbeddedFileObject.from_file_data(writer, envelope_bytes(envelope))
    spec["/EF"]["/F"] = spec["/EF"]["/UF"] = stream.ef_stream_ref
    writer.update_container(spec)
    out = io.BytesIO()
    writer.write(out)
    forged = SimpleUploadedFile("证照.pdf", out.getvalue(), content_type="application/pdf")
    html = client.post(reverse("web:verify"), {"file": forged}).content.decode()
    assert 'data-outcome="tampered"' in html and "已被改动" in html
    assert "2099" not in html


def test_upload_junk_and_oversized_files(client, world):
    junk = SimpleUploadedFile("a.json", b"{oops", content_type="application/json")
    html = client.post(reverse("web:verify"), {"file": junk}).content.decode()
    assert 'data-outcome="malformed"' in html
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024))
    html = client.post(reverse("web:verify"), {"file": big}).content.decode()
    assert 'data-outcome="malformed"' in html and "2 MB" in html


def test_an_empty_form_asks_again_and_records_nothing(client, world):
    before = _verifications()
    response = client.post(reverse("web:verify"), {"text": "  "})
    assert response.status_code == 400
    assert 'data-testid="verify-error"' in response.content.decode()
    assert _verifications() == before


def test_csrf_is_enforced_and_a_refused_post_changes_nothing(license):
    strict = Client(enforce_csrf_checks=True)
    before = _verifications()
    response = strict.post(reverse("web:verify"), {"text": license.address})
    assert response.status_code == 403
    assert _verifications() == before and LicenseUse.objects.count() == 0


@override_settings(DIGIGOV_VERIFY_RATE_PER_MINUTE=2)
def test_rate_limited_page(client, license):
    page = reverse("web:verify_license", args=[license.address])
    assert client.get(page).status_code == 200
    assert client.get(page).status_code == 200
    response = client.get(page)
    assert response.status_code == 429
    assert "过于频繁" in response.content.decode()
    assert LicenseUse.objects.filter(license=license).count() == 2
