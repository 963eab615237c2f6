"""/api/v1/services/items: public search and guides, staff drafts and review, with the
authorization of every staff endpoint (denied callers change nothing)."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from digigov.kernel.organizations.models import Organization
from digigov.kernel.principals import Principal
from digigov.support.identity import services as identity

from ..models import ServiceItem
from ..services import items as svc
from ..testing import item_make, organizations_ready

pytestmark = pytest.mark.django_db
BASE = "/api/v1/services/items"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
FIELDS = {
    "name": "城乡居民基本养老保险参保登记",
    "item_type": "public_service",
    "statutory_days": 15,
    "promised_days": 3,
    "approval_mode": "instant",
    "life_events": ["social_security"],
}


def account(username: str, *, kind: str = "staff", roles=(), verified=True):
    organizations_ready()
    if kind == "staff":
        identity.roles_seed()
        user = identity.staff_account_create(
            actor=None,
            username=username,
            password="Items@2025x",
            real_name=username,
            organization_id=Organization.objects.get(code="440000-zsj").pk,
            roles=list(roles),
        )
        user.device = identity.totp_device_create(account_id=user.pk) if verified else None
        return user
    user = identity.account_register(
        username=username, password="Items@2025x", phone="13800138000", kind="citizen"
    )
    user.device = None
    return user


def login(client, user):
    client.force_login(user, backend=MODEL_BACKEND)
    if user.device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = user.device.persistent_id
        session.save()
    return client


CALLERS = {
    "anonymous": None,
    "citizen": {"kind": "citizen"},
    "staff_no_otp": {"roles": ("事项管理人员", "事项审核人员"), "verified": False},
    "staff_without_permission": {"roles": ("审批人员",)},
}


@pytest.fixture
def caller(request, client):
    def _as(name):
        spec = CALLERS[name]
        return client if spec is None else login(client, account(f"u_{name}", **spec))

    return _as


def test_public_search_and_detail(client, django_assert_max_num_queries):
    for n in range(3):
        item_make(code=f"GD-T-10{n}", name=f"出生医学证明签发{n}", life_events=["birth"])
    item_make(code="GD-T-200", name="食品经营许可", subject_kind="entity")
    with django_assert_max_num_queries(4):
        response = client.get(BASE, {"q": "出生", "page_size": 2})
    body = response.json()
    assert response.status_code == 200
    assert body["total"] == 3 and body["has_next"] and len(body["items"]) == 2
    assert body["items"][0]["name"].startswith("出生医学证明签发")
    assert client.get(BASE, {"life_event": "birth"}).json()["total"] == 3
    assert client.get(BASE, {"subject_kind": "entity"}).json()["total"] == 1
    detail = client.get(f"{BASE}/GD-T-200")
    assert detail.status_code == 200
    assert detail.json()["item_type_label"] == "行政许可"
    assert client.get(f"{BASE}/NOPE").json()["error"]["code"] == "services/item_not_found"


def test_draft_is_not_public(client):
    organizations_ready()
    svc.item_create(
        principal=Principal(kind="operator", id="t"),
        code="GD-T-300",
        organization_code="440100-rsj",
        fields=FIELDS,
    )
    assert client.get(f"{BASE}/GD-T-300").status_code == 404
    assert client.get(BASE, {"q": "养老保险"}).json()["total"] == 0


def test_staff_draft_review_publish_through_api(client):
    drafter = account("drafter", roles=("事项管理人员",))
    reviewer = account("reviewer", roles=("事项审核人员",))
    login(client, drafter)
    created = client.post(
        BASE,
        {"code": "GD-T-400", "organization_code": "440100-rsj", "fields": FIELDS},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["draft"]["number"] == 1
    bad = client.patch(
        f"{BASE}/GD-T-400/draft",
        {"changes": {"promised_days": 99}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "promised_days" in bad.json()["error"]["fields"]
    assert client.post(f"{BASE}/GD-T-400/submit").json()["draft"]["status"] == "in_review"
    # four-eyes: the drafter cannot publish (and lacks the permission anyway)
    assert client.post(f"{BASE}/GD-T-400/publish").status_code == 403
    login(client, reviewer)
    published = client.post(f"{BASE}/GD-T-400/publish")
    assert published.status_code == 200 and published.json()["published_version"] == 1
    assert client.get(f"{BASE}/GD-T-400").status_code == 200
    versions = client.get(f"{BASE}/GD-T-400/versions").json()
    assert [(v["number"], v["status"]) for v in versions] == [(1, "published")]


def test_reject_through_api(client):
    organizations_ready()
    svc.item_create(
        principal=Principal(kind="operator", id="t"),
        code="GD-T-500",
        organization_code="440100-rsj",
        fields=FIELDS,
    )
    svc.item_submit_review(principal=Principal(kind="operator", id="t"), code="GD-T-500")
    login(client, account("reviewer2", roles=("事项审核人员",)))
    response = client.post(
        f"{BASE}/GD-T-500/reject", {"comment": "依据不全"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["draft"]["status"] == "rejected"


@pytest.mark.parametrize("who", list(CALLERS))
@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "", {"code": "GD-T-NEW", "organization_code": "440100-rsj", "fields": {}}),
        ("patch", "/GD-T-600/draft", {"changes": {"place": "别处"}}),
        ("post", "/GD-T-600/submit", None),
        ("post", "/GD-T-600/publish", None),
        ("post", "/GD-T-600/reject", {"comment": "不行"}),
        ("get", "/GD-T-600/versions", None),
    ],
)
def test_staff_endpoints_refuse_others(caller, who, method, path, payload):
    organizations_ready()
    operator = Principal(kind="operator", id="t")
    svc.item_create(
        principal=operator, code="GD-T-600", organization_code="440100-rsj", fields=FIELDS
    )
    svc.item_submit_review(principal=operator, code="GD-T-600")
    client = caller(who)
    kwargs = {"content_type": "application/json"} if payload is not None else {}
    response = getattr(client, method)(BASE + path, payload or {}, **kwargs)
    assert response.status_code in (401, 403), response.content
    item = ServiceItem.objects.get(code="GD-T-600")
    assert item.published is None and item.versions.get().status == "in_review"
    assert item.versions.get().place == ""
    assert not ServiceItem.objects.filter(code="GD-T-NEW").exists()
