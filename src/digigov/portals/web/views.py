"""广东政务服务网: the public shell. Open to everyone; no personal data is shown."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

PORTAL = {"portal": "web", "portal_name": "广东政务服务网"}

# The channels of the plan's user-facing layer, in the order the home page shows them.
CHANNELS = [
    {
        "name": "粤省事",
        "url_name": "citizen:home",
        "audience": "个人",
        "summary": "面向群众的移动优先服务：个人资料、实名等级、亲友代办，支持长辈模式。",
        "login": "个人账号登录；部分事项需二级及以上实名。",
    },
    {
        "name": "粤商通",
        "url_name": "business:home",
        "audience": "企业",
        "summary": "面向企业经办人：查看已绑定的企业、法定代表人或授权代理身份。",
        "login": "企业经办人账号登录，账号须绑定企业。",
    },
    {
        "name": "粤政易",
        "url_name": "staff:home",
        "audience": "公职人员",
        "summary": "面向公职人员的协同办公工作台：所属机构、角色、后台管理与接口文档入口。",
        "login": "公职人员账号登录，并须通过动态口令（TOTP）二次验证。",
    },
]


def _home_url_for(user) -> str:
    kind = getattr(user, "kind", "")
    return {"citizen": "citizen:home", "enterprise": "business:home", "staff": "staff:home"}.get(
        kind, ""
    )


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = {
        **PORTAL,
        "channels": CHANNELS,
        "my_portal": _home_url_for(request.user) if request.user.is_authenticated else "",
    }
    return render(request, "web/home.html", context)


@require_safe
def portals(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/portals.html", {**PORTAL, "page_title": "服务渠道", "channels": CHANNELS}
    )


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "web/about.html", {**PORTAL, "page_title": "关于本站与无障碍声明"})
