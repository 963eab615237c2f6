"""自助终端一件事: the kiosk home lists persons' bundles; signing in (as for one item) opens
the merged prefilled form; submitting files the bundle (channel "kiosk") and ends at a
receipt with the bundle number and each component's case number; only one's own."""

# ruff: noqa: F811 (pytest fixtures are imported from test_bundle_channels_support)

import pytest

from digigov.apps.services.models import BundleApplication, CommitmentCheck
from digigov.apps.services.tests.test_bundle_channels_support import (  # noqa: F401 (fixtures)
    COMMITMENT,
    applicant,
    channels,
    citizen_make,
    clerk,
    key,
    legal_rep_make,
    login,
    stranger,
)
from digigov.kernel.audit.models import AuditEntry


def _text(response) -> str:
    return response.content.decode()


def test_home_lists_person_bundles_only(client, channels):
    html = _text(client.get("/kiosk/"))
    assert 'data-testid="kiosk-bundles"' in html
    assert "/kiosk/bundles/test-wd/" in html and "户籍医保一件事（测试）" in html
    assert "/kiosk/bundles/test-ent/" not in html  # an entity bundle is not for the kiosk


def test_kiosk_bundle_flow_ends_at_a_receipt(client, channels, applicant):
    url = "/kiosk/bundles/test-wd/"
    assert client.get(url).status_code == 302  # sign in first, as for one item
    login(client, applicant)
    form = client.get(url)
    html = _text(form)
    assert form.status_code == 200 and "已从基础库自动填写" in html
    assert channels.name(channels.people[0]) in html
    post = {"idempotency_key": "kb-1", "f_phone": "13912345678"}
    done = client.post(url, post)
    assert done.status_code == 302, _text(done)[:3000]
    filed = BundleApplication.objects.get()
    assert done["Location"] == f"/kiosk/bundles/receipts/{filed.number}/"
    cases = list(filed.applications.all())
    assert {c.channel for c in cases} == {"kiosk"} and len(cases) == 2
    assert client.post(url, post).status_code == 302  # a double tap files one bundle
    assert BundleApplication.objects.count() == 1
    receipt = client.get(done["Location"])
    html = _text(receipt)
    assert receipt.status_code == 200
    assert filed.number in html and "<svg" in html
    for case in cases:
        assert case.number in html
    assert f"/citizen/bundles/applications/{filed.number}/" in html  # the QR target


def test_errors_are_shown_and_nothing_is_filed(client, channels, applicant):
    login(client, applicant)
    response = client.post("/kiosk/bundles/test-wd/", {"idempotency_key": key(), "f_phone": "1"})
    assert response.status_code == 422 and "联系电话格式不正确" in _text(response)
    assert not BundleApplication.objects.exists()


def test_commitment_bundle_at_the_kiosk(client, channels, applicant):
    login(client, applicant)
    url = "/kiosk/bundles/test-commit/"
    assert 'data-testid="bundle-commitments"' in _text(client.get(url))
    done = client.post(
        url,
        {
            "idempotency_key": key(),
            "f_phone": "13912345678",
            f"commitment_{COMMITMENT[0]}_accepted": "on",
            "commitment_signature": channels.name(channels.people[0]),
        },
    )
    assert done.status_code == 302, _text(done)[:3000]
    assert CommitmentCheck.objects.count() == 1  # the optional one was not chosen


@pytest.mark.parametrize("who", ["stranger", "clerk", "enterprise"])
def test_someone_elses_receipt_is_refused(client, channels, applicant, stranger, clerk, who):
    login(client, applicant)
    client.post("/kiosk/bundles/test-wd/", {"idempotency_key": key(), "f_phone": "13912345678"})
    filed = BundleApplication.objects.get()
    if who == "stranger":
        login(client, stranger)
    elif who == "clerk":
        login(client, clerk)
    else:
        login(client, legal_rep_make("yjs_rep", channels.usccs[0]))
    response = client.get(f"/kiosk/bundles/receipts/{filed.number}/")
    assert response.status_code == 403
    assert "户籍医保一件事（测试）" not in _text(response)
    if who == "stranger":
        assert AuditEntry.objects.filter(
            action="services.bundle_application.access", object_id=filed.number
        ).exists()


def test_entity_bundle_is_not_offered(client, channels, applicant):
    login(client, applicant)
    response = client.get("/kiosk/bundles/test-ent/")
    assert response.status_code == 404 and "自助终端仅办理个人一件事" in _text(response)
    assert client.post("/kiosk/bundles/test-ent/", {"idempotency_key": key()}).status_code == 404
    assert not BundleApplication.objects.exists()
