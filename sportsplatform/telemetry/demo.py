"""seed_demo step 60: devices for every demo venue and a year of crowd-flow history, so the venue
pages, the map and the data screen have something to show before a device ever reports.

Per venue: one to four gates (each with its own HMAC credential, so `manage.py simulate_devices`
can sign as it), a people counter at the bigger ones, an energy and a water meter and the lights.
History (telemetry.traffic's model, opening hours of each venue): hourly and daily rollups for the
last 365 days (40 when DEMO_SEED_SCALE < 1), 5-minute rollups for yesterday and today until now, and today's occupancy.

Fast at full scale (~900 venues, ~4.5 million rollup rows): rows are generated from per-weekday
shapes computed once per venue and written with COPY on PostgreSQL, executemany on SQLite.
Idempotent: venues that have devices get none, and history is only written when the demo
venues have none."""

from __future__ import annotations

import io
import random
import time as clock
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import DeviceKind, Granularity, TrafficRollup, VenueOccupancy
from .traffic import DayShape, daily_visitors, day_shape

HISTORY_DAYS = 365
DEMO_SEED = 20260606


def gate_count(capacity: int | None) -> int:
    return min(4, 1 + (capacity or 0) // 400)


def device_specs(venues) -> list:
    from .domain.devices import DeviceSpec

    specs = []
    for venue in venues:
        for n in range(1, gate_count(venue.capacity) + 1):
            kind = DeviceKind.FACE_GATE if n == 2 else DeviceKind.GATE
            specs.append(DeviceSpec(venue.pk, kind, f"G{n}", f"{n}号闸机", with_credential=True))
        if (venue.capacity or 0) >= 800:
            specs.append(DeviceSpec(venue.pk, DeviceKind.COUNTER, "C1", "客流计数器"))
        specs += [
            DeviceSpec(venue.pk, DeviceKind.ENERGY_METER, "E1", "电表"),
            DeviceSpec(venue.pk, DeviceKind.WATER_METER, "W1", "水表"),
            DeviceSpec(venue.pk, DeviceKind.LIGHT, "L1", "场地照明"),
        ]
    return specs


def seed_telemetry(ctx) -> None:
    from sportsplatform.venues.models import Venue

    from .domain.devices import register_devices_in_bulk

    started = clock.perf_counter()
    venues = list(Venue.objects.order_by("pk").prefetch_related("opening_hours"))
    if not venues:
        ctx.log("    no venues: skipped")
        return
    created, _keys = register_devices_in_bulk(specs=device_specs(venues), actor=None)
    ctx.log(f"    {created} devices")
    if TrafficRollup.objects.filter(venue__in=[v.pk for v in venues[:50]]).exists():
        ctx.log("    history already present")
        return
    # A small world (DEMO_SEED_SCALE < 1, the tests) gets a shorter history: 40 days still fill
    # the screen's 30-day trends.
    scale = getattr(settings, "DEMO_SEED_SCALE", 1.0)
    days = HISTORY_DAYS if scale >= 1 else max(40, round(HISTORY_DAYS * scale))
    with transaction.atomic():  # temporary tables and dropped indexes live for one transaction
        rows = write_history(venues, now=timezone.now(), rng=random.Random(DEMO_SEED), days=days)  # noqa: S311
    ctx.log(f"    {rows} rollup rows, telemetry step took {clock.perf_counter() - started:.1f}s")


# --- history -------------------------------------------------------------------------------------


def _weekly_intervals(venue) -> dict[int, list]:
    weekly: dict[int, list] = defaultdict(list)
    for h in venue.opening_hours.all():
        weekly[h.weekday].append((h.opens, h.closes))
    return weekly


class _Writer:
    """Collects rollup rows and writes them in chunks (COPY on PostgreSQL)."""

    COLUMNS = "venue_id, granularity, bucket_start, entries, exits, peak_occupancy"

    def __init__(self):
        self.rows: list[tuple] = []
        self.total = 0
        self.postgres = connection.vendor == "postgresql"

    def add(self, venue_id: int, granularity: str, start: str, entries: int, exits: int, peak: int) -> None:
        self.rows.append((venue_id, granularity, start, entries, exits, peak))
        if len(self.rows) >= 200_000:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        connection.ensure_connection()
        if self.postgres:
            buffer = io.StringIO()
            buffer.writelines(f"{v}\t{g}\t{s}+00\t{e}\t{x}\t{p}\n" for v, g, s, e, x, p in self.rows)
            statement = f"COPY telemetry_trafficrollup ({self.COLUMNS}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
                copy.write(buffer.getvalue())
        else:
            connection.connection.executemany(
                f"INSERT INTO telemetry_trafficrollup ({self.COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
                self.rows,
            )
        self.total += len(self.rows)
        self.rows = []


def _utc_strings(day: date, step_minutes: int, tz) -> list[str]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()), tz).astimezone(UTC)
    return [
        (start + timedelta(minutes=i * step_minutes)).strftime("%Y-%m-%d %H:%M:%S")
        for i in range(24 * 60 // step_minutes)
    ]


def write_history(venues, *, now: datetime, rng: random.Random, days: int = HISTORY_DAYS) -> int:
    tz = timezone.get_default_timezone()
    today = timezone.localdate(now)
    writer = _Writer()
    plans = []
    for venue in venues:
        weekly = _weekly_intervals(venue)
        hourly = {
            wd: _nonzero(day_shape(venue_type=venue.type, weekend=wd >= 5, intervals=weekly.get(wd, [])))
            for wd in range(7)
        }
        plans.append((venue, weekly, hourly))

    with _bulk_load(writer):
        occupancy = _recent_days(writer, plans, now=now, today=today, tz=tz, rng=rng)
        writer.flush()
        older = [today - timedelta(days=back) for back in range(days, 1, -1)]
        if writer.postgres:
            _older_days_in_postgres(writer, plans, older, rng)
        else:
            _older_days(writer, plans, older, tz, rng)
        writer.flush()
    VenueOccupancy.objects.filter(venue_id__in=[o.venue_id for o in occupancy]).delete()
    VenueOccupancy.objects.bulk_create(occupancy, batch_size=1000)
    return writer.total


def _visitors(venue, day: date, rng: random.Random) -> float:
    return daily_visitors(venue_type=venue.type, capacity=venue.capacity, day=day) * max(0.4, rng.gauss(1.0, 0.12))


def _older_days(writer: _Writer, plans, days: list[date], tz, rng: random.Random) -> None:
    """Hourly and daily rows from the hourly shapes, in Python (SQLite)."""
    for day in days:
        hours = _utc_strings(day, 60, tz)
        day_start = hours[0]
        for venue, _weekly, hourly in plans:
            shape = hourly[day.weekday()]
            if not shape:
                continue
            visitors = _visitors(venue, day, rng)
            total_in = total_out = peak = 0
            for i, e_share, x_share, in_share in shape:
                wobble = 1.0 + 0.08 * (rng.random() - 0.5)
                entries = int(visitors * e_share * wobble + 0.5)
                exits = int(visitors * x_share * wobble + 0.5)
                inside = int(visitors * in_share + 0.5)
                if entries or exits:
                    writer.add(venue.pk, Granularity.HOUR, hours[i], entries, exits, inside)
                total_in += entries
                total_out += exits
                peak = max(peak, inside)
            writer.add(venue.pk, Granularity.DAY, day_start, total_in, total_out, peak)


def _older_days_in_postgres(writer: _Writer, plans, days: list[date], rng: random.Random) -> None:
    """The same rows, made by PostgreSQL from two small tables (each venue's hourly shapes per
    weekday, each venue's visitors per day): millions of rows never pass through Python."""
    shapes = io.StringIO()
    visitors = io.StringIO()
    for venue, _weekly, hourly in plans:
        for weekday, shape in hourly.items():
            shapes.writelines(f"{venue.pk}\t{weekday}\t{i}\t{e!r}\t{x!r}\t{inside!r}\n" for i, e, x, inside in shape)
        visitors.writelines(f"{venue.pk}\t{day.isoformat()}\t{_visitors(venue, day, rng)!r}\n" for day in days)
    tz = settings.TIME_ZONE
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE seed_shape (venue_id bigint, weekday int, step int, es float8, xs float8, ins float8) "
            "ON COMMIT DROP"
        )
        cursor.execute("CREATE TEMP TABLE seed_day (venue_id bigint, day date, visitors float8) ON COMMIT DROP")
        with cursor.cursor.copy("COPY seed_shape FROM STDIN") as copy:
            copy.write(shapes.getvalue())
        with cursor.cursor.copy("COPY seed_day FROM STDIN") as copy:
            copy.write(visitors.getvalue())
        cursor.execute("SELECT setseed(%s)", [rng.random() * 2 - 1])
        cursor.execute(
            "CREATE TEMP TABLE seed_hours ON COMMIT DROP AS "
            "SELECT d.venue_id, d.day, ((d.day + make_interval(hours => s.step)) AT TIME ZONE %s) AS bucket_start, "
            "floor(d.visitors * s.es * w.f + 0.5)::int AS entries, floor(d.visitors * s.xs * w.f + 0.5)::int AS exits, "
            "floor(d.visitors * s.ins + 0.5)::int AS peak "
            "FROM seed_day d JOIN seed_shape s "
            "ON s.venue_id = d.venue_id AND s.weekday = extract(isodow FROM d.day) - 1 "
            # Referring to s makes the wobble one draw per row, not one for the whole query.
            "CROSS JOIN LATERAL (SELECT 0.96 + 0.08 * random() + 0 * s.step AS f) w",
            [tz],
        )
        cursor.execute(
            f"INSERT INTO telemetry_trafficrollup ({_Writer.COLUMNS}) "  # noqa: S608 - fixed names
            "SELECT venue_id, '1h', bucket_start, entries, exits, peak FROM seed_hours WHERE entries > 0 OR exits > 0"
        )
        writer.total += cursor.rowcount
        cursor.execute(
            f"INSERT INTO telemetry_trafficrollup ({_Writer.COLUMNS}) "  # noqa: S608
            "SELECT venue_id, '1d', (day::timestamp AT TIME ZONE %s), sum(entries), sum(exits), max(peak) "
            "FROM seed_hours GROUP BY venue_id, day",
            [tz],
        )
        writer.total += cursor.rowcount


def _recent_days(writer: _Writer, plans, *, now, today, tz, rng) -> list[VenueOccupancy]:
    """Yesterday and today: 5-minute rows, and the hours and days made from them (as ingestion
    would); returns today's occupancy rows."""
    occupancy = []
    for back in (1, 0):
        day = today - timedelta(days=back)
        fives = _utc_strings(day, 5, tz)
        local = now.astimezone(tz)
        limit = 288 if back else (local.hour * 60 + local.minute) // 5
        for venue, weekly, _hourly in plans:
            shape = day_shape(
                venue_type=venue.type,
                weekend=day.weekday() >= 5,
                intervals=weekly.get(day.weekday(), []),
                step_minutes=5,
            )
            totals = _write_fives(writer, venue.pk, shape, _visitors(venue, day, rng), fives, limit, rng)
            if not back:
                today_in, today_out = totals
                occupancy.append(
                    VenueOccupancy(
                        venue_id=venue.pk,
                        day=day,
                        today_in=today_in,
                        today_out=today_out,
                        current=max(0, today_in - today_out),
                        updated_at=now,
                    )
                )
    return occupancy


@contextmanager
def _bulk_load(writer: _Writer):
    """On PostgreSQL, into an empty rollup table: drop its indexes and constraints (but the primary
    key) while loading and build them again after — building an index over sorted rows is far
    cheaper than maintaining it row by row. All inside the seed step's transaction, so a failure
    leaves the table as it was."""
    if not writer.postgres or TrafficRollup.objects.exists():
        yield
        return
    table = "telemetry_trafficrollup"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        # Django's foreign keys are deferred: check what this transaction wrote so far now, or
        # PostgreSQL refuses to drop and add them ("pending trigger events").
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _nonzero(shape: DayShape) -> list[tuple[int, float, float, float]]:
    return [
        (i, e, x, inside)
        for i, (e, x, inside) in enumerate(zip(shape.entries, shape.exits, shape.inside, strict=True))
        if e or x
    ]


def _write_fives(
    writer: _Writer, venue_id: int, shape: DayShape, visitors: float, fives, limit: int, rng
) -> tuple[int, int]:
    """5-minute rows up to bucket `limit`, with exact running peaks; then their hours and day."""
    cumulative = 0
    hour_rows: dict[int, list[int]] = {}
    total_in = total_out = 0
    for i in range(limit):
        e_share, x_share = shape.entries[i], shape.exits[i]
        if not (e_share or x_share):
            continue
        entries = int(visitors * e_share * (0.85 + 0.3 * rng.random()) + 0.5)
        exits = int(visitors * x_share * (0.85 + 0.3 * rng.random()) + 0.5)
        if not (entries or exits):
            continue
        cumulative += entries - exits
        peak = max(0, cumulative)
        writer.add(venue_id, Granularity.FIVE_MINUTES, fives[i], entries, exits, peak)
        hour = hour_rows.setdefault(i // 12, [0, 0, 0])
        hour[0] += entries
        hour[1] += exits
        hour[2] = max(hour[2], peak)
        total_in += entries
        total_out += exits
    for h, (entries, exits, peak) in sorted(hour_rows.items()):
        writer.add(venue_id, Granularity.HOUR, fives[h * 12], entries, exits, peak)
    if hour_rows:
        writer.add(venue_id, Granularity.DAY, fives[0], total_in, total_out, max(p for _e, _x, p in hour_rows.values()))
    return total_in, total_out
