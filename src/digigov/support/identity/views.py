"""Pages of 统一身份认证: login (password, then TOTP for staff), logout, registration, online
real-name verification (L2), in-person verification by staff (L3), and the Chinese pages of
the OIDC provider (consent, logout confirmation)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from oauth2_provider.views import AuthorizationView, RPInitiatedLogoutView, TokenView

from digigov.kernel.errors import DomainError, PermissionDenied
from digigov.kernel.principals import client_address, request_principal

from . import selectors, services
from .backends import SESSION_BACKEND
from .decorators import staff_required
from .forms import LoginForm, OtpForm, RealnameForm, RegistrationForm, VerifyInPersonForm

PENDING_KEY = "identity_pending_second_factor"
HOME_BY_KIND = {"citizen": "citizen:home", "enterprise": "business:home", "staff": "staff:home"}
PROFILE_BY_KIND = {"citizen": "citizen:profile", "enterprise": "business:profile"}


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _reverse_or_root(name: str | None) -> str:
    try:
        return reverse(name) if name else "/"
    except NoReverseMatch:
        return "/"


def _home_of(user) -> str:
    return _reverse_or_root(HOME_BY_KIND.get(getattr(user, "kind", "")))


def _with_next(name: str, next_url: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


# ---------------------------------------------------------------------------- login


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    if request.user.is_authenticated and request.method != "POST":
        if getattr(request.user, "kind", "") == "staff" and not request.user.is_verified():
            return redirect(_with_next("identity:otp", next_url))
        return HttpResponseRedirect(next_url or _home_of(request.user))
    status = 200
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is None:
            # django-axes turns this response into the lockout page when the limit is hit.
            form.add_error(None, "用户名或密码错误")
            status = 401
        elif user.kind == "staff":
            # Not logged in yet: a civil servant's session starts only after the TOTP step.
            request.session.cycle_key()
            request.session[PENDING_KEY] = {
                "account_id": user.pk,
                "at": time.time(),
                "next": next_url,
            }
            services.login_password_accepted(
                account_id=user.pk, source_address=client_address(request)
            )
            return redirect(_with_next("identity:otp", next_url))
        else:
            # One commit for the new session, last_login, the throttle reset and the audit
            # entry: they stand or fall together (and the login path is hot).
            with transaction.atomic():
                login(request, user, backend=SESSION_BACKEND)
            return HttpResponseRedirect(next_url or _home_of(user))
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "identity/login.html",
        {"form": form, "next": next_url, "page_title": "统一身份认证登录", "hide_login_link": True},
        status=status,
    )


def _pending_account_id(request: HttpRequest) -> int | None:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending.get("at", 0) > settings.DIGIGOV_OTP_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return int(pending["account_id"])


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def otp_view(request: HttpRequest) -> HttpResponse:
    """The second step for staff: enter the TOTP code, or enrol an authenticator first."""
    next_url = _safe_next(request) or (request.session.get(PENDING_KEY) or {}).get("next", "")
    account_id = _pending_account_id(request)
    if account_id is None and request.user.is_authenticated:
        if request.user.kind != "staff" or request.user.is_verified():
            return HttpResponseRedirect(next_url or _home_of(request.user))
        account_id = request.user.pk
    if account_id is None:
        messages.warning(request, "请先输入用户名和密码。")
        return redirect(_with_next("identity:login", next_url))
    account = selectors.account_active(account_id=account_id)
    if account is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("identity:login")
    enrolment = selectors.totp_enrolment_needed(account_id=account.pk)
    status = 200
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.totp_verify(
            account_id=account.pk,
            token=form.cleaned_data["token"],
            source_address=client_address(request),
        )
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            request.identity_second_factor = True
            if not request.user.is_authenticated or request.user.pk != account.pk:
                login(request, account, backend=SESSION_BACKEND)
            otp_login(request, device)
            return HttpResponseRedirect(next_url or _home_of(account))
        if selectors.totp_throttled(account_id=account.pk):
            form.add_error(
                "token", "验证码错误次数较多，请稍等片刻，再输入身份验证器上最新的验证码"
            )
        else:
            form.add_error("token", "动态验证码不正确或已使用过，请输入身份验证器上最新的验证码")
        status = 401
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "next": next_url,
        "account": account,
        "page_title": "动态验证码",
        "hide_login_link": True,
        "enrolment": None,
    }
    if enrolment:
        device = services.totp_device_for_enrolment(account_id=account.pk)
        context["enrolment"] = {
            "secret": selectors.totp_secret_base32(device),
            "uri": device.config_url,
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
        }
    return render(request, "identity/otp.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        messages.success(request, "您已安全退出。")
        return redirect(_reverse_or_root("web:home"))
    return render(request, "identity/logout.html", {"page_title": "退出登录"})


# ---------------------------------------------------------------------------- registration


@sensitive_post_parameters("password", "password_again")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    status = 200
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                account = services.account_register(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    phone=form.cleaned_data["phone"],
                    kind=form.cleaned_data["kind"],
                    source_address=client_address(request),
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                login(request, account, backend=SESSION_BACKEND)
                messages.success(request, "注册成功。完成实名核验后即可在线办理更多事项。")
                return redirect("identity:realname")
    return render(
        request,
        "identity/register.html",
        {"form": form, "page_title": "注册账号", "hide_login_link": True},
        status=status,
    )


# ---------------------------------------------------------------------------- real name


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def realname_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated or user.kind not in ("citizen", "enterprise"):
        return redirect(_with_next("identity:login", request.get_full_path()))
    next_url = _safe_next(request)
    status = 200
    form = RealnameForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.realname_verify(
                    principal=request_principal(request),
                    name=form.cleaned_data["name"],
                    id_number=form.cleaned_data["id_number"],
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status
            else:
                messages.success(request, "实名核验通过，您的账号已升级为 L2 实名用户。")
                return HttpResponseRedirect(
                    next_url or _reverse_or_root(PROFILE_BY_KIND.get(user.kind))
                )
    profile = selectors.profile_get(principal=request_principal(request))
    return render(
        request,
        "identity/realname.html",
        {"form": form, "profile": profile, "next": next_url, "page_title": "实名核验"},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def verify_in_person_view(request: HttpRequest) -> HttpResponse:
    """Counter clerks: find an account by username, check the ID card, record L3."""
    principal = request_principal(request)
    if not principal.has_perm("identity.verify_in_person"):
        return render(request, "identity/forbidden.html", {"page_title": "无权访问"}, status=403)
    status = 200
    username = (request.GET.get("username") or "").strip()
    form = VerifyInPersonForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.realname_verify_in_person(
                    principal=principal,
                    account_id=form.cleaned_data["account_id"],
                    place=form.cleaned_data["place"],
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status
            else:
                messages.success(request, "已记录现场核验，账号升级为 L3。")
                return redirect("identity:verify_in_person")
        username = (request.POST.get("username") or "").strip()
    brief = None
    if username:
        try:
            brief = selectors.account_lookup_for_verification(
                principal=principal, username=username
            )
        except PermissionDenied:
            brief = None
        if brief is not None and request.method != "POST":
            form = VerifyInPersonForm(initial={"account_id": brief.account_id})
    return render(
        request,
        "identity/verify_in_person.html",
        {
            "form": form,
            "brief": brief,
            "username": username,
            "portal": "staff",
            "portal_name": "粤政易",
            "page_title": "现场实名核验",
        },
        status=status,
    )


# ---------------------------------------------------------------------------- OIDC pages


class ConsentView(AuthorizationView):
    """DOT's authorization endpoint with a Chinese consent page. Trusted first-party clients
    (skip_authorization) never show it. Staff must have passed the TOTP step."""

    template_name = "identity/authorize.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and user.kind == "staff" and not user.is_verified():
            return redirect(_with_next("identity:otp", request.get_full_path()))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        services.oidc_consent_record(
            principal=request_principal(self.request),
            client_id=form.cleaned_data.get("client_id") or "",
            scope=form.cleaned_data.get("scope") or "",
            allowed=bool(form.cleaned_data.get("allow")),
        )
        return super().form_valid(form)


class LogoutConfirmView(RPInitiatedLogoutView):
    """RP-initiated logout with a Chinese confirmation page (shown only when needed)."""

    template_name = "identity/oidc_logout.html"


class AtomicTokenView(TokenView):
    """DOT's token endpoint in one transaction: the tokens, their audit entry and the spent
    authorization code commit together, so a code replayed concurrently (DOT deletes it
    after saving the tokens) leaves no tokens behind; one commit instead of four."""

    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().post(request, *args, **kwargs)
