"""Puts the admin site behind the staff sign-in flow (password, then TOTP where required).

The back office calls `install(admin.site)` once, before the admin's URLs are built (from its
AppConfig.ready()). Afterwards /admin/login/ is the staff login of this app, and
`has_permission` also requires that the session was opened with a password (not an SMS code
alone) and, for accounts that have or must have a TOTP device, verified with it."""

from __future__ import annotations

from django.contrib.admin import AdminSite

from .security import back_office_session_ok
from .views import password_login_view

_INSTALLED_ATTR = "_accounts_auth_installed"


def install(admin_site: AdminSite) -> AdminSite:
    if getattr(admin_site, _INSTALLED_ATTR, False):
        return admin_site
    base_has_permission = admin_site.has_permission

    def has_permission(request) -> bool:
        return base_has_permission(request) and back_office_session_ok(request)

    def login(request, extra_context=None):
        return password_login_view(request, extra_context=extra_context)

    admin_site.has_permission = has_permission
    admin_site.login = login
    setattr(admin_site, _INSTALLED_ATTR, True)
    return admin_site
