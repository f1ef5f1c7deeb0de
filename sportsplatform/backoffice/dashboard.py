"""The back-office home page (unfold DASHBOARD_CALLBACK): counts and recent audit entries, all
inside the signed-in user's scope."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sportsplatform.accounts.models import User
from sportsplatform.core.scoping import regions_for

from .events import event_label
from .queries import audit_entries_visible_to, describe_scope, organisations_in_reach, visible_users

RECENT_AUDIT_ENTRIES = 8


def dashboard_callback(request, context: dict) -> dict:
    user = request.user
    cards = []
    if user.has_perm("accounts.view_user"):
        cards.append(
            {
                "title": _("Users"),
                "value": visible_users(user, User.objects.filter(is_active=True)).count(),
                "icon": "group",
                "link": reverse("admin:accounts_user_changelist"),
            }
        )
    if user.has_perm("accounts.view_organisation"):
        cards.append(
            {
                "title": _("Organisations"),
                "value": organisations_in_reach(user).filter(is_active=True).count(),
                "icon": "corporate_fare",
                "link": reverse("admin:accounts_organisation_changelist"),
            }
        )
    if user.has_perm("regions.view_region"):
        cards.append(
            {
                "title": _("Regions in scope"),
                "value": regions_for(user).current().count(),
                "icon": "map",
                "link": reverse("admin:regions_region_changelist"),
            }
        )
    recent = []
    if user.has_perm("auditlog.view_logentry"):
        entries = audit_entries_visible_to(user)
        since = timezone.now() - timedelta(days=7)
        cards.append(
            {
                "title": _("Audit entries, last 7 days"),
                "value": entries.filter(timestamp__gte=since).count(),
                "icon": "policy",
                "link": reverse("admin:auditlog_logentry_changelist"),
            }
        )
        for entry in entries.select_related("actor", "content_type").order_by("-timestamp", "-pk")[
            :RECENT_AUDIT_ENTRIES
        ]:
            code = entry.additional_data.get("action") if isinstance(entry.additional_data, dict) else None
            recent.append(
                {
                    "timestamp": entry.timestamp,
                    "actor": (entry.actor.display_name or entry.actor.username) if entry.actor_id else _("system"),
                    "event": event_label(code) if code else entry.get_action_display(),
                    "object": entry.object_repr if entry.content_type.model != "logentry" else "",
                    "link": reverse("admin:auditlog_logentry_change", args=[entry.pk]),
                }
            )
    context.update(
        {
            "scope_description": describe_scope(user),
            "dashboard_cards": cards,
            "recent_audit_entries": recent,
        }
    )
    return context
