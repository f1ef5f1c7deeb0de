"""Live occupancy for pages and the data screen: what changed is published after commit, and
server-sent-event streams pass it on.

With REDIS_URL, ingestion publishes each change on the Redis channel `telemetry:occupancy` and a
stream wakes up at once. Without it, a stream looks at VenueOccupancy.updated_at every
TELEMETRY_STREAM_POLL_SECONDS (one indexed query). Either way a stream ends after
TELEMETRY_STREAM_SECONDS and the browser's EventSource reconnects, so no stream pins a worker."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone, translation

from ..models import VenueOccupancy
from .occupancy import OccupancyReading, reading_from_row

logger = logging.getLogger("sportsplatform.telemetry")
CHANNEL = "telemetry:occupancy"
# A comment line this often: a stream whose browser has gone notices on the write and ends,
# instead of holding its thread until TELEMETRY_STREAM_SECONDS.
HEARTBEAT_SECONDS = 2.0
ONE_SECOND = timedelta(seconds=1)
_FACTS_TTL = 60.0


@dataclass
class OccupancyChange:
    venue_id: int
    current: int
    today_in: int
    today_out: int
    updated_at: datetime
    alerted: bool = False


@dataclass(frozen=True)
class VenueFacts:
    capacity: int | None
    region_id: str
    operator_id: int | None
    name: str
    is_published: bool


_facts_lock = threading.Lock()
_facts: dict[int, tuple[float, VenueFacts]] = {}


def venue_facts(venue_ids: Iterable[int]) -> dict[int, VenueFacts]:
    """Capacity, region and operator of venues, remembered for a minute per process (they change
    rarely, and ingestion asks for them on every batch)."""
    from sportsplatform.venues.models import Venue

    now = time.monotonic()
    wanted = set(venue_ids)
    found: dict[int, VenueFacts] = {}
    with _facts_lock:
        for venue_id in wanted:
            hit = _facts.get(venue_id)
            if hit is not None and hit[0] > now:
                found[venue_id] = hit[1]
    missing = wanted - found.keys()
    if missing:
        rows = Venue.objects.filter(pk__in=sorted(missing)).values_list(
            "pk", "capacity", "region_id", "operator_id", "name", "is_published"
        )
        with _facts_lock:
            if len(_facts) > 100_000:
                _facts.clear()
            for pk, capacity, region_id, operator_id, name, is_published in rows:
                facts = VenueFacts(capacity, region_id, operator_id, name, is_published)
                _facts[pk] = (now + _FACTS_TTL, facts)
                found[pk] = facts
    return found


def forget_venue_facts() -> None:
    with _facts_lock:
        _facts.clear()


# --- publishing ---------------------------------------------------------------------------------

_redis_lock = threading.Lock()
_redis_client = None


def redis_client():
    """A Redis client when REDIS_URL is set (one per process), else None."""
    global _redis_client
    if not settings.REDIS_URL:
        return None
    with _redis_lock:
        if _redis_client is None:
            import redis

            _redis_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=2)
        return _redis_client


def publish(changes: list[OccupancyChange]) -> None:
    """Tell live streams (after commit). Losing a publication only delays a page until its next
    reconnect, so a Redis failure is logged, never raised."""
    client = redis_client()
    if client is None or not changes:
        return
    facts = venue_facts(c.venue_id for c in changes)
    payload = [
        {
            "venue": c.venue_id,
            "region": facts[c.venue_id].region_id if c.venue_id in facts else "",
            "current": c.current,
            "today_in": c.today_in,
            "today_out": c.today_out,
            "updated_at": c.updated_at.isoformat(),
        }
        for c in changes
    ]
    try:
        client.publish(CHANNEL, json.dumps(payload))
    except Exception:  # a live push must never fail ingestion
        logger.warning("telemetry: could not publish occupancy to Redis", exc_info=True)


# --- streams -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamFilter:
    """Which venues a stream follows: a set of ids, or every published venue whose region code
    starts with `region_prefix`."""

    venue_ids: frozenset[int] | None = None
    region_prefix: str | None = None

    def matches(self, venue_id: int, region_id: str) -> bool:
        if self.venue_ids is not None:
            return venue_id in self.venue_ids
        return region_id.startswith(self.region_prefix or "")

    def queryset(self):
        qs = VenueOccupancy.objects.filter(venue__is_published=True)
        if self.venue_ids is not None:
            return qs.filter(venue_id__in=sorted(self.venue_ids))
        if self.region_prefix:
            from sportsplatform.regions.models import Region

            return qs.filter(
                venue__region_id__in=Region.objects.filter(code__startswith=self.region_prefix).values("code")
            )
        return qs


def _event(name: str, data: dict | list) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"


def _readings(stream_filter: StreamFilter, *, since: datetime | None) -> list[OccupancyReading]:
    qs = (
        stream_filter.queryset()
        .select_related(None)
        .values_list("venue_id", "day", "today_in", "today_out", "current", "updated_at", "venue__capacity")
    )
    if since is not None:
        qs = qs.filter(updated_at__gt=since)
    today = timezone.localdate()
    out = []
    for venue_id, day, today_in, today_out, current, updated_at, capacity in qs:
        row = VenueOccupancy(
            venue_id=venue_id, day=day, today_in=today_in, today_out=today_out, current=current, updated_at=updated_at
        )
        out.append(reading_from_row(venue_id=venue_id, capacity=capacity, row=row, today=today))
    return out


def occupancy_stream(
    stream_filter: StreamFilter, *, language: str | None = None, duration: float | None = None
) -> Iterator[str]:
    """The text of a server-sent-event stream: a `snapshot` of the followed venues, then an
    `occupancy` event per change, comment heartbeats, and the end after `duration` seconds."""
    duration = settings.TELEMETRY_STREAM_SECONDS if duration is None else duration
    language = language or settings.LANGUAGE_CODE
    deadline = time.monotonic() + duration
    try:
        with translation.override(language):
            yield "retry: 2000\n\n"
            started = timezone.now()
            snapshot = _readings(stream_filter, since=None)
            yield _event("snapshot", [r.as_dict() for r in snapshot])
            client = redis_client()
            if client is not None:
                yield from _redis_updates(client, stream_filter, deadline, since=started)
            else:
                yield from _polled_updates(stream_filter, deadline, since=started)
    except (DatabaseError, RuntimeError):
        # The database went away (or the server is shutting down): end the stream; the browser
        # reconnects and gets a fresh snapshot.
        logger.info("telemetry: occupancy stream ended early", exc_info=True)
    finally:
        close_old_connections()


def _polled_updates(stream_filter: StreamFilter, deadline: float, *, since: datetime) -> Iterator[str]:
    poll = settings.TELEMETRY_STREAM_POLL_SECONDS
    last_beat = time.monotonic()
    # Rows written in the same instant as the snapshot may be missed by `>`; step back a little
    # and let the client drop repeats (same updated_at).
    since = since - ONE_SECOND
    while time.monotonic() < deadline:
        time.sleep(min(poll, max(0.0, deadline - time.monotonic())))
        readings = _readings(stream_filter, since=since)
        if readings:
            since = max(r.updated_at for r in readings if r.updated_at) or since
            for reading in readings:
                yield _event("occupancy", reading.as_dict())
            last_beat = time.monotonic()
        elif time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
            last_beat = time.monotonic()
            yield ": keep-alive\n\n"


def _redis_updates(client, stream_filter: StreamFilter, deadline: float, *, since: datetime) -> Iterator[str]:
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        pubsub.subscribe(CHANNEL)
        # Changes between the snapshot and the subscription: read them once from the database.
        for reading in _readings(stream_filter, since=since - ONE_SECOND):
            yield _event("occupancy", reading.as_dict())
        last_beat = time.monotonic()
        while (remaining := deadline - time.monotonic()) > 0:
            message = pubsub.get_message(timeout=min(remaining, HEARTBEAT_SECONDS))
            if message is None:
                if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                    last_beat = time.monotonic()
                    yield ": keep-alive\n\n"
                continue
            try:
                changes = json.loads(message["data"])
            except (TypeError, ValueError):
                continue
            wanted = [c for c in changes if stream_filter.matches(c["venue"], c.get("region", ""))]
            if not wanted:
                continue
            facts = venue_facts(c["venue"] for c in wanted)
            for change in wanted:
                venue = facts.get(change["venue"])
                if venue is None or not venue.is_published:
                    continue
                reading = OccupancyReading(
                    venue_id=change["venue"],
                    current=change["current"],
                    capacity=venue.capacity,
                    today_in=change["today_in"],
                    today_out=change["today_out"],
                    updated_at=datetime.fromisoformat(change["updated_at"]),
                )
                yield _event("occupancy", reading.as_dict())
            last_beat = time.monotonic()
    except Exception:  # Redis gone mid-stream: end it, the browser reconnects
        logger.warning("telemetry: occupancy stream lost Redis", exc_info=True)
    finally:
        with contextlib.suppress(Exception):  # closing a broken connection
            pubsub.close()
