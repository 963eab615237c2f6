"""好差评 through the citizen pages, the staff rectification pages and the API."""

import datetime as dt

import pytest

from digigov.apps.services.models import Rating, Rectification
from digigov.apps.services.tests.clock_cases import accept, case_make, close
from digigov.kernel.organizations.models import Organization
from digigov.portals import testing
from digigov.support.identity import services as identity

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_case(registry, citizen):
    application = accept(case_make(applicant_id_number=registry.id_numbers[0]))
    return close(application, dt.date.today())


def handler_of(organization_code: str, username: str = "gz_handler"):
    testing.staff_make(username=f"{username}_seed")
    account = identity.staff_account_create(
        actor=None,
        username=username,
        password=testing.PASSWORD,
        real_name="办理人员",
        organization_id=Organization.objects.get(code=organization_code).pk,
        roles=["审批人员"],
    )
    account.device = testing.totp_device_make(account)
    return account


def test_bad_rating_to_reply_through_the_pages(client, login, citizen, closed_case):
    number = closed_case.number
    login(citizen)
    page = client.get(f"/citizen/cases/{number}/rating/")
    assert page.status_code == 200
    assert 'name="grade"' in page.content.decode()
    response = client.post(
        f"/citizen/cases/{number}/rating/",
        {"grade": "1", "reasons": ["overdue", "fast"], "comment": "等太久"},
    )
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert rating.reasons == ["overdue"]  # "fast" is not a reason of a bad grade
    assert rating.channel == "mobile"
    page = client.get(f"/citizen/cases/{number}/rating/").content.decode()
    assert 'data-testid="rectification-open"' in page
    # the handling organization replies
    client.logout()
    handler = handler_of("440100-scjg")
    login(handler, verified=True)
    listing = client.get("/staff/rectifications/").content.decode()
    assert number in listing
    rectification = Rectification.objects.get()
    url = f"/staff/rectifications/{rectification.pk}/"
    assert client.post(url, {"reply": ""}).status_code == 422
    assert client.post(url, {"reply": "已优化审批流程"}).status_code == 302
    # the applicant reads it
    client.logout()
    login(citizen)
    page = client.get(f"/citizen/cases/{number}/rating/").content.decode()
    assert "已优化审批流程" in page


def test_invalid_rating_is_explained(client, login, citizen, closed_case):
    login(citizen)
    response = client.post(
        f"/citizen/cases/{closed_case.number}/rating/", {"grade": "2"}, follow=True
    )
    assert "差评请至少选择一项原因" in response.content.decode()
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("citizen_l1", 403), ("enterprise", 302), ("staff", 302)],
)
def test_someone_else_cannot_rate(as_kind, closed_case, who, status):
    client = as_kind(who)
    response = client.post(
        f"/citizen/cases/{closed_case.number}/rating/", {"grade": "5", "reasons": ["fast"]}
    )
    assert response.status_code in (status, 403)
    assert not Rating.objects.exists()


def test_reply_page_refused_to_another_organization(client, login, citizen, closed_case):
    login(citizen)
    client.post(
        f"/citizen/cases/{closed_case.number}/rating/", {"grade": "1", "reasons": ["overdue"]}
    )
    client.logout()
    other = handler_of("440300-scjg", username="sz_handler")
    login(other, verified=True)
    rectification = Rectification.objects.get()
    response = client.post(f"/staff/rectifications/{rectification.pk}/", {"reply": "x"})
    assert response.status_code == 404
    rectification.refresh_from_db()
    assert rectification.status == "open"


def test_api(client, login, citizen, closed_case, django_assert_max_num_queries):
    number = closed_case.number
    vocabulary = client.get("/api/v1/services/ratings/vocabulary").json()
    assert {r["code"] for r in vocabulary["reasons"]["1"]} >= {"overdue", "multiple_visits"}
    login(citizen)
    body = client.get(f"/api/v1/services/ratings/applications/{number}").json()
    assert body["can_rate"] is True
    response = client.post(
        f"/api/v1/services/ratings/applications/{number}",
        {"grade": 2, "reasons": ["system_hard"], "comment": ""},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["rectification"]["status"] == "open"
    again = client.post(
        f"/api/v1/services/ratings/applications/{number}",
        {"grade": 5, "reasons": []},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "services/already_rated"
    # staff of the handling organization answer through the API
    client.logout()
    login(handler_of("440100-scjg"), verified=True)
    rectification = Rectification.objects.get()
    tasks = client.get("/api/v1/services/ratings/rectifications").json()
    assert [task["id"] for task in tasks] == [rectification.pk]  # their organization's
    response = client.post(
        f"/api/v1/services/ratings/rectifications/{rectification.pk}/reply",
        {"reply": "已整改"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "replied"


def test_statistics_api(client, login, citizen, closed_case, django_assert_max_num_queries):
    login(citizen)
    client.post(
        f"/api/v1/services/ratings/applications/{closed_case.number}",
        {"grade": 1, "reasons": ["overdue"]},
        content_type="application/json",
    )
    client.logout()
    supervisor = testing.staff_make(username="gd_supervisor", roles=("政务服务监督人员",))
    supervisor.device = testing.totp_device_make(supervisor)
    login(supervisor, verified=True)
    for group_by in ("item", "organization", "region", "line"):
        with django_assert_max_num_queries(16):
            body = client.get("/api/v1/services/ratings/statistics", {"group_by": group_by}).json()
        assert body["summary"]["count"] == 1 and body["summary"]["bad"] == 1
        assert body["summary"]["rectification_rate"] == 0.0
        assert len(body["groups"]) == 1
    assert body["groups"][0]["label"] == "广东省市场监督管理局"
    listing = client.get("/api/v1/services/ratings/rectifications").json()
    assert listing[0]["number"] == closed_case.number
    assert client.get("/api/v1/services/ratings/statistics", {"group_by": "x"}).status_code == 422


def test_rectification_list_query_count(
    client, login, registry, citizen, django_assert_max_num_queries
):
    from digigov.apps.services.services.ratings import rating_submit
    from digigov.kernel.principals import Principal

    rater = Principal(kind="citizen", id=str(citizen.pk), person_id_number=registry.id_numbers[0])
    for _ in range(6):
        application = close(
            accept(case_make(applicant_id_number=registry.id_numbers[0])), dt.date.today()
        )
        rating_submit(principal=rater, number=application.number, grade=1, reasons=["overdue"])
    login(handler_of("440100-scjg"), verified=True)
    with django_assert_max_num_queries(12):
        page = client.get("/staff/rectifications/")
    assert page.content.decode().count("/staff/rectifications/") >= 6
    with django_assert_max_num_queries(14):
        assert len(client.get("/api/v1/services/ratings/rectifications").json()) == 6


def test_enterprise_rates_its_case(client, login, registry, enterprise):
    application = accept(
        case_make(applicant_id_number=registry.id_numbers[0], applicant_uscc=registry.usccs[0])
    )
    close(application, dt.date.today())
    login(enterprise)
    page = client.get(f"/business/cases/{application.number}/rating/")
    assert page.status_code == 200
    response = client.post(
        f"/business/cases/{application.number}/rating/", {"grade": "4", "reasons": ["fast"]}
    )
    assert response.status_code == 302
    assert Rating.objects.get().grade == 4
    # the citizen portal is not the enterprise's
    assert client.get(f"/citizen/cases/{application.number}/rating/").status_code in (302, 403)
