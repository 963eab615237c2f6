"""政务服务监督 page and API: who gets in, what they see, query counts."""

import datetime as dt

import pytest

from digigov.apps.services.services import clock
from digigov.apps.services.tests.clock_cases import accept, case_make, close
from digigov.kernel.organizations.models import Organization
from digigov.kernel.workdays.services import holidays_seed
from digigov.portals import testing
from digigov.support.identity import services as identity

D = dt.date
pytestmark = pytest.mark.django_db


def staff_account(username: str, organization_code: str, roles: tuple[str, ...]):
    testing.staff_make(username=f"{username}_seed")  # regions, organizations, roles
    account = identity.staff_account_create(
        actor=None,
        username=username,
        password=testing.PASSWORD,
        real_name="监督员",
        organization_id=Organization.objects.get(code=organization_code).pk,
        roles=list(roles),
    )
    account.device = testing.totp_device_make(account)
    return account


@pytest.fixture
def world(db):
    holidays_seed()
    late = accept(case_make(organization_code="440100-scjg", promised_days=1), D(2024, 9, 30))
    shenzhen = accept(case_make(organization_code="440300-scjg", promised_days=1), D(2024, 9, 30))
    done = accept(case_make(organization_code="440100-gat"), D(2024, 9, 30))
    close(done, D(2024, 10, 9))
    clock.clock_warnings_refresh()
    return {"late": late, "shenzhen": shenzhen, "done": done}


@pytest.fixture
def guangzhou_supervisor(world):
    return staff_account("gz_supervisor", "440100-zsj", ("政务服务监督人员",))


def test_supervisor_sees_own_city(client, login, guangzhou_supervisor, world):
    login(guangzhou_supervisor, verified=True)
    response = client.get("/staff/supervision/")
    assert response.status_code == 200
    page = response.content.decode()
    assert world["late"].number in page
    assert world["shenzhen"].number not in page
    assert 'data-testid="red-count"' in page
    response = client.get("/staff/supervision/cases/", {"state": "red"})
    assert world["late"].number in response.content.decode()
    assert world["shenzhen"].number not in response.content.decode()


def test_filters_by_region_and_line(client, login, world):
    province = staff_account("gd_supervisor", "440000-zsj", ("政务服务监督人员",))
    login(province, verified=True)
    page = client.get("/staff/supervision/cases/", {"state": "all", "city": "440300"})
    assert world["shenzhen"].number in page.content.decode()
    assert world["late"].number not in page.content.decode()
    page = client.get("/staff/supervision/", {"city": "440100"})
    assert 'name="county"' in page.content.decode()  # the county select appears
    page = client.get("/staff/supervision/cases/", {"state": "all", "line": "gat"})
    assert world["done"].number in page.content.decode()
    assert world["late"].number not in page.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("citizen", 403), ("staff_no_otp", 302), ("staff", 403)],
)
def test_page_refused(as_kind, who, status):
    client = as_kind(who)
    response = client.get("/staff/supervision/")
    assert response.status_code == status


def test_page_query_count(client, login, guangzhou_supervisor, django_assert_max_num_queries):
    for _ in range(5):
        accept(case_make(organization_code="440100-rsj", promised_days=1), D(2024, 9, 30))
    clock.clock_warnings_refresh()
    login(guangzhou_supervisor, verified=True)
    with django_assert_max_num_queries(30):
        assert client.get("/staff/supervision/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/staff/supervision/cases/", {"state": "red"}).status_code == 200


def test_api_overview_and_cases(client, login, guangzhou_supervisor, world):
    login(guangzhou_supervisor, verified=True)
    body = client.get("/api/v1/services/supervision/overview").json()
    assert body["total"] == 2 and body["red"] == 1
    assert body["red_cases"][0]["number"] == world["late"].number
    assert body["red_cases"][0]["days_left"] < 0
    body = client.get("/api/v1/services/supervision/cases", {"state": "decided"}).json()
    assert [row["number"] for row in body["rows"]] == [world["done"].number]
    response = client.get("/api/v1/services/supervision/cases", {"state": "bogus"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "services/unknown_state"


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("citizen", 403), ("staff", 403)])
def test_api_refused(as_kind, who, status):
    assert as_kind(who).get("/api/v1/services/supervision/overview").status_code == status


def test_special_procedure_api(client, login, world):
    handler = staff_account("gz_handler", "440100-scjg", ("审批人员",))
    login(handler, verified=True)
    number = world["late"].number
    url = f"/api/v1/services/supervision/clock/{number}/special-procedure"
    response = client.post(url, {"reason": "专家评审"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["paused_reason"] == "special"
    response = client.post(url + "/stop", {"reason": "评审结束"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["paused_since"] is None
    other = staff_account("sz_handler", "440300-scjg", ("审批人员",))
    login(other, verified=True)
    response = client.post(url, {"reason": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_tampered_filters_are_ignored(client, login, guangzhou_supervisor):
    login(guangzhou_supervisor, verified=True)
    response = client.get(
        "/staff/supervision/", {"city": "999999", "county": "x", "line": "nope", "since": "bad"}
    )
    assert response.status_code == 200
    response = client.get("/staff/supervision/cases/", {"state": "nope", "page": "x"})
    assert response.status_code == 200
