"""开放广东 public pages: home, search with Chinese text and facets, the dataset page
(preview, downloads, API example, usage, ratings, comments), conditional applications, data
requests, showcases and the developer area; who may do what (refused actions change
nothing); bad input; query counts."""

from __future__ import annotations

import pytest

from digigov.data.opendata.models import (
    AccessApplication,
    Comment,
    DataRequest,
    DatasetResource,
    DeveloperKey,
    Rating,
    Showcase,
    UsageDay,
)
from digigov.data.opendata.services.applications import application_decide, application_submit
from digigov.data.opendata.services.community import (
    comment_moderate,
    comment_post,
    data_request_answer,
    data_request_submit,
    showcase_moderate,
    showcase_submit,
)
from digigov.data.opendata.services.keys import developer_key_create, developer_key_use
from digigov.portals.web.opendata_testing import shops_publish, world_make
from digigov.support.identity import testing as identity_testing

pytestmark = pytest.mark.django_db
PURPOSE = "用于食品安全研究和消费者权益保护分析"


@pytest.fixture
def world(db):
    return world_make()


@pytest.fixture
def published(world):
    return shops_publish(world)


@pytest.fixture
def conditional(world):
    return shops_publish(
        world,
        code="GZ-SCJG-COND",
        name="shops-conditional",
        open_condition="conditional",
        title="广州市便利店经营明细",
    )


@pytest.fixture
def citizen(world):
    return identity_testing.citizen_make("od_citizen")


def _login(client, world, citizen, who: str):
    account = {"anonymous": None, "citizen": citizen, "staff": world.clerk}[who]
    if account is not None:
        identity_testing.login(client, account)
    return client


def _csv(dataset):
    return DatasetResource.objects.get(dataset=dataset, format="CSV").pk


# --- home and search -------------------------------------------------------------------------


def test_home_shows_themes_figures_and_datasets(client, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = client.get("/opendata/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="figure-datasets">1<' in page
    assert 'data-testid="theme-market"' in page and "市场监管" in page
    assert "广州市便利店名录" in page
    assert 'href="/opendata/"' in client.get("/").content.decode()  # linked from the portal


def test_search_chinese_text_facets_and_sort(client, published, conditional):
    page = client.get("/opendata/datasets/", {"q": "便利店"}).content.decode()
    assert "共 2 个数据集" in page
    assert 'data-testid="facet-groups-market"' in page and "广州市市场监督管理局" in page
    assert (
        'data-testid="facet-res_format-CSV"' in page and 'data-testid="facet-region-440100"' in page
    )
    filtered = client.get(
        "/opendata/datasets/", {"q": "便利店", "open_condition": "conditional"}
    ).content.decode()
    assert "共 1 个数据集" in filtered and "广州市便利店经营明细" in filtered
    assert 'aria-current="true"' in filtered  # the chosen facet is marked
    by_tag = client.get("/opendata/datasets/", {"tags": "商业网点", "groups": "market"})
    assert "共 2 个数据集" in by_tag.content.decode()
    none = client.get("/opendata/datasets/", {"q": "充电桩"}).content.decode()
    assert "共 0 个数据集" in none and 'data-testid="search-empty"' in none
    sorted_page = client.get("/opendata/datasets/", {"sort": "title_string asc"}).content.decode()
    assert sorted_page.index("广州市便利店名录") < sorted_page.index("广州市便利店经营明细")


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"page": "abc"}, 400),
        ({"page": "-3"}, 400),
        ({"page": "999999999"}, 400),
        ({"page": "7"}, 200),  # past the end: an empty page
        ({"sort": "name; DROP TABLE opendata_opendataset"}, 200),  # unknown sort ignored
        ({"organization": "x" * 500, "q": "' OR 1=1 --"}, 200),
    ],
)
def test_search_bad_input(client, published, params, status):
    response = client.get("/opendata/datasets/", params)
    assert response.status_code == status
    if status == 400:
        assert "页码不正确" in response.content.decode()


def test_search_query_count(client, world, django_assert_max_num_queries):
    for n in range(4):
        shops_publish(world, code=f"GZ-SCJG-S{n}", name=f"shops-s{n}", rows=3)
    with django_assert_max_num_queries(18):
        response = client.get("/opendata/datasets/", {"q": "便利店"})
    assert "共 4 个数据集" in response.content.decode()


# --- the dataset page ------------------------------------------------------------------------


def test_dataset_page_preview_downloads_api_and_usage(client, published):
    response = client.get(f"/opendata/datasets/{published.name}/")
    page = response.content.decode()
    assert response.status_code == 200
    preview = page.split('data-testid="preview"')[1].split("</table>")[0]
    assert "店铺名称" in preview and "S0001" in preview and preview.count("<tr>") == 11
    assert "王1" not in page and "1380013" not in page  # personal fields never shown
    csv_id = _csv(published)
    assert f'href="/opendata/resource/{csv_id}/download"' in page
    assert f"/api/3/action/datastore_search?resource_id={csv_id}" in page
    assert "curl &quot;http://testserver/api/3/action/datastore_search" in page
    assert 'id="od-usage-data"' in page and "echarts.min.js" in page
    assert UsageDay.objects.get(dataset=published).views == 1
    client.get(f"/opendata/datasets/{published.name}/")
    published.refresh_from_db()
    assert published.view_count == 2
    download = client.get(f"/opendata/resource/{csv_id}/download")
    assert download.status_code == 200
    assert download.content.decode("utf-8-sig").startswith("shop_id,shop_name")
    published.refresh_from_db()
    assert published.download_count == 1


def test_dataset_page_query_count(client, published, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        assert client.get(f"/opendata/datasets/{published.name}/").status_code == 200


@pytest.mark.parametrize("name", ["no-such-dataset", "shops-draft"])
def test_unknown_or_unpublished_dataset_is_a_404_page(client, world, name):
    from digigov.portals.web.opendata_testing import shops_submit

    shops_submit(world, code="GZ-SCJG-DRAFT", name="shops-draft")
    response = client.get(f"/opendata/datasets/{name}/")
    assert response.status_code == 404
    assert "数据集不存在" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff"])
def test_conditional_dataset_rows_need_an_approved_application(
    client, world, citizen, conditional, who
):
    _login(client, world, citizen, who)
    page = client.get(f"/opendata/datasets/{conditional.name}/").content.decode()
    assert 'data-testid="preview-locked"' in page and 'data-testid="preview"' not in page
    assert "/download" not in page
    assert client.get(f"/opendata/resource/{_csv(conditional)}/download").status_code in (401, 403)
    if who == "anonymous":
        assert "登录后申请" in page
        response = client.post(
            f"/opendata/datasets/{conditional.name}/apply/", {"purpose": PURPOSE}
        )
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert not AccessApplication.objects.exists()
    else:
        assert 'data-testid="apply-link"' in page


def test_citizen_applies_and_after_approval_previews_and_downloads(
    client, world, citizen, conditional
):
    identity_testing.login(client, citizen)
    url = f"/opendata/datasets/{conditional.name}/apply/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"purpose": "太短"})
    assert bad.status_code == 422 and "请说明数据用途" in bad.content.decode()
    assert not AccessApplication.objects.exists()
    response = client.post(url, {"purpose": PURPOSE, "organization": "某大学", "contact": "x"})
    assert response.status_code == 302
    application = AccessApplication.objects.get()
    assert application.applicant_organization == "某大学"
    page = client.get(f"/opendata/datasets/{conditional.name}/").content.decode()
    assert "待审批" in page and 'data-testid="apply-link"' not in page
    again = client.post(url, {"purpose": PURPOSE})
    assert again.status_code == 409 and AccessApplication.objects.count() == 1
    application_decide(
        principal=identity_testing.principal_of(world.publisher),
        application_id=application.pk,
        approve=True,
        valid_days=30,
    )
    page = client.get(f"/opendata/datasets/{conditional.name}/").content.decode()
    assert "已批准" in page and 'data-testid="preview"' in page
    assert client.get(f"/opendata/resource/{_csv(conditional)}/download").status_code == 200
    mine = client.get("/opendata/applications/").content.decode()
    assert "广州市便利店经营明细" in mine and "已批准" in mine
    assert client.get("/opendata/datasets/nope/apply/").status_code == 404


# --- ratings and comments --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff"])
def test_rating_and_comment_need_a_signed_in_person(client, world, citizen, published, who):
    _login(client, world, citizen, who)
    rate = client.post(f"/opendata/datasets/{published.name}/rate/", {"score": "4"})
    comment = client.post(f"/opendata/datasets/{published.name}/comment/", {"text": "数据很全"})
    if who == "anonymous":
        for response in (rate, comment):
            assert response.status_code == 302 and "/login/" in response["Location"]
        assert not Rating.objects.exists() and not Comment.objects.exists()
    else:
        assert Rating.objects.get().score == 4
        assert Comment.objects.get().state == "pending"


def test_ratings_and_moderated_comments_show(client, world, citizen, published):
    identity_testing.login(client, citizen)
    client.post(f"/opendata/datasets/{published.name}/rate/", {"score": "9"})
    client.post(f"/opendata/datasets/{published.name}/rate/", {"score": "abc"})
    assert not Rating.objects.exists()
    client.post(f"/opendata/datasets/{published.name}/rate/", {"score": "5"})
    client.post(f"/opendata/datasets/{published.name}/comment/", {"text": "更新很及时，谢谢"})
    page = client.get(f"/opendata/datasets/{published.name}/").content.decode()
    assert "平均 5.0 分（1 人评分）" in page and "您的评分：5 分" in page
    assert "更新很及时" not in page  # not before moderation
    comment_moderate(
        principal=identity_testing.principal_of(world.reviewer),
        comment_id=Comment.objects.get().pk,
        approve=True,
    )
    page = client.get(f"/opendata/datasets/{published.name}/").content.decode()
    assert "更新很及时" in page
    assert client.post("/opendata/datasets/nope/rate/", {"score": "3"}).status_code == 404


def test_comment_author_names_are_masked(client, world, published):
    person = identity_testing.citizen_make("od_named")
    person.real_name = "张三丰"
    person.save(update_fields=["real_name"])
    comment = comment_post(
        principal=identity_testing.principal_of(person),
        dataset_name=published.name,
        text="不错的数据",
    )
    comment_moderate(
        principal=identity_testing.principal_of(world.reviewer), comment_id=comment.pk, approve=True
    )
    page = client.get(f"/opendata/datasets/{published.name}/").content.decode()
    assert "张**" in page and "张三丰" not in page


# --- data requests and showcases -------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff"])
def test_asking_for_data_needs_a_signed_in_person(client, world, citizen, who):
    _login(client, world, citizen, who)
    response = client.post(
        "/opendata/requests/new/",
        {"title": "全省充电桩位置", "description": "希望开放公共充电桩的位置和数量。"},
    )
    if who == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert not DataRequest.objects.exists()
    else:
        assert response.status_code == 302 and DataRequest.objects.count() == 1


def test_requests_list_shows_answers_and_searches(
    client, world, citizen, published, django_assert_max_num_queries
):
    person = identity_testing.principal_of(citizen)
    for n in range(3):
        data_request_submit(
            principal=person, title=f"公交线路数据{n}", description="希望开放公交线路和站点。"
        )
    asked = data_request_submit(
        principal=person, title="便利店名录", description="希望开放便利店名录。"
    )
    data_request_answer(
        principal=identity_testing.principal_of(world.reviewer), request_id=asked.pk,
        answer="已开放", state="fulfilled", dataset_name=published.name,
    )  # fmt: skip
    with django_assert_max_num_queries(10):
        page = client.get("/opendata/requests/").content.decode()
    assert (
        "共 4 条需求" in page and "已开放" in page and "/opendata/datasets/guangzhou-shops/" in page
    )
    found = client.get("/opendata/requests/", {"q": "便利店"}).content.decode()
    assert "共 1 条需求" in found
    assert client.get("/opendata/requests/", {"page": "x"}).status_code == 400
    identity_testing.login(client, citizen)
    bad = client.post("/opendata/requests/new/", {"title": "x", "description": ""})
    assert bad.status_code == 422 and DataRequest.objects.count() == 4


def test_showcase_submitted_shows_after_moderation(client, world, citizen, published):
    identity_testing.login(client, citizen)
    form = client.get("/opendata/showcases/new/", {"datasets": published.name})
    assert published.name in form.content.decode()
    bad = client.post(
        "/opendata/showcases/new/", {"title": "地图", "description": "x", "datasets": "nope"}
    )
    assert bad.status_code == 422 and not Showcase.objects.exists()
    client.post(
        "/opendata/showcases/new/",
        {"title": "便利店地图", "description": "在地图上查找附近的便利店。", "url": "https://example.org", "datasets": published.name},
    )  # fmt: skip
    showcase = Showcase.objects.get()
    page = client.get("/opendata/showcases/").content.decode()
    assert "共 0 个应用" in page and 'data-testid="my-showcase"' in page
    showcase_moderate(
        principal=identity_testing.principal_of(world.reviewer),
        showcase_id=showcase.pk,
        approve=True,
    )
    client.logout()
    page = client.get("/opendata/showcases/").content.decode()
    assert "共 1 个应用" in page and "便利店地图" in page and "广州市便利店名录" in page


def test_showcases_query_count(client, world, citizen, published, django_assert_max_num_queries):
    person = identity_testing.principal_of(citizen)
    moderator = identity_testing.principal_of(world.reviewer)
    for n in range(4):
        showcase = showcase_submit(
            principal=person,
            title=f"应用{n}",
            description="基于开放数据的应用。",
            dataset_names=[published.name],
        )
        showcase_moderate(principal=moderator, showcase_id=showcase.pk, approve=True)
    with django_assert_max_num_queries(8):
        assert "共 4 个应用" in client.get("/opendata/showcases/").content.decode()


# --- developer keys --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff"])
def test_developer_key_needs_a_signed_in_person(client, world, citizen, who):
    _login(client, world, citizen, who)
    response = client.post("/opendata/developer/", {"name": "我的应用", "daily_quota": "100"})
    if who == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert not DeveloperKey.objects.exists()
    else:
        assert response.status_code == 200 and DeveloperKey.objects.count() == 1


def test_key_shown_once_with_quota_usage_and_revocation(client, world, citizen):
    identity_testing.login(client, citizen)
    bad = client.post("/opendata/developer/", {"name": "", "daily_quota": "0"})
    assert bad.status_code == 422 and not DeveloperKey.objects.exists()
    response = client.post("/opendata/developer/", {"name": "我的应用", "daily_quota": "2"})
    page = response.content.decode()
    secret = page.split('data-testid="secret">')[1].split("<")[0]
    assert secret.startswith("gdod_") and response["Cache-Control"] == "no-store"
    key = DeveloperKey.objects.get()
    assert key.digest != secret
    assert secret not in client.get("/opendata/developer/").content.decode()  # shown once
    for _ in range(2):
        developer_key_use(secret=secret)
    usage = client.get(f"/opendata/developer/keys/{key.pk}/").content.decode()
    assert 'id="od-key-data"' in usage and "<td>2</td>" in usage
    listing = client.get("/opendata/developer/").content.decode()
    assert f'data-testid="key-{key.pk}"' in listing and key.prefix in listing
    # another person cannot see or revoke it
    other = identity_testing.citizen_make("od_other")
    client.logout()
    identity_testing.login(client, other)
    assert client.get(f"/opendata/developer/keys/{key.pk}/").status_code == 404
    assert client.post(f"/opendata/developer/keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.is_active
    client.logout()
    identity_testing.login(client, citizen)
    client.post(f"/opendata/developer/keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert not key.is_active


def test_issued_key_reads_a_conditional_dataset_after_approval(client, world, citizen, conditional):
    person = identity_testing.principal_of(citizen)
    issued = developer_key_create(principal=person, name="研究", daily_quota=10)
    application = application_submit(
        principal=person, dataset_name=conditional.name, purpose=PURPOSE
    )
    url = f"/opendata/resource/{_csv(conditional)}/download"
    assert client.get(url, HTTP_AUTHORIZATION=issued.secret).status_code == 403
    application_decide(
        principal=identity_testing.principal_of(world.publisher),
        application_id=application.pk,
        approve=True,
    )
    assert client.get(url, HTTP_AUTHORIZATION=issued.secret).status_code == 200
