"""The booking rush: a day's slots are released and many people try to book them at once.

`make bench SCENARIO=booking-rush` (or `python -m benchmarks booking-rush`):

1. a fresh database: PostgreSQL `bench_booking` (BENCH_ADMIN_URL, default 127.0.0.1:5432), or with
   BENCH_DB=sqlite the file var/bench/booking_rush.sqlite3 (WAL, as production SQLite runs);
2. SLOTS slots (default 500) open for booking, tomorrow 13:00–23:00 on courts of several venues (every
   tenth court a session of 20 places), USERS distinct users (default 2000) with bearer tokens
   written straight into the database;
3. `make serve` (gunicorn, production settings, WORKERS × THREADS) with Redis as cache (a database
   of its own, flushed first: the full-slot hints must not outlive the run);
4. ATTEMPTS booking attempts (default 5000), POST /api/v1/bookings from CONCURRENCY clients
   (default 64) in a closed loop; each picks a user and one slot, or two consecutive slots of one
   court, with evening hours (18–22) six times as popular as the afternoon;
5. the database is checked: `oversold` counts slots whose active booked places exceed their
   capacity (must be 0), and every slot's `taken` must equal its active places.

Last line: one JSON object with db, slots, attempts, concurrency, succeeded (201), rejected (409
slot_taken), errors (5xx, timeouts, connection errors), oversold, attempts_per_s, p50_ms, p95_ms,
p99_ms. Other 4xx answers (a per-user daily limit reached) are counted apart in the summary.

The load generator runs on the same machine as the server and the database and takes its share
of the cores (`loadgen_cpu_s` in the summary)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from benchmarks.loadgen import Request, latency_figures, run_load

NAME = "booking-rush"
DESCRIPTION = "booking rush: many users POST /api/v1/bookings for a few hundred freshly released slots"
DEFAULTS = {"requests": 5000, "concurrency": 64, "duration": 180}

DB_NAME = "bench_booking"
SQLITE_PATH = Path(__file__).resolve().parent.parent.parent / "var" / "bench" / "booking_rush.sqlite3"
REDIS_URL = os.environ.get("BENCH_BOOKING_REDIS_URL", "redis://127.0.0.1:6379/3")
COURTS_PER_VENUE = 5
FIRST_HOUR, LAST_HOUR = 13, 23  # slots 13:00–23:00
SESSION_EVERY = 10  # every tenth court sells sessions
SESSION_PLACES = 20
WARMUP_SLOTS = 40
SEED = 20261121


def hour_weight(hour: int) -> int:
    if 18 <= hour <= 21:
        return 6
    if hour in (17, 22):
        return 3
    return 1


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


# --- data ------------------------------------------------------------------------------------


def prepare(database_url: str, *, slots: int, users: int) -> dict:
    """Venues, courts and open slots for tomorrow; users with bearer tokens (keys kept here)."""
    import secrets
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from sportsplatform.accounts.models import ApiToken, User
    from sportsplatform.booking.models import Slot
    from sportsplatform.venues.models import Court, CourtKind, Ownership, Sport, Venue, VenueType

    hours = list(range(FIRST_HOUR, LAST_HOUR))
    per_court = len(hours)
    courts_needed = -(-(slots + WARMUP_SLOTS) // per_court)
    badminton = Sport.objects.get(code="badminton")
    swimming = Sport.objects.get(code="swimming")
    day = timezone.localdate() + timedelta(days=1)
    release_at = timezone.now() - timedelta(hours=1)

    venues = Venue.objects.bulk_create(
        Venue(
            name=f"抢订体育馆{v + 1}",
            type=VenueType.GYMNASIUM,
            ownership=Ownership.PUBLIC,
            region_id="510107",
            address="人民南路四段1号",
            lat=Decimal("30.640000"),
            lng=Decimal("104.040000"),
        )
        for v in range(-(-courts_needed // COURTS_PER_VENUE))
    )
    courts = []
    for n in range(courts_needed):
        session = n % SESSION_EVERY == SESSION_EVERY - 1
        courts.append(
            Court(
                venue=venues[n // COURTS_PER_VENUE],
                name=f"{n % COURTS_PER_VENUE + 1}号{'池' if session else '场'}",
                sport=swimming if session else badminton,
                kind=CourtKind.SESSION if session else Court._meta.get_field("kind").default,
                capacity=SESSION_PLACES if session else 4,
                price_per_hour=Decimal("30.00") if session else Decimal("40.00"),
            )
        )
    courts = Court.objects.bulk_create(courts)
    rows = []
    for court in courts:
        for hour in hours:
            start = timezone.make_aware(datetime.combine(day, dtime(hour, 0)))
            price = Decimal("60.00") if hour_weight(hour) > 1 else Decimal("40.00")
            rows.append(
                Slot(
                    court=court,
                    venue=court.venue,
                    date=day,
                    start=start,
                    end=start + timedelta(hours=1),
                    price=price,
                    member_price=price,
                    capacity=court.capacity if court.kind == CourtKind.SESSION else 1,
                    release_at=release_at,
                )
            )
    rows = Slot.objects.bulk_create(rows[: slots + WARMUP_SLOTS], batch_size=1000)
    rush, warm = rows[:slots], rows[slots:]

    password = make_password(None)
    people = User.objects.bulk_create(
        (User(username=f"rush{n:05d}", phone=f"139{n:08d}", password=password) for n in range(users + 8)),
        batch_size=1000,
    )
    keys = [secrets.token_urlsafe(32) for _ in people]
    expires = timezone.now() + timedelta(days=30)
    ApiToken.objects.bulk_create(
        (
            ApiToken(user=user, key_hash=ApiToken.hash_key(key), name="bench", expires_at=expires)
            for user, key in zip(people, keys, strict=True)
        ),
        batch_size=1000,
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "slots": [(s.pk, s.court_id, timezone.localtime(s.start).hour, s.capacity) for s in rush],
        "warm_slots": [s.pk for s in warm],
        "keys": keys[:users],
        "warm_keys": keys[users:],
        "venues": len(venues),
        "courts": len(courts),
        "users": users,
    }


def booking_requests(prepared: dict, attempts: int) -> list[Request]:
    """`attempts` booking attempts with the evening skew; one in five asks for two consecutive hours."""
    rng = random.Random(SEED)
    slots = prepared["slots"]
    by_court_hour = {(court, hour): (pk, capacity) for pk, court, hour, capacity in slots}
    weights = [hour_weight(hour) for _pk, _court, hour, _cap in slots]
    out = []
    for _ in range(attempts):
        pk, court, hour, capacity = rng.choices(slots, weights=weights)[0]
        chosen = [(pk, capacity)]
        if rng.random() < 0.2 and (court, hour + 1) in by_court_hour:
            chosen.append(by_court_hour[(court, hour + 1)])
        body: dict = {"slot_ids": [p for p, _c in chosen]}
        if any(c > 1 for _p, c in chosen):
            body["quantities"] = {str(p): rng.choice((1, 1, 2, 3)) for p, c in chosen if c > 1}
        key = rng.choice(prepared["keys"])
        out.append(
            Request(
                "/api/v1/bookings",
                method="POST",
                label="book",
                json=body,
                headers={"Authorization": f"Bearer {key}"},
                # 201 held, 409 slot_taken: both correct answers; 400 (daily limit) is counted apart.
                expect=(201, 409, 400),
            )
        )
    return out


def warmup_requests(prepared: dict) -> list[Request]:
    """Each warm-up slot booked twice (a 201 then a 409) by the spare users: every worker runs the
    whole path once before the measured phase."""
    out = []
    keys = prepared["warm_keys"]
    for n, pk in enumerate(prepared["warm_slots"]):
        for k in (n % len(keys), (n + 1) % len(keys)):
            out.append(
                Request(
                    "/api/v1/bookings",
                    method="POST",
                    label="warm",
                    json={"slot_ids": [pk]},
                    headers={"Authorization": f"Bearer {keys[k]}"},
                    expect=(201, 409, 400),
                )
            )
    return out


def verify() -> dict:
    """Read the database after the run: oversold slots, `taken` that disagrees with the items."""
    from django.db.models import Count, F, Q, Sum, Value
    from django.db.models.functions import Coalesce

    from sportsplatform.booking.models import BookingItem, Slot
    from sportsplatform.orders.models import Order

    active = ~Q(items__status="released")
    slots = Slot.objects.annotate(
        places=Coalesce(Sum("items__quantity", filter=active), Value(0)),
        exclusive_items=Count("items", filter=active & Q(items__exclusive=True)),
    )
    return {
        "oversold": slots.filter(places__gt=F("capacity")).count(),
        "taken_mismatch": slots.exclude(taken=F("places")).count(),
        "double_booked": slots.filter(exclusive_items__gt=1).count(),
        "orders": Order.objects.count(),
        "items": BookingItem.objects.count(),
        "slots_full": Slot.objects.filter(taken=F("capacity")).count(),
    }


# --- the run ---------------------------------------------------------------------------------


def main(args) -> int:
    from benchmarks import runner

    say = runner.say
    slots = _env_int("SLOTS", 500)
    attempts = runner.setting(args.requests, "ATTEMPTS", os.environ.get("REQUESTS") or DEFAULTS["requests"], int)
    concurrency = runner.setting(args.concurrency, "CONCURRENCY", DEFAULTS["concurrency"], int)
    duration = runner.setting(args.duration, "DURATION", DEFAULTS["duration"], float)
    users = _env_int("USERS", 2000)
    workers = _env_int("WORKERS", 2)
    threads = _env_int("THREADS", 4)
    db = (os.environ.get("BENCH_DB") or "postgresql").lower()
    if db in ("postgres", "pg"):
        db = "postgresql"
    if db not in ("postgresql", "sqlite"):
        raise SystemExit("BENCH_DB is postgresql or sqlite")
    port = runner.setting(args.port, "BENCH_PORT", 0, int) or runner.free_port()

    say(f"== benchmark {NAME}: {DESCRIPTION}")
    if db == "postgresql":
        admin_url = os.environ.get("BENCH_ADMIN_URL", runner.DEFAULT_ADMIN_URL)
        if not runner.reachable(admin_url):
            say(f"PostgreSQL is not reachable at {admin_url} (set BENCH_ADMIN_URL, or BENCH_DB=sqlite).")
            return 1
        database_url = runner.with_database(admin_url, DB_NAME)
        say(f"1. fresh PostgreSQL database {DB_NAME}")
        runner.recreate_database(admin_url, DB_NAME)
    else:
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{SQLITE_PATH}"
        say(f"1. fresh SQLite database {SQLITE_PATH.relative_to(runner.ROOT)}")
    if not runner.reachable(REDIS_URL, default_port=6379):
        say(f"Redis is not reachable at {REDIS_URL}: the server runs with Redis as cache, like production.")
        return 1
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()

    say(f"2. migrate; {slots} slots, {users} users with tokens")

    class _Data:
        @staticmethod
        def prepare(url):
            return prepare(url, slots=slots, users=users)

    prepared = runner.migrate_and_prepare(_Data, database_url)
    say(f"   {prepared['venues']} venues, {prepared['courts']} courts")
    stream = booking_requests(prepared, attempts)

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "API_THROTTLE_ANON": runner.UNTHROTTLED,
        "API_THROTTLE_USER": runner.UNTHROTTLED,
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "WORKERS": str(workers),
        "THREADS": str(threads),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    base_url = f"http://127.0.0.1:{port}"
    log_path = runner.LOG_DIR / "booking-rush-server.log"
    say(f"3. make serve on {base_url}: {workers} workers × {threads} threads (log: var/bench/{log_path.name})")
    server = _start_server(port=port, env=env, log_path=log_path, workers=workers, threads=threads)
    try:
        try:
            runner.wait_until_answering(server, base_url + "/api/v1/regions", log_path)
        except RuntimeError as exc:
            say(f"make serve did not come up: {exc}")
            return 1
        warm = warmup_requests(prepared)
        say(f"   warm-up: {len(warm)} booking requests on {WARMUP_SLOTS} slots of their own (not counted)")
        asyncio.run(run_load(base_url, warm, total=len(warm), concurrency=8, duration_s=60))
        say(f"4. rush: {attempts} attempts, {concurrency} clients, at most {duration:g}s")
        load_before = os.getloadavg()[0]
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        result = asyncio.run(run_load(base_url, stream, total=attempts, concurrency=concurrency, duration_s=duration))
        elapsed = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        say("5. stop the server")
        runner.stop_server(server)

    checked = verify()
    samples = [s for s in result.samples if s.label == "book"]
    statuses = Counter(s.status for s in samples)
    succeeded = statuses.get(201, 0)
    rejected = statuses.get(409, 0)
    other_4xx = sum(n for code, n in statuses.items() if 400 <= code < 500 and code != 409)
    errors = sum(n for code, n in statuses.items() if code >= 500 or code == 0) + sum(
        n for code, n in statuses.items() if 200 <= code < 400 and code != 201
    )
    lat = latency_figures([s.latency_ms for s in samples])
    warm_orders = len(prepared["warm_slots"])
    say("")
    say(f"{len(samples)} attempts in {result.elapsed_s:.1f}s, {concurrency} clients, {workers}×{threads} server")
    say(f"statuses: {dict(sorted(statuses.items()))}; other 4xx (daily limit): {other_4xx}")
    say(
        f"database: {checked['orders']} orders ({warm_orders} from the warm-up at most), {checked['items']} items, "
        f"{checked['slots_full']} slots full, oversold {checked['oversold']}, double-booked "
        f"{checked['double_booked']}, taken≠items {checked['taken_mismatch']}"
    )
    say(
        f"load generator CPU {_cpu(cpu_before, cpu_after):.1f}s of {elapsed * (os.cpu_count() or 1):.1f}s "
        f"available; load average before {load_before:.2f}"
    )
    if result.figures().get("error_kinds"):
        say(f"errors: {result.figures()['error_kinds']}")
    figures = {
        "db": db,
        "slots": slots,
        "attempts": len(samples),
        "concurrency": concurrency,
        "succeeded": succeeded,
        "rejected": rejected,
        "errors": errors,
        "oversold": checked["oversold"],
        "attempts_per_s": round(len(samples) / result.elapsed_s, 1) if result.elapsed_s else 0.0,
        "p50_ms": lat["p50_ms"],
        "p95_ms": lat["p95_ms"],
        "p99_ms": lat["p99_ms"],
    }
    say(json.dumps(figures, separators=(",", ":")))
    return 0 if not (errors or checked["oversold"] or checked["taken_mismatch"] or checked["double_booked"]) else 1


def _cpu(before, after) -> float:
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _start_server(*, port: int, env: dict, log_path: Path, workers: int, threads: int):
    import subprocess

    from benchmarks import runner

    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    return subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "-o",
            ".make-python",
            "-o",
            ".make-npm",
            "serve",
            f"PORT={port}",
            f"WORKERS={workers}",
            f"THREADS={threads}",
        ],
        cwd=runner.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
