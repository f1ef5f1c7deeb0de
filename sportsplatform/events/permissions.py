"""Role permissions and the back-office sidebar group "赛事活动" (events). `register()` is
idempotent (events.registry calls it at start-up; events/admin.py too).

What a permitted user then sees and changes is narrowed by core.scoping and the admin:
- platform admins: everything;
- operator and institution staff apply for events of their own organisation: they add and change
  their applications (their groups, questions and documents) and see their registrations;
- bureau officials see the applications of their region (read-only) and review them; the review
  itself is checked by approvals.domain.transitions.can_review, not by a model permission.
Sidebar items of the other parts (registrations, results, judging, venue finder) appear once
their URL names exist (NavItem links are reversed per request and skipped when missing)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

APPLICATION_PARTS = ("eventgroup", "registrationfield", "eventattachment")


def _perms(*actions: str, models: tuple[str, ...]) -> list[str]:
    return [f"events.{action}_{model}" for model in models for action in actions]


def grant_role_permissions() -> None:
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.roles import grant

    everything = ("add", "change", "delete", "view")
    grant(
        Role.PLATFORM_ADMIN,
        *_perms(*everything, models=("event", *APPLICATION_PARTS)),
        *_perms("view", "change", models=("registration",)),
        "approvals.view_approvalstep",
    )
    for role in (Role.OPERATOR_STAFF, Role.INSTITUTION_STAFF):
        grant(
            role,
            *_perms("view", "add", "change", models=("event",)),
            *_perms(*everything, models=APPLICATION_PARTS),
            *_perms("view", models=("registration",)),
        )
    grant(
        Role.BUREAU_OFFICIAL,
        *_perms("view", models=("event", *APPLICATION_PARTS, "registration")),
    )


def register_navigation() -> None:
    from sportsplatform.backoffice.navigation import NavItem, register_nav_group

    register_nav_group(
        "events",
        order=30,
        title=_("Events"),
        items=[
            NavItem(_("Awaiting review"), "pending_actions", "admin:events_event_review_queue", "events.view_event"),
            NavItem(_("Event applications"), "emoji_events", "admin:events_event_changelist", "events.view_event"),
            NavItem(
                _("Registrations"), "how_to_reg", "admin:events_registration_changelist", "events.view_registration"
            ),
            NavItem(_("Results entry"), "leaderboard", "events:office_results", "events.change_event"),
            NavItem(_("Judging"), "gavel", "events:judge_home", None),
            NavItem(_("Venue finder"), "travel_explore", "events:finder", "events.add_event"),
            NavItem(_("Venue enquiries"), "forum", "admin:events_venueenquiry_changelist", "events.view_venueenquiry"),
        ],
    )


def register() -> None:
    grant_role_permissions()
    register_navigation()
