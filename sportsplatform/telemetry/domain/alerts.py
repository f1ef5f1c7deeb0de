"""Telling the operator when a venue is over capacity: once per crossing, not on every event.

`alerted_at` on the occupancy row is set by a conditional update (only one writer wins) when
people inside pass the venue's capacity, and cleared when the venue has calmed down below the
busy level (or the day changes), so the next crossing alerts again."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sportsplatform.core import audit

from ..models import VenueOccupancy
from .live import OccupancyChange, venue_facts

ALERT_KIND = "telemetry.over_capacity"


def check_capacity(changes: list[OccupancyChange], *, now: datetime) -> list[int]:
    """Alert for the venues of `changes` that just passed their capacity; returns their ids."""
    if not changes:
        return []
    facts = venue_facts(c.venue_id for c in changes)
    today = timezone.localdate(now)
    alerted = []
    for change in changes:
        venue = facts.get(change.venue_id)
        capacity = venue.capacity if venue else None
        if not capacity:
            continue
        if change.current > capacity and not change.alerted:
            won = VenueOccupancy.objects.filter(venue_id=change.venue_id, day=today, alerted_at__isnull=True).update(
                alerted_at=now
            )
            if won:
                change.alerted = True
                alerted.append(change.venue_id)
                _alert_operator(venue_id=change.venue_id, current=change.current, capacity=capacity)
        elif change.alerted and change.current < capacity * settings.TELEMETRY_BUSY_FROM:
            VenueOccupancy.objects.filter(venue_id=change.venue_id).update(alerted_at=None)
            change.alerted = False
    return alerted


def operator_staff(venue):
    """Active staff of the venue's operating organisation."""
    from sportsplatform.accounts.models import Membership, Role, User

    if not venue.operator_id:
        return User.objects.none()
    members = Membership.objects.filter(
        organisation_id=venue.operator_id, is_active=True, role=Role.OPERATOR_STAFF
    ).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("pk")


def _alert_operator(*, venue_id: int, current: int, capacity: int) -> None:
    from sportsplatform.notifications.domain.send import notify
    from sportsplatform.venues.models import Venue

    venue = Venue.objects.only("id", "name", "operator_id", "region_id").get(pk=venue_id)
    audit.record(
        action="telemetry.venue.over_capacity",
        actor=None,
        obj=venue,
        changes={"current": current, "capacity": capacity},
    )
    link = reverse("venues:detail", args=[venue.pk])
    # Staff read the back office in Chinese; the message is stored in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(venue)s is over capacity") % {"venue": venue.name}
        body = _(
            "%(current)d people are inside %(venue)s, more than its capacity of %(capacity)d. "
            "Consider pausing entry at the gates."
        ) % {"current": current, "venue": venue.name, "capacity": capacity}
    recipients = list(operator_staff(venue))

    def send():
        for user in recipients:
            notify(user=user, kind=ALERT_KIND, title=title, body=body, link=link)

    # notify() itself defers to commit; calling it after commit keeps the order simple.
    transaction.on_commit(send)
