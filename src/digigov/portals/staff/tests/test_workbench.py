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


def test_navigation_offers_only_the_sections_the_person_can_use(as_kind):
    """An 审批人员 gets the inbox, not the window, the licenses, the seals or the workspace;
    every section offered opens (no 403 behind a link)."""
    client = as_kind("staff")
    response = client.get(reverse("staff:home"))
    nav = response.content.decode().split('aria-label="粤政易"', 1)[1].split("</nav>", 1)[0]
    for shown in ("工作台", "审批任务", "差评整改", "数据目录"):
        assert shown in nav
    for hidden in ("窗口收件", "证照管理", "电子印章", "数据分析", "政务服务监督", "共享交换"):
        assert hidden not in nav
    for href in (part.split('"', 1)[0] for part in nav.split('href="')[1:]):
        assert client.get(href).status_code == 200, href
