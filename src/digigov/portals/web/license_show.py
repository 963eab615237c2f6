"""亮证: the public page a 亮证 QR opens (/verify/s/<token>/) — the verification result and
the face fields the holder chose to show, for five minutes; each opening is recorded in the
holder's use log. Also the parts of the wallet pages (卡包) that the citizen and enterprise
portals share: the detail context, the 亮证 QR and the holder's actions. Thin: parse, call one
service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from digigov.kernel.errors import DomainError, NotFound
from digigov.kernel.principals import Principal, request_principal
from digigov.support.licenses.selectors.wallet import (
    license_uses,
    wallet_authorizations,
    wallet_license,
    wallet_list,
)
from digigov.support.licenses.services.use import (
    SHOW_MAX_AGE,
    ShowToken,
    authorization_grant,
    authorization_refuse,
    authorization_withdraw,
    license_download,
    license_show_open,
    license_show_token,
)

WEB = {"portal": "web", "portal_name": "广东政务服务网"}


def show_qr(request: HttpRequest, token: ShowToken) -> dict[str, Any]:
    """The 亮证 URL and its QR code as inline SVG."""
    url = request.build_absolute_uri(reverse("web:license_show", kwargs={"token": token.token}))
    # segno writes the SVG itself (nothing user-typed in it but the URL): safe inline.
    svg = mark_safe(  # noqa: S308
        segno.make(url, error="m").svg_inline(scale=4, title="亮证二维码（5 分钟内有效）")
    )
    return {"url": url, "qr_svg": svg, "expires_at": token.expires_at, "fields": token.fields}


def wallet_page_context(*, principal: Principal, uscc: str = "") -> dict[str, Any]:
    authorizations = wallet_authorizations(principal=principal, uscc=uscc)
    return {
        "cards": wallet_list(principal=principal, uscc=uscc),
        "pending": [a for a in authorizations if a.is_pending],
        "decided": [a for a in authorizations if not a.is_pending],
    }


def license_page_context(
    *, principal: Principal, address: str, uscc: str = "", show: dict[str, Any] | None = None
) -> dict[str, Any]:
    detail = wallet_license(principal=principal, address=address, uscc=uscc)
    return {
        "license": detail,
        "uses": license_uses(principal=principal, address=address, uscc=uscc),
        "authorizations": wallet_authorizations(principal=principal, uscc=uscc, address=address),
        "show": show,
        "show_minutes": SHOW_MAX_AGE // 60,
    }


def license_show_post(
    request: HttpRequest, *, principal: Principal, address: str, uscc: str = ""
) -> dict[str, Any]:
    token = license_show_token(
        principal=principal, address=address, fields=request.POST.getlist("fields"), uscc=uscc
    )
    return show_qr(request, token)


def license_download_response(
    *, principal: Principal, address: str, file_format: str, uscc: str = ""
) -> HttpResponse:
    download = license_download(
        principal=principal, address=address, file_format=file_format, uscc=uscc
    )
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response


def authorization_action(
    request: HttpRequest, *, principal: Principal, authorization_id: int, action: str
) -> None:
    """grant | refuse | withdraw, with the outcome as a message (errors too: nothing done)."""
    commands: dict[str, Callable[[], Any]] = {
        "grant": lambda: authorization_grant(
            principal=principal,
            authorization_id=authorization_id,
            address=request.POST.get("address", ""),
        ),
        "refuse": lambda: authorization_refuse(
            principal=principal,
            authorization_id=authorization_id,
            reason=request.POST.get("reason", ""),
        ),
        "withdraw": lambda: authorization_withdraw(
            principal=principal, authorization_id=authorization_id
        ),
    }
    done = {"grant": "已同意授权。", "refuse": "已拒绝该用证申请。", "withdraw": "已撤回授权。"}
    try:
        commands[action]()
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done[action])


@require_safe
def license_show(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the QR (a clerk, a hotel, a police officer) may open it while it lasts."""
    principal = request_principal(request)
    try:
        view = license_show_open(principal=principal, token=token)
    except DomainError as error:
        return render(
            request,
            "web/license_show.html",
            {**WEB, "page_title": "亮证核验", "error": error.message},
            status=error.status,
        )
    return render(request, "web/license_show.html", {**WEB, "page_title": "亮证核验", "view": view})
