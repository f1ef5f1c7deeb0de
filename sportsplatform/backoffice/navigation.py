"""The back-office sidebar (unfold SIDEBAR.navigation), grouped by task. Apps add their own group
from AppConfig.ready():

    from sportsplatform.backoffice.navigation import NavItem, register_nav_group
    register_nav_group("venues", order=20, title=_("Venues"), items=[
        NavItem(_("Venues"), "stadium", "admin:venues_venue_changelist", "venues.view_venue"),
    ])

An item shows only to users holding its permission; a group with no visible item is hidden."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    title: object
    icon: str
    url_name: str
    permission: str | None = None  # "app.codename"


@dataclass(frozen=True)
class NavGroup:
    order: int
    title: object
    items: tuple[NavItem, ...]


_GROUPS: dict[str, NavGroup] = {}


def register_nav_group(key: str, *, order: int, title, items: list[NavItem] | tuple[NavItem, ...]) -> None:
    """Add (or, with the same key, replace) a sidebar group."""
    _GROUPS[key] = NavGroup(order=order, title=title, items=tuple(items))


def _permission(perm: str | None):
    def check(request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (perm is None or user.has_perm(perm))

    return check


def sidebar_navigation(request) -> list[dict]:
    groups = [
        {
            "title": None,
            "items": [{"title": _("Dashboard"), "icon": "dashboard", "link": reverse("admin:index")}],
        }
    ]
    for group in sorted(_GROUPS.values(), key=lambda g: g.order):
        items = []
        for item in group.items:
            try:
                link = reverse(item.url_name)
            except NoReverseMatch:
                continue
            items.append(
                {"title": item.title, "icon": item.icon, "link": link, "permission": _permission(item.permission)}
            )
        groups.append({"title": group.title, "separator": True, "collapsible": False, "items": items})
    return groups


register_nav_group(
    "accounts",
    order=10,
    title=_("Accounts and permissions"),
    items=[
        NavItem(_("Users"), "person", "admin:accounts_user_changelist", "accounts.view_user"),
        NavItem(
            _("Organisations"), "corporate_fare", "admin:accounts_organisation_changelist", "accounts.view_organisation"
        ),
        NavItem(
            _("Roles and memberships"), "badge", "admin:accounts_membership_changelist", "accounts.view_membership"
        ),
    ],
)
register_nav_group(
    "regions",
    order=80,
    title=_("Administrative divisions"),
    items=[NavItem(_("Regions"), "map", "admin:regions_region_changelist", "regions.view_region")],
)
register_nav_group(
    "security",
    order=90,
    title=_("Security and audit"),
    items=[
        NavItem(_("Audit log"), "policy", "admin:auditlog_logentry_changelist", "auditlog.view_logentry"),
        NavItem(
            _("Sign-in attempts and lockouts"),
            "lock_person",
            "admin:axes_accessattempt_changelist",
            "axes.view_accessattempt",
        ),
        NavItem(_("Sign-in log"), "login", "admin:axes_accesslog_changelist", "axes.view_accesslog"),
        NavItem(
            _("Authenticator devices"),
            "phonelink_lock",
            "admin:otp_totp_totpdevice_changelist",
            "otp_totp.view_totpdevice",
        ),
    ],
)
