"""Session facts that the staff login flow, the admin gate and the session-policy middleware
share: how the session was signed in, a half-finished (password done, TOTP pending) login, and
whether a session may enter the back office."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone

from .domain.two_factor import has_or_needs_second_factor

AUTH_METHOD_KEY = "accounts_auth_method"
PENDING_LOGIN_KEY = "accounts_pending_login"
LAST_ACTIVITY_KEY = "accounts_last_activity"

METHOD_PASSWORD = "password"  # noqa: S105 - a sign-in method name, not a secret
METHOD_SMS = "sms"

# How long the password step of a two-step login stays good while the user finds their phone.
PENDING_LOGIN_TTL = timedelta(minutes=5)


def mark_auth_method(request: HttpRequest, method: str) -> None:
    request.session[AUTH_METHOD_KEY] = method


def set_pending_login(request: HttpRequest, user, next_url: str = "") -> None:
    request.session[PENDING_LOGIN_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        "at": timezone.now().timestamp(),
        "next": next_url,
    }


def get_pending_login(request: HttpRequest):
    """(user, next_url) of a login waiting for its second factor, or (None, "")."""
    data = request.session.get(PENDING_LOGIN_KEY)
    if not data:
        return None, ""
    if timezone.now().timestamp() - data.get("at", 0) > PENDING_LOGIN_TTL.total_seconds():
        clear_pending_login(request)
        return None, ""
    user = get_user_model().objects.filter(pk=data.get("user_id"), is_active=True).first()
    if user is None:
        clear_pending_login(request)
        return None, ""
    user.backend = data["backend"]
    return user, data.get("next", "")


def clear_pending_login(request: HttpRequest) -> None:
    request.session.pop(PENDING_LOGIN_KEY, None)


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def back_office_session_ok(request: HttpRequest) -> bool:
    """Extra conditions for entering the back office, on top of is_active and is_staff: the
    session was not opened by SMS code alone, and accounts that have (or must have) a second
    factor passed it in this session."""
    user = request.user
    if not user.is_authenticated:
        return False
    if request.session.get(AUTH_METHOD_KEY) == METHOD_SMS:
        return False
    if is_verified(user):
        return True
    # Admin pages ask has_permission() several times per request: one device query is enough.
    cached = getattr(request, "_accounts_second_factor_owed", None)
    if cached is None:
        cached = request._accounts_second_factor_owed = has_or_needs_second_factor(user)
    return not cached
