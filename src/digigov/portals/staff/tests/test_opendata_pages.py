"""粤政易 · 开放广东: publishing a catalog resource (personal fields dropped and shown), the
data bureau's review, the publisher's applications inbox, data-request answers, comment and
showcase moderation, per-dataset usage; who gets in, and that refused actions change
nothing; query counts on the lists."""

from __future__ import annotations

import uuid

import pytest

from digigov.data.opendata.models import (
    AccessApplication,
    Comment,
    DataRequest,
    DatasetResource,
    OpenDataset,
    Showcase,
)
from digigov.data.opendata.services.applications import application_submit
from digigov.data.opendata.services.community import (
    comment_post,
    data_request_submit,
    showcase_submit,
)
from digigov.data.opendata.tests.factories import catalog_resource
from digigov.portals.web.opendata_testing import shops_publish, shops_submit, world_make
from digigov.support.identity import testing as identity_testing

pytestmark = pytest.mark.django_db
PURPOSE = "用于食品安全研究和消费者权益保护分析"
PAGES = [
    "/staff/opendata/",
    "/staff/opendata/publish/",
    "/staff/opendata/review/",
    "/staff/opendata/applications/",
    "/staff/opendata/requests/",
    "/staff/opendata/moderation/",
]


@pytest.fixture
def world(db):
    return world_make()


@pytest.fixture
def citizen(world):
    return identity_testing.citizen_make("od_citizen")


def _login(client, world, citizen, who: str):
    account = {
        "anonymous": None,
        "citizen": citizen,
        "staff_without": world.clerk,
        "publisher": world.publisher,
        "reviewer": world.reviewer,
    }[who]
    if account is not None:
        identity_testing.login(client, account)
    return client


def _denied(response, who: str) -> None:
    if who == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == 403


# --- who gets in -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff_without"])
def test_pages_refuse_those_without_a_role(client, world, citizen, who):
    _login(client, world, citizen, who)
    for url in PAGES:
        _denied(client.get(url), who)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("publisher", {"/staff/opendata/", "/staff/opendata/publish/", "/staff/opendata/applications/"}),
        (
            "reviewer",
            {"/staff/opendata/", "/staff/opendata/review/", "/staff/opendata/requests/", "/staff/opendata/moderation/"},
        ),
    ],
)  # fmt: skip
def test_each_role_gets_its_pages(client, world, citizen, who, allowed):
    _login(client, world, citizen, who)
    for url in PAGES:
        assert client.get(url).status_code == (200 if url in allowed else 403), url


def test_the_section_is_in_the_navigation_of_those_with_a_role(client, world):
    identity_testing.login(client, world.publisher)
    assert "开放广东" in client.get("/staff/").content.decode()
    client.logout()
    identity_testing.login(client, world.clerk)
    assert 'href="/staff/opendata/"' not in client.get("/staff/").content.decode()


# --- publishing ------------------------------------------------------------------------------


def test_publisher_publishes_a_resource_and_sees_the_dropped_fields(client, world):
    catalog_resource(code="GZ-SCJG-SHOPS", open_condition="conditional")
    identity_testing.login(client, world.publisher)
    pick = client.get("/staff/opendata/publish/").content.decode()
    assert "GZ-SCJG-SHOPS" in pick and "发布为开放数据集" in pick
    form = client.get("/staff/opendata/publish/GZ-SCJG-SHOPS/")
    page = form.content.decode()
    assert form.status_code == 200
    closed = page.split('data-testid="closed-fields"')[1].split("</section>")[0]
    assert "经营者姓名" in closed and "联系电话" in closed
    opened = page.split('data-testid="open-fields"')[1].split("</fieldset>")[0]
    assert "owner_name" not in opened and "shop_name" in opened

    bad = client.post(
        "/staff/opendata/publish/GZ-SCJG-SHOPS/",
        {"name": "Bad Name!", "title": "", "theme": "market", "fields": ["shop_id"]},
    )
    assert bad.status_code == 422 and 'data-testid="form-error"' in bad.content.decode()
    # a personal field slipped into the form is refused, not published
    sneaky = client.post(
        "/staff/opendata/publish/GZ-SCJG-SHOPS/",
        {
            "name": "gz-shops",
            "title": "便利店",
            "theme": "market",
            "fields": ["shop_id", "owner_name"],
        },
    )
    assert sneaky.status_code == 422 and not OpenDataset.objects.exists()

    response = client.post(
        "/staff/opendata/publish/GZ-SCJG-SHOPS/",
        {
            "name": "gz-shops",
            "title": "广州市便利店名录",
            "notes": "便利店名录",
            "tags": "便利店，商业网点",
            "theme": "market",
            "license_id": "gd-open-data",
            "update_frequency": "monthly",
            "spatial": "440100",
            "fields": ["shop_id", "shop_name", "district_code"],
        },
    )
    assert response.status_code == 302
    dataset = OpenDataset.objects.get(name="gz-shops")
    assert dataset.state == "submitted" and dataset.open_condition == "conditional"
    assert {"owner_name", "owner_phone"} <= set(dataset.dropped_fields)
    assert [c["id"] for c in dataset.fields_spec] == ["shop_id", "shop_name", "district_code"]
    overview = client.get("/staff/opendata/").content.decode()
    assert "不开放的数据项" in overview and "owner_name" in overview  # the flash message
    assert "待审核" in overview
    # the resource is not offered twice
    assert "已开放为" in client.get("/staff/opendata/publish/").content.decode()


def test_another_departments_publisher_cannot_publish_our_resource(client, world):
    catalog_resource(code="GZ-SCJG-SHOPS")
    other = identity_testing.staff_make(
        "mzt_pub", organization_code="440100-mzt", roles=["开放数据发布人员"]
    )
    identity_testing.login(client, other)
    assert client.get("/staff/opendata/publish/GZ-SCJG-SHOPS/").status_code == 403
    response = client.post(
        "/staff/opendata/publish/GZ-SCJG-SHOPS/",
        {"name": "gz-shops", "title": "便利店", "theme": "market"},
    )
    assert response.status_code == 403 and not OpenDataset.objects.exists()
    assert client.get("/staff/opendata/publish/NOPE/").status_code == 404


# --- review ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff_without", "publisher"])
def test_review_refused_changes_nothing(client, world, citizen, who):
    dataset = shops_submit(world)
    _login(client, world, citizen, who)
    response = client.post(f"/staff/opendata/review/{dataset.pk}/decide/", {"decision": "approve"})
    _denied(response, who)
    dataset.refresh_from_db()
    assert dataset.state == "submitted" and not DatasetResource.objects.exists()


def test_reviewer_returns_with_a_reason_and_publishes(client, world):
    returned = shops_submit(world, code="GZ-SCJG-A", name="shops-a")
    dataset = shops_submit(world, code="GZ-SCJG-B", name="shops-b")
    identity_testing.login(client, world.reviewer)
    queue = client.get("/staff/opendata/review/").content.decode()
    assert 'data-testid="review-shops-a"' in queue and "owner_phone" in queue
    # returning needs a reason: nothing changes without one
    client.post(f"/staff/opendata/review/{returned.pk}/decide/", {"decision": "reject"})
    returned.refresh_from_db()
    assert returned.state == "submitted"
    client.post(
        f"/staff/opendata/review/{returned.pk}/decide/", {"decision": "reject", "note": "描述不全"}
    )
    returned.refresh_from_db()
    assert (returned.state, returned.review_note) == ("rejected", "描述不全")
    response = client.post(f"/staff/opendata/review/{dataset.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.state == "published"
    formats = set(DatasetResource.objects.filter(dataset=dataset).values_list("format", flat=True))
    assert formats == {"CSV", "JSON", "XLSX"}
    assert (
        client.post(
            f"/staff/opendata/review/{uuid.uuid4()}/decide/", {"decision": "approve"}
        ).status_code
        == 404
    )


# --- applications ----------------------------------------------------------------------------


@pytest.fixture
def application(world, citizen):
    dataset = shops_publish(world, open_condition="conditional")
    return application_submit(
        principal=identity_testing.principal_of(citizen),
        dataset_name=dataset.name,
        purpose=PURPOSE,
        organization="某大学",
        contact="13800138000",
    )


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff_without", "reviewer"])
def test_application_decision_refused_changes_nothing(client, world, citizen, application, who):
    _login(client, world, citizen, who)
    response = client.post(
        f"/staff/opendata/applications/{application.pk}/decide/", {"decision": "approve"}
    )
    _denied(response, who)
    application.refresh_from_db()
    assert application.state == "submitted"


def test_publisher_decides_applications_in_the_inbox(client, world, application):
    identity_testing.login(client, world.publisher)
    inbox = client.get("/staff/opendata/applications/").content.decode()
    assert f'data-testid="application-{application.pk}"' in inbox
    assert "138****8000" in inbox and "13800138000" not in inbox  # contact masked
    assert "有 1 件有条件开放申请待审批" in client.get("/staff/opendata/").content.decode()
    # refusing needs a reason; a bad period is refused too
    client.post(f"/staff/opendata/applications/{application.pk}/decide/", {"decision": "refuse"})
    client.post(
        f"/staff/opendata/applications/{application.pk}/decide/",
        {"decision": "approve", "valid_days": "9999"},
    )
    application.refresh_from_db()
    assert application.state == "submitted"
    client.post(
        f"/staff/opendata/applications/{application.pk}/decide/",
        {"decision": "approve", "valid_days": "30"},
    )
    application.refresh_from_db()
    assert application.state == "approved" and application.valid_until is not None
    decided = client.get("/staff/opendata/applications/", {"state": "approved"}).content.decode()
    assert f'data-testid="application-{application.pk}"' in decided
    assert (
        client.post(
            "/staff/opendata/applications/999999/decide/", {"decision": "approve"}
        ).status_code
        == 404
    )


# --- data requests and moderation ------------------------------------------------------------


@pytest.fixture
def data_request(citizen):
    return data_request_submit(
        principal=identity_testing.principal_of(citizen),
        title="全省充电桩位置",
        description="希望开放全省公共充电桩的位置和数量。",
    )


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff_without", "publisher"])
def test_request_answer_refused_changes_nothing(client, world, citizen, data_request, who):
    _login(client, world, citizen, who)
    response = client.post(
        f"/staff/opendata/requests/{data_request.pk}/answer/",
        {"answer": "正在协调", "state": "answered"},
    )
    _denied(response, who)
    data_request.refresh_from_db()
    assert data_request.state == "open" and data_request.answer == ""


def test_bureau_answers_a_request(client, world, data_request):
    published = shops_publish(world)
    identity_testing.login(client, world.reviewer)
    assert "全省充电桩位置" in client.get("/staff/opendata/requests/").content.decode()
    client.post(
        f"/staff/opendata/requests/{data_request.pk}/answer/", {"answer": "", "state": "answered"}
    )
    data_request.refresh_from_db()
    assert data_request.state == "open"
    client.post(
        f"/staff/opendata/requests/{data_request.pk}/answer/",
        {"answer": "已开放便利店名录", "state": "fulfilled", "dataset_name": published.name},
    )
    data_request.refresh_from_db()
    assert (data_request.state, data_request.dataset_id) == ("fulfilled", published.pk)
    assert DataRequest.objects.filter(state="open").count() == 0


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff_without", "publisher"])
def test_moderation_refused_changes_nothing(client, world, citizen, who):
    dataset = shops_publish(world)
    comment = comment_post(
        principal=identity_testing.principal_of(citizen), dataset_name=dataset.name, text="很有用"
    )
    _login(client, world, citizen, who)
    response = client.post(
        f"/staff/opendata/moderation/comments/{comment.pk}/", {"decision": "approve"}
    )
    _denied(response, who)
    comment.refresh_from_db()
    assert comment.state == "pending"


def test_moderator_approves_comments_and_showcases(client, world, citizen):
    dataset = shops_publish(world)
    person = identity_testing.principal_of(citizen)
    comment = comment_post(principal=person, dataset_name=dataset.name, text="数据很有用")
    spam = comment_post(principal=person, dataset_name=dataset.name, text="广告广告")
    showcase = showcase_submit(
        principal=person, title="便利店地图", description="在地图上查找附近的便利店。",
        url="https://example.org/shops", dataset_names=[dataset.name],
    )  # fmt: skip
    identity_testing.login(client, world.reviewer)
    page = client.get("/staff/opendata/moderation/").content.decode()
    assert "数据很有用" in page and "便利店地图" in page
    client.post(f"/staff/opendata/moderation/comments/{comment.pk}/", {"decision": "approve"})
    client.post(f"/staff/opendata/moderation/comments/{spam.pk}/", {"decision": "reject"})
    client.post(f"/staff/opendata/moderation/showcases/{showcase.pk}/", {"decision": "approve"})
    states = dict(Comment.objects.values_list("pk", "state"))
    assert states == {comment.pk: "approved", spam.pk: "rejected"}
    assert Showcase.objects.get().state == "published"
    assert client.post("/staff/opendata/moderation/other/1/", {}).status_code == 404
    assert client.post("/staff/opendata/moderation/comments/999999/", {}).status_code == 404


# --- usage -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("citizen", 403), ("staff_without", 403), ("publisher", 200), ("reviewer", 200)],
)  # fmt: skip
def test_usage_page_for_publisher_and_bureau(client, world, citizen, who, status):
    dataset = shops_publish(world)
    _login(client, world, citizen, who)
    response = client.get(f"/staff/opendata/datasets/{dataset.pk}/usage/")
    assert response.status_code == status
    if status == 200:
        assert 'id="od-usage-data"' in response.content.decode()


@pytest.mark.parametrize("who", ["citizen", "staff_without", "reviewer_of_other_region"])
def test_withdraw_refused_changes_nothing(client, world, citizen, who):
    dataset = shops_publish(world)
    if who == "reviewer_of_other_region":
        account = identity_testing.staff_make(
            "sz_rev", organization_code="440300-zsj", roles=["开放数据审核人员"]
        )
        identity_testing.login(client, account)
    else:
        _login(client, world, citizen, who)
    response = client.post(f"/staff/opendata/datasets/{dataset.pk}/withdraw/", {"note": "x"})
    assert response.status_code == 403
    dataset.refresh_from_db()
    assert dataset.state == "published"


def test_publisher_withdraws_a_dataset(client, world):
    dataset = shops_publish(world)
    identity_testing.login(client, world.publisher)
    client.post(f"/staff/opendata/datasets/{dataset.pk}/refresh/")
    client.post(f"/staff/opendata/datasets/{dataset.pk}/withdraw/", {"note": "数据更正中"})
    dataset.refresh_from_db()
    assert dataset.state == "withdrawn"
    assert client.get(f"/staff/opendata/datasets/{uuid.uuid4()}/usage/").status_code == 404
    assert client.post(f"/staff/opendata/datasets/{dataset.pk}/explode/").status_code == 404


# --- query counts ----------------------------------------------------------------------------


def test_list_pages_query_counts(client, world, citizen, django_assert_max_num_queries):
    person = identity_testing.principal_of(citizen)
    for n in range(3):
        dataset = shops_publish(
            world, code=f"GZ-SCJG-Q{n}", name=f"shops-q{n}", open_condition="conditional"
        )
        application_submit(principal=person, dataset_name=dataset.name, purpose=PURPOSE)
        comment_post(principal=person, dataset_name=dataset.name, text=f"评论{n}")
    for n in range(3):
        shops_submit(world, code=f"GZ-SCJG-R{n}", name=f"shops-r{n}")
    assert AccessApplication.objects.count() == 3
    identity_testing.login(client, world.publisher)
    with django_assert_max_num_queries(16):
        assert client.get("/staff/opendata/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/staff/opendata/applications/").status_code == 200
    client.logout()
    identity_testing.login(client, world.reviewer)
    with django_assert_max_num_queries(14):
        assert client.get("/staff/opendata/review/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/staff/opendata/moderation/").status_code == 200
