"""Session rules for staff (MLPS 2.0 practice, see shared/DOMAIN.md): sign out after
STAFF_IDLE_TIMEOUT without activity, and make a password older than PASSWORD_MAX_AGE_DAYS be
changed before anything else. Public users keep their long sessions."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage import default_storage
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .security import LAST_ACTIVITY_KEY

# Writing the activity stamp at most this often saves a session write on every click; the
# timeout may then fire up to this much early, which is on the safe side.
MAX_ACTIVITY_RESOLUTION = timedelta(seconds=60)

EXEMPT_URL_NAMES = (
    "accounts:password_change",
    "accounts:logout",
    "accounts:password_login",
    "accounts:otp_verify",
    "accounts:otp_setup",
    "admin:logout",
)


def _reverse_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class StaffSessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff and hasattr(request, "session"):
            response = self.enforce_idle_timeout(request)
            if response is None:
                response = self.enforce_password_age(request)
            if response is not None:
                return response
        return self.get_response(request)

    # --- idle timeout ---------------------------------------------------------------------
    def enforce_idle_timeout(self, request):
        now = timezone.now().timestamp()
        timeout = settings.STAFF_IDLE_TIMEOUT
        last = request.session.get(LAST_ACTIVITY_KEY)
        if last is not None and now - last > timeout.total_seconds():
            logout(request)
            if _is_api(request):
                return None  # carry on as anonymous; the API answers 401 where it must
            return self.signed_out_response(request, timeout)
        resolution = min(MAX_ACTIVITY_RESOLUTION, timeout / 10).total_seconds()
        if last is None or now - last >= resolution:
            request.session[LAST_ACTIVITY_KEY] = now
        return None

    def signed_out_response(self, request, timeout: timedelta):
        minutes = max(1, int(timeout.total_seconds() // 60))
        login_url = reverse("accounts:password_login")
        if request.method == "GET":
            login_url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login_url
        else:
            response = HttpResponseRedirect(login_url)
        # MessageMiddleware runs after this one and never sees this request: store the message
        # (in a cookie, the session is gone) the way it would.
        storage = default_storage(request)
        storage.add(
            messages.WARNING,
            ngettext(
                "You were signed out after %(minutes)d minute without activity. Please sign in again.",
                "You were signed out after %(minutes)d minutes without activity. Please sign in again.",
                minutes,
            )
            % {"minutes": minutes},
        )
        storage.update(response)
        return response

    # --- password age ---------------------------------------------------------------------
    def enforce_password_age(self, request):
        user = request.user
        changed = user.password_changed_at
        # No date means no password was ever set through set_password (SMS-only accounts).
        if changed is None or not user.has_usable_password():
            return None
        if changed > timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS):
            return None
        if self.is_exempt(request.path):
            return None
        if _is_api(request):
            return JsonResponse(
                {
                    "error": {
                        "code": "password_expired",
                        "message": _("Your password has expired. Please change it on the website."),
                        "fields": {},
                    }
                },
                status=403,
            )
        return HttpResponseRedirect(
            reverse("accounts:password_change") + "?" + urlencode({"next": request.get_full_path()})
        )

    @staticmethod
    def is_exempt(path: str) -> bool:
        prefixes = [settings.STATIC_URL, settings.MEDIA_URL, "/i18n/"]
        if any(p and path.startswith(p) for p in prefixes):
            return True
        return path in {url for url in map(_reverse_or_none, EXEMPT_URL_NAMES) if url}
