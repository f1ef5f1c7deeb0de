"""Role permissions and the back-office sidebar group "体育培训" (training). `register()` is
idempotent (training.registry calls it at start-up).

What a permitted user then sees and changes is narrowed by core.scoping and the admin:
- platform admins: everything;
- institution and operator staff offer courses of their own organisation: they add and change
  their course applications (sessions, videos) and their coaches with certificates, see their
  enrolments and take attendance;
- bureau officials see the courses, coaches and enrolments of their region (read-only) and review
  course applications; the review itself is checked by approvals.domain.transitions.can_review."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

COURSE_PARTS = ("coursesession", "coursevideo")
COACH_PARTS = ("coach", "coachcertificate")


def _perms(*actions: str, models: tuple[str, ...]) -> list[str]:
    return [f"training.{action}_{model}" for model in models for action in actions]


def grant_role_permissions() -> None:
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.roles import grant

    everything = ("add", "change", "delete", "view")
    grant(
        Role.PLATFORM_ADMIN,
        *_perms(*everything, models=("course", *COURSE_PARTS, *COACH_PARTS)),
        *_perms("view", models=("enrolment",)),
        *_perms("view", "add", "change", models=("attendance",)),
        "approvals.view_approvalstep",
    )
    for role in (Role.OPERATOR_STAFF, Role.INSTITUTION_STAFF):
        grant(
            role,
            *_perms("view", "add", "change", models=("course",)),
            *_perms(*everything, models=(*COURSE_PARTS, *COACH_PARTS)),
            *_perms("view", models=("enrolment",)),
            *_perms("view", "add", "change", models=("attendance",)),
        )
    grant(
        Role.BUREAU_OFFICIAL,
        *_perms("view", models=("course", *COURSE_PARTS, *COACH_PARTS, "enrolment", "attendance")),
    )


def register_navigation() -> None:
    from sportsplatform.backoffice.navigation import NavItem, register_nav_group

    register_nav_group(
        "training",
        order=32,
        title=_("Training"),
        items=[
            NavItem(
                _("Courses awaiting review"),
                "pending_actions",
                "admin:training_course_review_queue",
                "training.view_course",
            ),
            NavItem(_("Course applications"), "school", "admin:training_course_changelist", "training.view_course"),
            NavItem(_("Attendance"), "fact_check", "training:office_courses", "training.view_attendance"),
            NavItem(_("Enrolments"), "how_to_reg", "admin:training_enrolment_changelist", "training.view_enrolment"),
            NavItem(_("Coaches"), "sports", "admin:training_coach_changelist", "training.view_coach"),
            NavItem(
                _("Coach certificates"),
                "workspace_premium",
                "admin:training_coachcertificate_changelist",
                "training.view_coachcertificate",
            ),
        ],
    )


def register() -> None:
    grant_role_permissions()
    register_navigation()
