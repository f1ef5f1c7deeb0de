"""Audit records for sign-in events the accounts flow does not record itself.

The accounts login views record successful sign-ins and their own sign-outs
(accounts.domain.login). Recorded here: failed sign-ins (every path: admin, staff login, API),
sign-outs that happen elsewhere (the admin's logout, the idle-timeout middleware), and sign-ins
through the stock admin login while accounts.admin_auth is not installed."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from sportsplatform.core import audit
from sportsplatform.core.net import client_ip

# URL names whose views write their own audit records for the event.
SELF_AUDITED_LOGOUT_VIEWS = {"accounts:logout"}


def _ip(request) -> str | None:
    if request is None:
        return None
    return getattr(request, "client_ip", None) or client_ip(request) or None


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def _path(request) -> str:
    return request.path[:200] if request is not None else ""


@receiver(user_login_failed, dispatch_uid="backoffice.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced password-like values in `credentials`; keep only the name.
    username = str(credentials.get("username") or "")[:150]
    audit.record(
        action="accounts.user.login_failed",
        ip=_ip(request),
        username=username,
        path=_path(request),
        locked_out=bool(getattr(request, "axes_locked_out", False)),
    )


@receiver(user_logged_out, dispatch_uid="backoffice.audit_logged_out")
def audit_logged_out(sender, request=None, user=None, **kwargs):
    if user is None or request is None or _view_name(request) in SELF_AUDITED_LOGOUT_VIEWS:
        return
    audit.record(action="accounts.user.logged_out", actor=user, obj=user, ip=_ip(request), path=_path(request))


@receiver(user_logged_in, dispatch_uid="backoffice.audit_logged_in")
def audit_logged_in(sender, request=None, user=None, **kwargs):
    from django.contrib import admin

    if request is None or user is None or getattr(admin.site, "_accounts_auth_installed", False):
        return  # the accounts login views record sign-ins themselves
    if _view_name(request) == "admin:login":
        audit.record(action="accounts.user.logged_in", actor=user, obj=user, ip=_ip(request), method="admin")
