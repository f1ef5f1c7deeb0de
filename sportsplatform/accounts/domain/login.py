"""Password sign-in through Django's authenticate(), so django-axes counts every failure and
refuses locked accounts (lockout by username: AXES_LOCKOUT_PARAMETERS)."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sportsplatform.core import audit
from sportsplatform.core.errors import NotPermitted, ValidationFailed

from ..models import ApiToken, User
from ..phones import MAINLAND_PHONE, normalise_phone
from .tokens import issue_token


class AccountLocked(NotPermitted):
    code = "account_locked"

    def __init__(self, message=None, **kwargs):
        if message is None:
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            message = ngettext(
                "This account is locked after too many failed sign-in attempts. Try again in %(minutes)d "
                "minute or ask an administrator to unlock it.",
                "This account is locked after too many failed sign-in attempts. Try again in %(minutes)d "
                "minutes or ask an administrator to unlock it.",
                minutes,
            ) % {"minutes": minutes}
        super().__init__(message, **kwargs)


class InvalidCredentials(ValidationFailed):
    code = "invalid_credentials"
    default_message = _("The username or password is not correct.")


def login_name_for(identifier: str) -> str:
    """The username that lockouts are counted against. A phone number typed in place of the
    username counts against the account that owns the phone, so alternating between the two
    does not double the number of guesses."""
    identifier = (identifier or "").strip()
    phone = normalise_phone(identifier)
    if MAINLAND_PHONE.match(phone):
        username = User.objects.filter(phone=phone).values_list("username", flat=True).first()
        return username or phone
    return identifier


def authenticate_password(*, request: HttpRequest, identifier: str, password: str) -> User:
    """The active user with this username-or-phone and password; AccountLocked when axes has
    locked the account (then even the right password is refused); InvalidCredentials otherwise."""
    username = login_name_for(identifier)
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise AccountLocked()
        raise InvalidCredentials()
    return user


def record_login(*, user: User, method: str, ip: str | None) -> None:
    """Audit a completed sign-in ("password", "password+otp", "sms")."""
    audit.record(action="accounts.user.logged_in", actor=user, obj=user, ip=ip, method=method)


def record_logout(*, user: User, ip: str | None) -> None:
    audit.record(action="accounts.user.logged_out", actor=user, obj=user, ip=ip)


def token_login(*, user: User, method: str, device_name: str, ip: str | None) -> tuple[ApiToken, str]:
    """Finish an API sign-in: what django.contrib.auth.login() does for sessions (reset the axes
    failure count, last_login), the audit row, and a new bearer token."""
    if settings.AXES_RESET_ON_SUCCESS:
        axes_reset(username=user.get_username())
    update_last_login(None, user)
    record_login(user=user, method=method, ip=ip)
    return issue_token(user=user, name=device_name, ip=ip)
