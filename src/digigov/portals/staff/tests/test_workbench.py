"""粤政易: staff with a verified second factor only."""

from urllib.parse import quote

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login_with_next(client):
    path = reverse("staff:home")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('identity:login')}?next={quote(path, safe='')}"


def test_staff_without_second_factor_is_sent_to_otp(as_kind):
    response = as_kind("staff_no_otp").get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:otp"))


@pytest.mark.parametrize("kind", ["citizen", "enterprise"])
def test_other_account_kinds_are_refused(as_kind, kind):
    response = as_kind(kind).get(reverse("staff:home"))
    assert response.status_code == 403
    assert "仅供<strong>公职人员</strong>账号使用" in response.content.decode()


def test_verified_staff_sees_workbench(as_kind):
    response = as_kind("staff").get(reverse("staff:home"))
    assert response.status_code == 200
    assert response.context["portal_name"] == "粤政易"
    html = response.content.decode()
    assert "广东省政务服务数据管理局" in html
    assert "审批人员" in html
    assert 'href="/admin/"' in html
    assert 'href="/api/v1/docs"' in html
    assert "本次登录已通过动态口令验证" in html
