"""/api/v1/opendata with real accounts and sessions: who may do what."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import AccessApplication, Comment, DataRequest, DeveloperKey, OpenDataset
from .factories import catalog_resource, publish_shops

pytestmark = pytest.mark.django_db
BASE = "/api/v1/opendata"
PASSWORD = "Opendata@2025"

# Accounts are made with the user model and django-otp directly: the data layer's tests do
# not import the identity app above them (import-linter's layers contract).


def citizen_make(username: str):
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, kind="citizen"
    )


def staff_make(username: str, *, organization_code: str, permissions: tuple[str, ...]):
    from digigov.kernel.organizations.models import Organization

    account = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        kind="staff",
        real_name="测试公务员",
        organization=Organization.objects.get(code=organization_code),
    )
    for permission in permissions:
        app_label, codename = permission.split(".")
        account.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    account.device = TOTPDevice.objects.create(user=account, name="测试", confirmed=True)
    return account


def login(client, account):
    """Sign in; staff also pass the TOTP step as django-otp records it in the session."""
    client.force_login(account, backend="django.contrib.auth.backends.ModelBackend")
    device = getattr(account, "device", None)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def accounts(orgs):
    return {
        "anonymous": None,
        "citizen": citizen_make("odcitizen"),
        "staff_without": staff_make(
            "odstaff", organization_code="440100-scjg", permissions=("catalog.view_dataresource",)
        ),
        "publisher": staff_make(
            "odpublisher",
            organization_code="440100-scjg",
            permissions=("opendata.publish_dataset",),
        ),
        "reviewer": staff_make(
            "odreviewer",
            organization_code="440000-zsj",
            permissions=(
                "opendata.review_dataset",
                "opendata.answer_request",
                "opendata.moderate_comment",
            ),
        ),
    }


def _as(client, accounts, who):
    if accounts[who] is not None:
        login(client, accounts[who])
    return client


def test_public_reads(client, published):
    page = client.get(f"{BASE}/datasets", {"q": "便利店"}).json()
    assert page["count"] == 1 and page["results"][0]["formats"] == ["CSV", "JSON", "XLSX"]
    detail = client.get(f"{BASE}/datasets/{published.name}").json()
    assert "owner_name" not in [f["id"] for f in detail["fields"]]
    assert client.get(f"{BASE}/datasets/nope").status_code == 404
    usage = client.get(f"{BASE}/datasets/{published.name}/usage", {"days": 7}).json()
    assert len(usage["days"]) == 7
    stats = client.get(f"{BASE}/stats").json()
    assert stats["datasets"] == 1 and len(stats["themes"]) == 16


def test_dataset_list_query_count(client, orgs):
    for n in range(2):
        publish_shops(code=f"GZ-SCJG-T{n}", name=f"shops-{n}")
    with CaptureQueriesContext(connection) as two:
        assert client.get(f"{BASE}/datasets").json()["count"] == 2
    publish_shops(code="GZ-SCJG-T9", name="shops-9")
    with CaptureQueriesContext(connection) as three:
        assert client.get(f"{BASE}/datasets").json()["count"] == 3
    assert len(two) == len(three)


@pytest.mark.parametrize(
    "who,status",
    [("anonymous", 401), ("citizen", 403), ("staff_without", 403), ("publisher", 201)],
)
def test_submit_authorization(client, accounts, who, status):
    catalog_resource()
    response = _as(client, accounts, who).post(
        f"{BASE}/datasets",
        {
            "resource_code": "GZ-SCJG-TEST",
            "name": "shops",
            "title": "便利店名录",
            "theme": "market",
        },
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    assert OpenDataset.objects.exists() is (status == 201)


@pytest.mark.parametrize(
    "who,status",
    [
        ("anonymous", 401),
        ("citizen", 403),
        ("staff_without", 403),
        ("publisher", 403),
        ("reviewer", 200),
    ],
)
def test_review_authorization(client, accounts, who, status):
    from .factories import submit_shops

    dataset = submit_shops()
    response = _as(client, accounts, who).post(
        f"{BASE}/datasets/{dataset.pk}/review", {"approve": True}, content_type="application/json"
    )
    assert response.status_code == status, response.content
    assert OpenDataset.objects.get().state == ("published" if status == 200 else "submitted")


@pytest.mark.parametrize(
    "who,status",
    [
        ("anonymous", 401),
        ("citizen", 403),
        ("staff_without", 403),
        ("reviewer", 403),
        ("publisher", 200),
    ],
)
def test_application_decision_authorization(client, accounts, conditional, who, status):
    applicant = citizen_make("odapplicant")
    login(client, applicant)
    created = client.post(
        f"{BASE}/datasets/{conditional.name}/applications",
        {"purpose": "用于食品安全研究和分析报告", "organization": "某大学"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    client.logout()
    response = _as(client, accounts, who).post(
        f"{BASE}/applications/{created.json()['id']}/decision",
        {"approve": True, "valid_days": 30},
        content_type="application/json",
    )
    assert response.status_code == status, response.content
    assert AccessApplication.objects.get().state == ("approved" if status == 200 else "submitted")


def test_citizen_flow_keys_ratings_comments_requests(client, accounts, published):
    login(client, accounts["citizen"])
    issued = client.post(
        f"{BASE}/keys", {"name": "我的应用", "daily_quota": 100}, content_type="application/json"
    )
    assert issued.status_code == 201 and issued.json()["secret"].startswith("gdod_")
    ckan = client.get("/api/3/action/site_read", HTTP_AUTHORIZATION=issued.json()["secret"])
    assert ckan.json()["success"] is True
    keys = client.get(f"{BASE}/keys").json()
    assert keys[0]["calls_today"] == 1 and "secret" not in keys[0]
    assert client.get(f"{BASE}/keys/{keys[0]['id']}/usage").json()[0]["calls"] == 1
    assert (
        client.post(
            f"{BASE}/datasets/{published.name}/rating",
            {"score": 4},
            content_type="application/json",
        ).json()["mine"]
        == 4
    )
    assert (
        client.post(
            f"{BASE}/datasets/{published.name}/rating",
            {"score": 9},
            content_type="application/json",
        ).status_code
        == 422
    )
    comment = client.post(
        f"{BASE}/datasets/{published.name}/comments",
        {"text": "很实用的数据"},
        content_type="application/json",
    )
    assert comment.status_code == 201
    assert (
        client.post(
            f"{BASE}/comments/{comment.json()['id']}/moderation",
            {"approve": True},
            content_type="application/json",
        ).status_code
        == 403
    )
    request = client.post(
        f"{BASE}/requests",
        {"title": "公交站点", "description": "希望开放公交站点数据"},
        content_type="application/json",
    )
    assert request.status_code == 201
    assert (
        client.post(
            f"{BASE}/requests/{request.json()['id']}/answer",
            {"answer": "好"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert DataRequest.objects.get().state == "open" and Comment.objects.get().state == "pending"
    client.logout()
    login(client, accounts["reviewer"])
    assert (
        client.post(
            f"{BASE}/comments/{comment.json()['id']}/moderation",
            {"approve": True},
            content_type="application/json",
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"{BASE}/requests/{request.json()['id']}/answer",
            {"answer": "已列入开放计划"},
            content_type="application/json",
        ).status_code
        == 200
    )
    client.logout()
    assert len(client.get(f"{BASE}/datasets/{published.name}/comments").json()) == 1
    assert client.get(f"{BASE}/requests").json()["results"][0]["answer"] == "已列入开放计划"
    assert (
        client.post(f"{BASE}/keys", {"name": "x"}, content_type="application/json").status_code
        == 401
    )
    assert DeveloperKey.objects.count() == 1
