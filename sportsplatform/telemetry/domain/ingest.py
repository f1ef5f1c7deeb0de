"""Ingesting gate events: the one function both the HTTP endpoint and the MQTT bridge call.

`ingest_gate_events(batches=[DeviceBatch(...)], channel=...)` validates every event of every
(already authenticated) message, refuses what is wrong with a reason, and writes the rest in one
transaction:

1. the venues' occupancy rows are created if missing and locked, in venue order (two writers for
   the same venue queue here; different venues never wait for each other, and never deadlock);
2. raw events are inserted with ON CONFLICT DO NOTHING on (gate, event id): what the database
   reports as new is counted, everything else was a duplicate (a device resending, a message
   delivered twice by the broker);
3. the occupancy of each venue's latest local day is added to (events of an earlier day only
   reach the rollups); current = max(0, entries − exits), whatever the order events came in;
4. 5-minute, hourly and daily rollups are upserted (counters added in SQL), and the peaks of the
   touched days recomputed from the 5-minute totals (a window sum), so late and out-of-order
   events give the same rollups as events in order;
5. the operator is alerted once when a venue passes its capacity;
6. devices are marked online.

After commit, live listeners are told (telemetry.domain.live). Events older than
TELEMETRY_LATE_EVENT_MAX_AGE are refused: raw events are pruned later than that, so a resent old
event can never be counted twice. Ingestion writes no audit rows: the raw events are the record."""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import GATE_KINDS, Device, DeviceCredential, DeviceStatus, Granularity
from . import alerts, live, sql
from .auth import DeviceIdentity, DeviceRejected, GateInfo, venue_gates
from .rejections import Rejected, record_rejections

EVENTS_TABLE = "telemetry_gateevent"
ROLLUP_TABLE = "telemetry_trafficrollup"
OCCUPANCY_TABLE = "telemetry_venueoccupancy"
INSERT_CHUNK = 1000
TOUCH_EVERY = timedelta(seconds=30)
_GATE_REFRESH_SECONDS = 5.0
_gate_refreshed: dict[int, float] = {}


@dataclass
class DeviceBatch:
    """One authenticated message: its sender and its events (parsed JSON). MQTT adds the venue
    and gate named by the topic."""

    identity: DeviceIdentity
    events: list
    topic_venue_id: int | None = None
    topic_gate: str | None = None


@dataclass(frozen=True)
class EventRejection:
    index: int
    reason: str
    detail: str = ""


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[EventRejection] = field(default_factory=list)


class _Row(NamedTuple):
    batch: int
    event_id: str
    gate_id: int
    venue_id: int
    direction: str
    count: int
    at: datetime


# --- parsing -----------------------------------------------------------------------------------


def parse_events(body: bytes) -> list:
    """The events of a message body: `{"events": [...]}` (API.md), a list of events, or one event
    object (a gate publishing each passage). DeviceRejected when it is none of these."""
    if len(body) > settings.TELEMETRY_MAX_BODY_BYTES:
        raise DeviceRejected("too_large", f"{len(body)} bytes")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DeviceRejected("bad_json", str(exc)[:120]) from None
    if isinstance(data, dict) and "events" in data:
        events = data["events"]
    elif isinstance(data, dict):
        events = [data]
    else:
        events = data
    if not isinstance(events, list) or not events:
        raise DeviceRejected("bad_envelope", 'expected {"events": [ ... ]} with at least one event')
    if len(events) > settings.TELEMETRY_MAX_EVENTS_PER_BATCH:
        raise DeviceRejected(
            "too_many_events", f"{len(events)} events, at most {settings.TELEMETRY_MAX_EVENTS_PER_BATCH}"
        )
    return events


def parse_event_time(value) -> datetime | None:
    """ISO 8601 (an offset is expected; without one the time is taken as Asia/Shanghai) or unix
    seconds (milliseconds above 10^12). None when it is neither."""
    if value.__class__ is str:
        if len(value) > 40:
            return None
        try:
            at = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return at if at.tzinfo is not None else timezone.make_aware(at, timezone.get_default_timezone())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = value / 1000 if value > 1e12 else value
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.get_default_timezone())
    except (OverflowError, OSError, ValueError):
        return None


def derived_event_id(*, identity: DeviceIdentity, gate: str, at: datetime, direction: str) -> str:
    """The id of an event sent without one: the same reading sent again gets the same id."""
    raw = f"{identity.device_id}|{gate}|{at.astimezone(UTC).isoformat()}|{direction}"
    return "d:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _gates_with(venue_id: int, code: str) -> dict[str, GateInfo]:
    """The venue's devices; looked up again (at most every few seconds) for an unknown code, so a
    device registered a moment ago is found without waiting for the cache to expire."""
    gates = venue_gates(venue_id)
    if code in gates:
        return gates
    now = time.monotonic()
    if now - _gate_refreshed.get(venue_id, 0.0) >= _GATE_REFRESH_SECONDS:
        _gate_refreshed[venue_id] = now
        gates = venue_gates(venue_id, refresh=True)
    return gates


class _Limits(NamedTuple):
    oldest: datetime
    newest: datetime
    max_count: int


def _validate(batch_index: int, batch: DeviceBatch, now: datetime, result: BatchResult) -> list[_Row]:
    identity = batch.identity
    rejected = result.rejected
    if batch.topic_venue_id is not None and batch.topic_venue_id != identity.venue_id:
        detail = f"topic venue {batch.topic_venue_id}"
        rejected.extend(EventRejection(index, "wrong_venue", detail) for index in range(len(batch.events)))
        return []
    limits = _Limits(
        now - settings.TELEMETRY_LATE_EVENT_MAX_AGE,
        now + settings.TELEMETRY_FUTURE_TOLERANCE,
        settings.TELEMETRY_MAX_COUNT_PER_EVENT,
    )
    default_gate = batch.topic_gate or (identity.device_code if identity.counts_people else None)
    gates = venue_gates(identity.venue_id)
    rows: list[_Row] = []
    for index, raw in enumerate(batch.events):
        checked = _check(raw, identity, batch.topic_gate, default_gate, gates, limits)
        if checked.__class__ is tuple:
            reason, detail = checked
            if reason == "unknown_gate":
                # A gate registered a moment ago: look again (at most every few seconds).
                gates = _gates_with(identity.venue_id, raw.get("gate", default_gate))
                checked = _check(raw, identity, batch.topic_gate, default_gate, gates, limits)
        if checked.__class__ is tuple:
            rejected.append(EventRejection(index, *checked))
        else:
            gate_id, event_id, direction, count, at = checked
            rows.append(_Row(batch_index, event_id, gate_id, identity.venue_id, direction, count, at))
    return rows


class _Checked(NamedTuple):
    gate_id: int
    event_id: str
    direction: str
    count: int
    at: datetime


def _check(raw, identity: DeviceIdentity, topic_gate, default_gate, gates, limits: _Limits):
    """One event: a _Checked, or a (reason, detail) tuple."""
    if not isinstance(raw, dict):
        return ("bad_event", "an event is an object")
    venue = raw.get("venue")
    if venue is not None and str(venue) != str(identity.venue_id):
        return ("wrong_venue", f"venue {str(venue)[:20]} is not the device's venue")
    gate_code = raw.get("gate", default_gate)
    if topic_gate is not None and gate_code != topic_gate:
        return ("gate_mismatch", "gate differs from the topic's gate")
    if not isinstance(gate_code, str) or not gate_code or len(gate_code) > 32:
        return ("bad_gate", "gate must be the gate's code")
    gate = gates.get(gate_code)
    if gate is None:
        return ("unknown_gate", f"no device {gate_code!r} at venue {identity.venue_id}")
    if gate.kind not in GATE_KINDS:
        return ("not_a_gate", f"{gate_code!r} does not count people")
    if gate.status == DeviceStatus.DISABLED:
        return ("gate_disabled", f"{gate_code!r} is disabled")
    direction = raw.get("direction")
    if direction != "in" and direction != "out":
        return ("bad_direction", 'direction must be "in" or "out"')
    count = raw.get("count", 1)
    if count.__class__ is not int or not 1 <= count <= limits.max_count:
        return ("bad_count", f"count must be a whole number from 1 to {limits.max_count}")
    at = parse_event_time(raw.get("at"))
    if at is None:
        return ("bad_time", "at must be ISO 8601 with an offset, or unix seconds")
    if at < limits.oldest:
        return ("too_old", f"older than {settings.TELEMETRY_LATE_EVENT_MAX_AGE}")
    if at > limits.newest:
        return ("in_future", "later than the server's clock allows")
    event_id = raw.get("id")
    if event_id is None:
        event_id = raw.get("event_id")
    if event_id is None:
        event_id = derived_event_id(identity=identity, gate=gate_code, at=at, direction=direction)
    else:
        if event_id.__class__ is int:
            event_id = str(event_id)
        if event_id.__class__ is not str or not 1 <= len(event_id) <= 64:
            return ("bad_event_id", "id must be a string of 1 to 64 characters")
    return _Checked(gate.device_id, event_id, direction, count, at)


# --- the write ---------------------------------------------------------------------------------


def ingest_gate_events(
    *, batches: list[DeviceBatch], channel: str, received_at: datetime | None = None
) -> list[BatchResult]:
    """Validate and store the events of `batches` (see the module docstring); one BatchResult per
    batch, in order. Rejections are counted and logged; duplicates are not rejections."""
    now = received_at or timezone.now()
    results = [BatchResult() for _ in batches]
    rows: list[_Row] = []
    for i, batch in enumerate(batches):
        rows.extend(_validate(i, batch, now, results[i]))

    # The same event twice in one call: the later copies are duplicates.
    unique: dict[tuple[int, str], _Row] = {}
    for row in rows:
        key = (row.gate_id, row.event_id)
        if key in unique:
            results[row.batch].duplicates += 1
        else:
            unique[key] = row
    rows = list(unique.values())

    changed: list[live.OccupancyChange] = []
    if batches:
        with transaction.atomic():
            new_rows = _store(rows, now) if rows else []
            for row in new_rows:
                results[row.batch].accepted += 1
            stored = {(row.gate_id, row.event_id) for row in new_rows}
            for row in rows:
                if (row.gate_id, row.event_id) not in stored:
                    results[row.batch].duplicates += 1
            if new_rows:
                changed = _apply(new_rows, now)
            _touch_devices(batches, new_rows or rows, now)
        if changed:
            transaction.on_commit(lambda: live.publish(changed))

    _count_rejections(batches, results, channel)
    return results


def _count_rejections(batches: list[DeviceBatch], results: list[BatchResult], channel: str) -> None:
    items = []
    for batch, result in zip(batches, results, strict=True):
        if not result.rejected:
            continue
        by_reason = Counter(r.reason for r in result.rejected)
        first_detail = {}
        for r in result.rejected:
            first_detail.setdefault(r.reason, r.detail)
        for reason, n in by_reason.items():
            items.append(
                Rejected(
                    reason=reason,
                    detail=f"{n} event(s); {first_detail[reason]}",
                    key_id=batch.identity.key_id,
                    venue_id=batch.identity.venue_id,
                    count=n,
                )
            )
    record_rejections(channel=channel, items=items)


EVENT_COLUMNS = (
    ("event_id", "text"),
    ("device_id", "bigint"),
    ("venue_id", "bigint"),
    ("direction", "text"),
    ("count", "integer"),
    ("at", "timestamptz"),
    ("received_at", "timestamptz"),
)


def _store(rows: list[_Row], now: datetime) -> list[_Row]:
    """Insert the raw events; the rows the database took (the others were already there).
    Sorted by (gate, event id), so two writers that share events take them in the same order
    and never deadlock on each other's uncommitted duplicates."""
    received = sql.db_datetime(now)
    to_db = sql.datetime_adapter()
    inserted: set[tuple[int, str]] = set()
    ordered = sorted(rows, key=lambda r: (r.gate_id, r.event_id))
    names = ", ".join(name for name, _type in EVENT_COLUMNS)
    for chunk in sql.chunks(ordered, INSERT_CHUNK):
        source, params = sql.rows_source(
            EVENT_COLUMNS,
            [(r.event_id, r.gate_id, r.venue_id, r.direction, r.count, to_db(r.at), received) for r in chunk],
        )
        returned = sql.execute(
            f"INSERT INTO {EVENTS_TABLE} ({names}) SELECT {names} FROM ({source}) AS s WHERE true "  # noqa: S608
            "ON CONFLICT (device_id, event_id) DO NOTHING RETURNING device_id, event_id",
            params,
        )
        inserted.update((device_id, event_id) for device_id, event_id in returned)
    return [r for r in rows if (r.gate_id, r.event_id) in inserted]


class _Buckets:
    """Local-time buckets of event times, by integer arithmetic on epoch seconds (the zone's
    offset looked up once per hour of events): the 5-minute, hour and day starts of thousands of
    events cost a few additions each, and each distinct start becomes a datetime once."""

    EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

    def __init__(self):
        self.tz = timezone.get_default_timezone()
        self.offsets: dict[int, int] = {}
        self.starts: dict[int, datetime] = {}

    def of(self, at: datetime) -> tuple[int, int, int, int]:
        """(5-minute, hour, day) starts as local epoch seconds, and the zone offset."""
        ts = int(at.timestamp())
        offset = self.offsets.get(ts // 3600)
        if offset is None:
            offset = self.offsets[ts // 3600] = int(at.astimezone(self.tz).utcoffset().total_seconds())
        local = ts + offset
        return local - local % 300, local - local % 3600, local - local % 86400, offset

    def start(self, local_epoch: int, offset: int) -> datetime:
        start = self.starts.get(local_epoch)
        if start is None:
            start = self.starts[local_epoch] = datetime.fromtimestamp(local_epoch - offset, tz=self.tz)
        return start

    def day(self, local_day_epoch: int) -> date:
        return date.fromordinal(self.EPOCH_ORDINAL + local_day_epoch // 86400)


def _apply(rows: list[_Row], now: datetime) -> list[live.OccupancyChange]:
    buckets = _Buckets()
    counts: dict[tuple[int, int, int, int], list[int]] = defaultdict(lambda: [0, 0])  # venue, 5m, hour, day
    offsets: dict[int, int] = {}
    for row in rows:
        five, hour, day, offset = buckets.of(row.at)
        offsets[five] = offset
        counts[(row.venue_id, five, hour, day)][0 if row.direction == "in" else 1] += row.count

    rollups: dict[tuple[int, str, datetime], list[int]] = defaultdict(lambda: [0, 0])
    day_totals: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    earliest: dict[tuple[int, date], datetime] = {}
    for (venue_id, five, hour, day), (entries, exits) in counts.items():
        offset = offsets[five]
        five_start = buckets.start(five, offset)
        for granularity, start in (
            (Granularity.FIVE_MINUTES.value, five_start),
            (Granularity.HOUR.value, buckets.start(hour, offset)),
            (Granularity.DAY.value, buckets.start(day, offset)),
        ):
            cell = rollups[(venue_id, granularity, start)]
            cell[0] += entries
            cell[1] += exits
        key = (venue_id, buckets.day(day))
        totals = day_totals[key]
        totals[0] += entries
        totals[1] += exits
        if key not in earliest or five_start < earliest[key]:
            earliest[key] = five_start

    changed = _update_occupancy(day_totals, now)
    _upsert_rollups(rollups)
    _recompute_peaks(earliest)
    alerts.check_capacity(changed, now=now)
    return changed


def _update_occupancy(day_totals: dict[tuple[int, date], list[int]], now: datetime) -> list[live.OccupancyChange]:
    """Add each venue's latest day of the batch to its occupancy row (an earlier day than the
    row's is left alone; a later one starts the row afresh: the daily reset)."""
    latest: dict[int, tuple[date, int, int]] = {}
    for (venue_id, day), (entries, exits) in day_totals.items():
        if venue_id not in latest or day > latest[venue_id][0]:
            latest[venue_id] = (day, entries, exits)
    t = OCCUPANCY_TABLE
    new_in = (
        f"CASE WHEN excluded.day > {t}.day THEN excluded.today_in "
        f"WHEN excluded.day = {t}.day THEN {t}.today_in + excluded.today_in ELSE {t}.today_in END"
    )
    new_out = (
        f"CASE WHEN excluded.day > {t}.day THEN excluded.today_out "
        f"WHEN excluded.day = {t}.day THEN {t}.today_out + excluded.today_out ELSE {t}.today_out END"
    )
    changed: list[live.OccupancyChange] = []
    today = timezone.localdate(now)
    columns = (
        ("venue_id", "bigint"),
        ("day", "date"),
        ("today_in", "integer"),
        ("today_out", "integer"),
        ("current", "integer"),
        ("updated_at", "timestamptz"),
    )
    names = ", ".join(name for name, _type in columns)
    # One venue, one row, in venue order: concurrent writers lock occupancy rows in the same order.
    for chunk in sql.chunks(sorted(latest.items()), 1000):
        source, params = sql.rows_source(
            columns,
            [
                (venue_id, sql.db_date(day), entries, exits, max(0, entries - exits), sql.db_datetime(now))
                for venue_id, (day, entries, exits) in chunk
            ],
        )
        returned = sql.execute(
            f"INSERT INTO {t} ({names}) SELECT {names} FROM ({source}) AS s WHERE true "  # noqa: S608
            f"ON CONFLICT (venue_id) DO UPDATE SET "
            f"today_in = {new_in}, today_out = {new_out}, "
            f"current = {sql.greatest('0', f'({new_in}) - ({new_out})')}, "
            f"alerted_at = CASE WHEN excluded.day > {t}.day THEN NULL ELSE {t}.alerted_at END, "
            f"updated_at = CASE WHEN excluded.day >= {t}.day THEN excluded.updated_at ELSE {t}.updated_at END, "
            f"day = CASE WHEN excluded.day > {t}.day THEN excluded.day ELSE {t}.day END "
            f"RETURNING venue_id, day, today_in, today_out, current, alerted_at",
            params,
        )
        for venue_id, day, today_in, today_out, current, alerted_at in returned:
            day = date.fromisoformat(day) if isinstance(day, str) else day
            if day == today:
                changed.append(
                    live.OccupancyChange(
                        venue_id=venue_id,
                        current=current,
                        today_in=today_in,
                        today_out=today_out,
                        updated_at=now,
                        alerted=alerted_at is not None,
                    )
                )
    return changed


ROLLUP_COLUMNS = (
    ("venue_id", "bigint"),
    ("granularity", "text"),
    ("bucket_start", "timestamptz"),
    ("entries", "integer"),
    ("exits", "integer"),
    ("peak_occupancy", "integer"),
)


def _upsert_rollups(rollups: dict[tuple[int, str, datetime], list[int]]) -> None:
    t = ROLLUP_TABLE
    names = ", ".join(name for name, _type in ROLLUP_COLUMNS)
    for chunk in sql.chunks(sorted(rollups.items()), 2000):
        source, params = sql.rows_source(
            ROLLUP_COLUMNS,
            [(v, g, sql.db_datetime(start), entries, exits, 0) for (v, g, start), (entries, exits) in chunk],
        )
        sql.execute(
            f"INSERT INTO {t} ({names}) SELECT {names} FROM ({source}) AS s WHERE true "  # noqa: S608
            f"ON CONFLICT (venue_id, granularity, bucket_start) DO UPDATE SET "
            f"entries = {t}.entries + excluded.entries, exits = {t}.exits + excluded.exits",
            params,
        )


def _recompute_peaks(earliest: dict[tuple[int, date], datetime]) -> None:
    """Peaks of the touched days, from their 5-minute totals: a 5-minute bucket's peak is the
    people inside at its end (max(0, entries − exits since the day began)); an hour's and a
    day's, the highest of their 5-minute buckets. Rows before the earliest touched bucket cannot
    change, so hours are recomputed from there on."""
    tz = timezone.get_default_timezone()
    by_day: dict[date, list[tuple[int, datetime]]] = defaultdict(list)
    for (venue_id, day), first_five in earliest.items():
        by_day[day].append((venue_id, first_five))
    t = ROLLUP_TABLE
    for day, venues in by_day.items():
        day_start = timezone.make_aware(datetime.combine(day, datetime.min.time()), tz)
        day_end = day_start + timedelta(days=1)
        lo, hi = sql.db_datetime(day_start), sql.db_datetime(day_end)
        for chunk in sql.chunks(sorted(venues), 300):
            ids = [venue_id for venue_id, _first in chunk]
            marks = ", ".join(["%s"] * len(ids))
            running = "SUM(entries - exits) OVER (PARTITION BY venue_id ORDER BY bucket_start)"
            window = (
                f"SELECT id, {sql.greatest('0', running)} AS p FROM {t} "  # noqa: S608 - fixed names
                f"WHERE granularity = '5m' AND venue_id IN ({marks}) "
                "AND bucket_start >= %s AND bucket_start < %s"
            )
            sql.execute(
                f"UPDATE {t} SET peak_occupancy = w.p FROM ({window}) AS w "  # noqa: S608
                f"WHERE {t}.id = w.id AND {t}.peak_occupancy <> w.p",
                [*ids, lo, hi],
            )
            # Hours from the earliest touched one to the end of the day, and the day itself.
            terms = " OR ".join(["(venue_id = %s AND (bucket_start >= %s OR granularity = '1d'))"] * len(chunk))
            params: list = [lo, hi]
            for venue_id, first_five in chunk:
                params += [venue_id, sql.db_datetime(first_five.replace(minute=0))]
            hour_end = sql.plus(f"{t}.bucket_start", hours=1)
            day_end = sql.plus(f"{t}.bucket_start", hours=24)
            sql.execute(
                f"UPDATE {t} SET peak_occupancy = (SELECT COALESCE(MAX(c.peak_occupancy), 0) FROM {t} AS c "  # noqa: S608
                f"WHERE c.venue_id = {t}.venue_id AND c.granularity = '5m' AND c.bucket_start >= {t}.bucket_start "
                f"AND c.bucket_start < CASE WHEN {t}.granularity = '1h' THEN {hour_end} ELSE {day_end} END) "
                f"WHERE granularity IN ('1h', '1d') AND bucket_start >= %s AND bucket_start < %s AND ({terms})",
                params,
            )


_touched: dict[int, float] = {}
_touched_credentials: dict[int, float] = {}


def _due(ids, seen: dict[int, float]) -> list[int]:
    """Ids not marked by this process within TOUCH_EVERY (one UPDATE per device per half minute,
    not one per batch)."""
    now = time.monotonic()
    limit = TOUCH_EVERY.total_seconds()
    due = sorted(i for i in ids if now - seen.get(i, -limit) >= limit)
    for i in due:
        seen[i] = now
    if len(seen) > 200_000:
        seen.clear()
    return due


def _touch_devices(batches: list[DeviceBatch], rows: list[_Row], now: datetime) -> None:
    """Senders and gates that reported are online (last seen now)."""
    from django.db.models import Q

    device_ids = _due({batch.identity.device_id for batch in batches} | {row.gate_id for row in rows}, _touched)
    if device_ids:
        Device.objects.filter(pk__in=device_ids).exclude(status=DeviceStatus.DISABLED).filter(
            Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - TOUCH_EVERY) | Q(status=DeviceStatus.OFFLINE)
        ).update(last_seen_at=now, status=DeviceStatus.ONLINE)
    credential_ids = _due({batch.identity.credential_id for batch in batches}, _touched_credentials)
    if credential_ids:
        DeviceCredential.objects.filter(pk__in=credential_ids).update(last_used_at=now)


def ingest_one(*, identity: DeviceIdentity, events: list, channel: str, **topic) -> BatchResult:
    return ingest_gate_events(batches=[DeviceBatch(identity, events, **topic)], channel=channel)[0]
