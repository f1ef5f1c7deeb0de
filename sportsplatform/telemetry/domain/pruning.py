"""Deleting raw gate events after TELEMETRY_RAW_RETENTION_DAYS; rollups are kept forever.
Deleted in chunks so the table is never locked for long and the job can be stopped any time."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sportsplatform.core import audit

from ..models import GateEvent

logger = logging.getLogger("sportsplatform.telemetry")
CHUNK = 10_000


def prune_raw_events(*, older_than_days: int | None = None, now: datetime | None = None, actor=None) -> int:
    """Delete raw events dated before the retention period; returns how many were deleted."""
    days = settings.TELEMETRY_RAW_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 1:
        raise ValueError("the retention period is at least one day")
    # A late event may arrive up to TELEMETRY_LATE_EVENT_MAX_AGE after it happened: its raw row must
    # still be there to de-duplicate it.
    keep = max(timedelta(days=days), settings.TELEMETRY_LATE_EVENT_MAX_AGE + timedelta(hours=1))
    cutoff = (now or timezone.now()) - keep
    deleted = 0
    # Venue by venue, through the (venue, at) index, a chunk at a time: short transactions, and
    # the job can be stopped any time.
    from sportsplatform.venues.models import Venue

    for venue_id in Venue.objects.order_by("pk").values_list("pk", flat=True).iterator():
        while True:
            with transaction.atomic():
                ids = list(
                    GateEvent.objects.filter(venue_id=venue_id, at__lt=cutoff).values_list("pk", flat=True)[:CHUNK]
                )
                if ids:
                    deleted += GateEvent.objects.filter(pk__in=ids).delete()[0]
            if len(ids) < CHUNK:
                break
    if deleted:
        audit.record(
            action="telemetry.events.pruned",
            actor=actor,
            changes={"deleted": deleted, "before": cutoff.isoformat()},
        )
        logger.info("telemetry: pruned %d raw gate events before %s", deleted, cutoff.isoformat())
    return deleted
