"""Role permissions, audit registration and the sidebar group for the venue register.

`register()` is idempotent. venues/admin.py calls it when the admin autodiscovers it; the app's
AppConfig.ready() may call it instead (the lead's choice). What a permitted user then sees and
changes is narrowed by core.scoping and the admin classes:
- platform admins: everything, including deleting venues;
- bureau officials: view, add and change venues of their region and their parts (no delete);
- operator staff: view and change their organisation's venues, add venues for it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PARTS = ("court", "openinghours", "openingexception", "venuephoto", "venuedocument")


def _perms(*actions: str, models: tuple[str, ...]) -> list[str]:
    return [f"venues.{action}_{model}" for model in models for action in actions]


def grant_role_permissions() -> None:
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.roles import grant

    everything = ("add", "change", "delete", "view")
    grant(Role.PLATFORM_ADMIN, *_perms(*everything, models=("venue", *PARTS)), "venues.view_sport")
    grant(
        Role.BUREAU_OFFICIAL,
        *_perms("view", "add", "change", models=("venue",)),
        *_perms(*everything, models=PARTS),
        "venues.view_sport",
    )
    grant(
        Role.OPERATOR_STAFF,
        *_perms("view", "add", "change", models=("venue",)),
        *_perms(*everything, models=PARTS),
        "venues.view_sport",
    )


def register_audited_models() -> None:
    from auditlog.registry import auditlog

    from .models import Court, OpeningException, Venue, VenueDocument, VenuePhoto

    def skip(model, *fields: str) -> list[str]:
        reverse = [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]
        return [*fields, *reverse]

    if not auditlog.contains(Venue):
        auditlog.register(Venue, exclude_fields=skip(Venue, "search_text", "updated_at"))
    # Sports (M2M) are recorded by set_sports as "venues.venue.sports_set" with before and after.
    for model in (Court, OpeningException, VenuePhoto):
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=skip(model))
    if not auditlog.contains(VenueDocument):
        auditlog.register(VenueDocument, exclude_fields=skip(VenueDocument, "updated_at"))
    # OpeningHours rows are replaced as a whole by set_weekly_hours, which records one
    # "venues.venue.hours_set" entry with before and after instead of a row per interval.


def register_navigation() -> None:
    from sportsplatform.backoffice.navigation import NavItem, register_nav_group

    register_nav_group(
        "venues",
        order=20,
        title=_("Venues and facilities"),
        items=[
            NavItem(_("Venues"), "stadium", "admin:venues_venue_changelist", "venues.view_venue"),
            NavItem(_("Venue summary"), "analytics", "admin:venues_venue_summary", "venues.view_venue"),
            NavItem(
                _("Fitness facilities"),
                "park",
                "admin:facilities_facility_changelist",
                "facilities.view_facility",
            ),
            NavItem(_("Sports"), "sports_tennis", "admin:venues_sport_changelist", "venues.view_sport"),
        ],
    )


def register() -> None:
    grant_role_permissions()
    register_audited_models()
    register_navigation()
