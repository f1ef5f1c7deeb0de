"""Counting what was refused. Every rejected message or event adds to a RejectionCount row (per
local day, channel, reason and key id) and writes one log line per message, so operators see in
the back office what their devices get wrong and the logs say when."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import sql

logger = logging.getLogger("sportsplatform.telemetry")


@dataclass(frozen=True)
class Rejected:
    reason: str
    detail: str = ""
    key_id: str = ""
    venue_id: int | None = None
    count: int = 1


def log_rejection(*, channel: str, reasons: Counter, key_id: str = "", venue_id: int | None = None, detail: str = ""):
    summary = ",".join(f"{reason}={n}" for reason, n in sorted(reasons.items()))
    logger.warning(
        "telemetry rejected channel=%s key=%s venue=%s reasons=%s detail=%s",
        channel,
        key_id or "-",
        venue_id if venue_id is not None else "-",
        summary,
        detail[:200],
    )


def record_rejections(*, channel: str, items: Iterable[Rejected], log: bool = True) -> int:
    """Add `items` (one per refused message, or per reason within a message) to the counters: one
    upsert per distinct reason and key, in sorted order so concurrent writers never deadlock.
    Returns how many were counted."""
    items = [item for item in items if item.count > 0]
    if not items:
        return 0
    now = timezone.now()
    day = timezone.localdate(now)
    merged: dict[tuple[str, str], list] = {}
    for item in items:
        key = (item.reason[:32], item.key_id[:40])
        entry = merged.setdefault(key, [0, item.venue_id, item.detail])
        entry[0] += item.count
        entry[1] = entry[1] if entry[1] is not None else item.venue_id
        entry[2] = item.detail or entry[2]
    rows = [
        (sql.db_date(day), channel, reason, key_id, venue_id, count, sql.db_datetime(now), (detail or "")[:255])
        for (reason, key_id), (count, venue_id, detail) in sorted(merged.items())
    ]
    values, params = sql.values_clause(rows, 8)
    table = "telemetry_rejectioncount"
    with transaction.atomic():
        sql.execute(
            f"INSERT INTO {table} (day, channel, reason, key_id, venue_id, count, last_at, last_detail) "  # noqa: S608 - fixed names
            f"VALUES {values} ON CONFLICT (day, channel, reason, key_id) DO UPDATE SET "
            f"count = {table}.count + excluded.count, last_at = excluded.last_at, "
            f"last_detail = excluded.last_detail, venue_id = COALESCE(excluded.venue_id, {table}.venue_id)",
            params,
        )
    if log:
        for item in items:
            log_rejection(
                channel=channel,
                reasons=Counter({item.reason: item.count}),
                key_id=item.key_id,
                venue_id=item.venue_id,
                detail=item.detail,
            )
    return sum(item.count for item in items)
