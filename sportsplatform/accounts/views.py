"""Sign-in and account pages. Each view parses its form, calls one domain function and renders."""

from __future__ import annotations

from base64 import b32encode
from datetime import timedelta
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from sportsplatform.core.errors import DomainError, RateLimited
from sportsplatform.core.net import client_ip
from sportsplatform.core.scoping import scope_for

from .domain.login import authenticate_password, record_login, record_logout
from .domain.sms import send_login_code, verify_login_code
from .domain.two_factor import (
    confirm_totp_enrolment,
    has_or_needs_second_factor,
    has_second_factor,
    needs_second_factor,
    start_totp_enrolment,
    verify_totp,
)
from .domain.users import change_password, update_display_name
from .forms import DisplayNameForm, OtpForm, PasswordChangeForm, PasswordLoginForm, SmsLoginForm, add_domain_error
from .models import Role
from .phones import mask_phone
from .security import (
    AUTH_METHOD_KEY,
    LAST_ACTIVITY_KEY,
    METHOD_PASSWORD,
    METHOD_SMS,
    back_office_session_ok,
    clear_pending_login,
    get_pending_login,
    is_verified,
    mark_auth_method,
    set_pending_login,
)

SESSION_BACKEND = "sportsplatform.accounts.backends.RoleAwareModelBackend"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _default_after_login(user) -> str:
    if user.is_staff:
        return reverse("admin:index")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _finish_login(request, user, *, method: str, device=None) -> None:
    login(request, user, backend=getattr(user, "backend", None) or SESSION_BACKEND)
    if device is not None:
        otp_login(request, device)
    mark_auth_method(request, METHOD_PASSWORD if method.startswith("password") else METHOD_SMS)
    clear_pending_login(request)
    request.session[LAST_ACTIVITY_KEY] = timezone.now().timestamp()
    record_login(user=user, method=method, ip=client_ip(request))


def _first_phone_window_seconds() -> int:
    return int(min(window for _count, window in settings.SMS_RATE_LIMITS_PER_PHONE).total_seconds())


# --- public sign-in by SMS code -------------------------------------------------------------
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = _next_url(request)
    if request.method == "GET" and request.user.is_authenticated and not next_url:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SmsLoginForm(request.POST or None)
    context = {
        "form": form,
        "next": next_url,
        "sent_to": "",
        "resend_in": 0,
        "send_error": "",
        "console_notice": settings.DEBUG and settings.SMS_BACKEND == "console",
        "code_ttl_minutes": int(settings.SMS_CODE_TTL.total_seconds() // 60),
    }
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if request.POST.get("action") == "send":
            try:
                sms_code = send_login_code(phone=phone, ip=client_ip(request))
            except RateLimited as exc:
                context["send_error"] = str(exc.message)
                context["resend_in"] = exc.retry_after or 0
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                context["sent_to"] = mask_phone(sms_code.phone)
                form.fields["code"].widget.attrs["autofocus"] = True
                context["resend_in"] = _first_phone_window_seconds()
        elif form.require_code():
            try:
                user = verify_login_code(phone=phone, code=form.cleaned_data["code"], ip=client_ip(request))
            except DomainError as exc:
                add_domain_error(form, exc)
                context["second_factor_required"] = exc.code == "second_factor_required"
            else:
                _finish_login(request, user, method="sms")
                return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/login.html", context)


# --- staff sign-in: password, then TOTP -----------------------------------------------------
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def password_login_view(request, extra_context=None):
    """The staff login, also installed as the admin site's login view (admin_auth.install)."""
    next_url = _next_url(request)
    user = request.user
    if request.method == "GET" and user.is_authenticated and request.session.get(AUTH_METHOD_KEY) != METHOD_SMS:
        # Signed in with a password but the back office still wants the second factor.
        if not is_verified(user) and has_or_needs_second_factor(user):
            target = "accounts:otp_verify" if has_second_factor(user) else "accounts:otp_setup"
            return redirect(_with_next(reverse(target), next_url))
        if user.is_staff and back_office_session_ok(request):
            return redirect(next_url or reverse("admin:index"))
    form = PasswordLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate_password(
                request=request, identifier=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            if has_or_needs_second_factor(user):
                set_pending_login(request, user, next_url)
                target = "accounts:otp_verify" if has_second_factor(user) else "accounts:otp_setup"
                return redirect(target)
            _finish_login(request, user, method="password")
            return redirect(next_url or _default_after_login(user))
    context = {"form": form, "next": next_url, **(extra_context or {})}
    return render(request, "accounts/password_login.html", context)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _second_factor_subject(request):
    """Whose second factor this is: a login waiting for it, or the signed-in user."""
    user, next_url = get_pending_login(request)
    if user is not None:
        return user, next_url or _next_url(request), True
    if request.user.is_authenticated:
        return request.user, _next_url(request), False
    return None, "", False


@sensitive_post_parameters("otp_code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify_view(request):
    user, next_url, pending = _second_factor_subject(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:password_login")
    if not has_second_factor(user):
        return redirect(_with_next(reverse("accounts:otp_setup"), next_url))
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = verify_totp(user=user, token=form.cleaned_data["otp_code"], ip=client_ip(request))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if pending:
                _finish_login(request, user, method="password+otp", device=device)
            else:
                otp_login(request, device)
            return redirect(next_url or _default_after_login(user))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url, "pending_user": user})


@sensitive_post_parameters("otp_code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup_view(request):
    user, next_url, pending = _second_factor_subject(request)
    if user is None:
        return redirect(_with_next(reverse("accounts:password_login"), reverse("accounts:otp_setup")))
    if has_second_factor(user):
        if pending or not is_verified(user):
            return redirect(_with_next(reverse("accounts:otp_verify"), next_url))
        messages.info(request, _("Two-factor authentication is already set up for your account."))
        return redirect("accounts:me")
    device = start_totp_enrolment(user=user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = confirm_totp_enrolment(
                user=user, device=device, token=form.cleaned_data["otp_code"], ip=client_ip(request)
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if pending:
                _finish_login(request, user, method="password+otp", device=device)
            else:
                otp_login(request, device)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(next_url or _default_after_login(user))
    secret = b32encode(device.bin_key).decode()
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title=_("QR code for your authenticator app"), svgclass="qr-code"
    )
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": mark_safe(qr_svg),  # noqa: S308 - generated by segno from our own URL, no user HTML
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": needs_second_factor(user),
    }
    return render(request, "accounts/otp_setup.html", context)


# --- my account ------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def me_view(request):
    user = request.user
    form = DisplayNameForm(request.POST or None, initial={"display_name": user.display_name})
    if request.method == "POST" and form.is_valid():
        try:
            update_display_name(
                user=user, display_name=form.cleaned_data["display_name"], actor=user, ip=client_ip(request)
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your display name is saved."))
            return redirect("accounts:me")
    memberships = (
        user.memberships.filter(is_active=True, organisation__is_active=True)
        .select_related("organisation__region")
        .order_by("organisation__name")
    )
    roles = sorted(scope_for(user).roles)
    context = {
        "form": form,
        "memberships": memberships,
        "roles": [Role(r).label for r in roles if r in Role.values],
        "has_second_factor": has_second_factor(user),
        "needs_second_factor": needs_second_factor(user),
        "can_change_password": user.has_usable_password(),
    }
    return render(request, "accounts/me.html", context)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request):
    user = request.user
    if not user.has_usable_password():
        messages.info(request, _("Your account signs in with a text-message code and has no password."))
        return redirect("accounts:me")
    next_url = _next_url(request)
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            change_password(
                user=user, new_password=form.cleaned_data["new_password1"], actor=user, ip=client_ip(request)
            )
        except DomainError as exc:
            add_domain_error(form, exc, field_map={"password": "new_password1"})
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password is changed."))
            return redirect(next_url or "accounts:me")
    changed = user.password_changed_at
    expired = bool(changed and changed <= timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS))
    context = {"form": form, "next": next_url, "expired": expired, "max_age_days": settings.PASSWORD_MAX_AGE_DAYS}
    return render(request, "accounts/password_change.html", context)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record_logout(user=request.user, ip=client_ip(request))
    logout(request)
    try:
        target = resolve_url(settings.LOGOUT_REDIRECT_URL)
    except NoReverseMatch:
        target = "/"
    return redirect(target)
