"""Device ingestion at provincial scale, and the data screen's summary on a year of history.

`make bench SCENARIO=ingest` (or `python -m benchmarks ingest`):

1. a fresh PostgreSQL database `bench_ingest` (BENCH_ADMIN_URL, default 127.0.0.1:5432), migrated;
   VENUES demo venues (default 900) with their devices and ONE YEAR of rolled-up history (the
   seed_demo step: hourly and daily rows for 365 days, 5-minute rows for yesterday and today), a
   province official with a bearer token; ANALYZE;
2. a profile of the ingestion function in this process (cProfile, 20 batches of 500 events): where
   the time goes, printed before the load;
3. `make serve` (gunicorn, production settings, WORKERS × THREADS, Redis as cache and for the live
   pushes), then HTTP: signed POST /api/v1/telemetry/gates batches of HTTP_BATCH events (default
   500) from HTTP_CONCURRENCY clients (default 4) for HTTP_SECONDS (default 30), each batch one
   gate of a random venue, events of the last half hour, every event id new;
4. the data screen: SUMMARY_REQUESTS (default 400) GET /api/v1/dashboard/summary as the province
   official, over the province and its cities, SUMMARY_CONCURRENCY (default 4) in flight;
5. MQTT: `manage.py mqtt_bridge` as its own process against Mosquitto on 127.0.0.1:1883, and
   PUBLISHERS processes (default 2) publishing MQTT_EVENTS events (default 600,000) in signed
   messages of MQTT_BATCH events (default 250), QoS 1, offered at MQTT_OFFER_EVENTS_PER_S
   (default 40,000 — more than the bridge stores, so the bridge is the limit; Mosquitto holds the
   difference, up to its 1,000 queued messages per client); the rate is events stored by the
   bridge ÷ time from the first publish to the last event stored.

Events per second count events the database holds afterwards (not requests sent). Targets
(issue 6): ≥ 20,000 events/s each way, summary p95 < 200 ms. Last line: one JSON object with
http_events_per_s, mqtt_events_per_s, summary_p95_ms and the details."""

from __future__ import annotations

import asyncio
import cProfile
import io
import json
import multiprocessing
import os
import pstats
import random
import resource
import signal
import subprocess
import sys
import time
from datetime import timedelta

from benchmarks.loadgen import Request, latency_figures, run_load

NAME = "ingest"
DESCRIPTION = "gate events through HTTP and MQTT, and the data screen summary, on a year of history for 900 venues"
DB_NAME = "bench_ingest"
REDIS_URL = os.environ.get("BENCH_INGEST_REDIS_URL", "redis://127.0.0.1:6379/4")
MQTT_URL = os.environ.get("BENCH_MQTT_URL", "mqtt://127.0.0.1:1883")
GATES_PATH = "/api/v1/telemetry/gates"
SEED = 20261206


def _env(name: str, default):
    value = os.environ.get(name)
    return type(default)(value) if value else default


# --- data ------------------------------------------------------------------------------------------


def prepare(database_url: str, *, venues: int) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from sportsplatform.accounts.domain.tokens import issue_token
    from sportsplatform.accounts.domain.users import create_organisation, create_user, grant_membership
    from sportsplatform.accounts.models import OrganisationKind, Role
    from sportsplatform.backoffice.demo import SeedContext
    from sportsplatform.regions.models import Region
    from sportsplatform.telemetry.demo import seed_telemetry
    from sportsplatform.telemetry.domain.auth import identity_for
    from sportsplatform.telemetry.models import DeviceCredential
    from sportsplatform.venues.demo import generate_venues, load_venues
    from sportsplatform.venues.demo_data.places import demo_regions

    started = time.perf_counter()
    public = max(1, round(venues * 2 / 9))
    specs = generate_venues(regions=demo_regions(), public=public, private=venues - public, today=timezone.localdate())
    loaded = load_venues(specs, photos=False, batch_size=1000)
    venues_s = time.perf_counter() - started
    started = time.perf_counter()
    logs: list[str] = []
    seed_telemetry(SeedContext(log=logs.append))
    seed_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM telemetry_trafficrollup")
        rollups = cursor.fetchone()[0]

    province = Region.objects.get(code="510000")
    bureau = create_organisation(name="四川省体育局（压测）", kind=OrganisationKind.BUREAU, region=province)
    official = create_user(username="bench-official", password="Qz7!mRw2-load", display_name="压测")
    grant_membership(user=official, organisation=bureau, role=Role.BUREAU_OFFICIAL)
    _token, key = issue_token(user=official, name="bench")

    gates = []
    for credential in DeviceCredential.objects.filter(device__code="G1").select_related("device"):
        identity = identity_for(credential.key_id)
        gates.append((credential.device.venue_id, "G1", credential.key_id, identity.secret.decode()))
    cities = list(Region.objects.filter(parent_id="510000").order_by("code").values_list("code", flat=True))
    return {
        "venues": loaded.venues,
        "rollup_rows": rollups,
        "venues_load_s": round(venues_s, 1),
        "seed_s": round(seed_s, 1),
        "seed_log": logs,
        "gates": gates,
        "token": key,
        "cities": cities,
        "secret_key_set": bool(settings.TELEMETRY_SECRET_KEY),
    }


def _events(prefix: str, n: int, rng: random.Random, now) -> list[dict]:
    out = []
    for i in range(n):
        at = now - timedelta(seconds=rng.random() * 1800)
        out.append(
            {
                "id": f"{prefix}-{i}",
                "gate": "G1",
                "direction": "in" if rng.random() < 0.52 else "out",
                "count": 1 if rng.random() < 0.8 else 2,
                "at": at.isoformat(timespec="seconds"),
            }
        )
    return out


def http_requests(prepared: dict, *, count: int, batch: int, tag: str) -> list[Request]:
    from datetime import datetime

    from django.utils import timezone

    from sportsplatform.telemetry.domain.auth import http_headers

    rng = random.Random(f"{SEED}-{tag}")
    now = datetime.now(tz=timezone.get_default_timezone())
    out = []
    for n in range(count):
        _venue, _code, key_id, secret = rng.choice(prepared["gates"])
        payload = {"events": _events(f"{tag}{n}", batch, rng, now)}
        body = json.dumps(payload).encode()  # what aiohttp sends for json=payload
        headers = http_headers(key_id=key_id, secret=secret, body=body, path=GATES_PATH)
        out.append(Request(GATES_PATH, method="POST", json=payload, headers=headers, label="POST gates", expect=(202,)))
    return out


def summary_requests(prepared: dict, count: int) -> list[Request]:
    headers = {"Authorization": f"Bearer {prepared['token']}"}
    regions = ["", "510100", *prepared["cities"][:8]]
    out = []
    for n in range(count):
        region = regions[n % len(regions)]
        path = "/api/v1/dashboard/summary" + (f"?region={region}" if region else "")
        out.append(Request(path, headers=headers, label=f"summary {region or 'province'}"))
    return out


# --- profile -----------------------------------------------------------------------------------------


def profile_ingest(prepared: dict, *, batches: int = 20, batch: int = 500) -> str:
    """cProfile of telemetry.domain.ingest on `batches` batches in this process: the top functions
    by cumulative time, and the share of validation, the raw insert and the rollups."""
    from datetime import datetime

    from django.utils import timezone

    from sportsplatform.telemetry.domain import ingest
    from sportsplatform.telemetry.domain.auth import identity_for

    rng = random.Random(SEED)
    now = datetime.now(tz=timezone.get_default_timezone())
    work = []
    for n in range(batches):
        _venue, _code, key_id, _secret = rng.choice(prepared["gates"])
        work.append((identity_for(key_id), _events(f"p{n}", batch, rng, now)))
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for identity, events in work:
        ingest.ingest_one(identity=identity, events=events, channel="http")
    profiler.disable()
    elapsed = time.perf_counter() - started
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer).sort_stats("cumulative")
    stats.print_stats(22)
    parts = {}
    for (filename, _line, name), row in stats.stats.items():
        if "telemetry/domain/ingest.py" in filename and name in (
            "_validate",
            "_store",
            "_update_occupancy",
            "_upsert_rollups",
            "_recompute_peaks",
            "_touch_devices",
            "_lock_occupancy",
        ):
            parts[name] = round(row[3] * 1000 / batches, 2)
    head = (
        f"in-process ingestion: {batches * batch} events in {elapsed:.2f}s = {batches * batch / elapsed:,.0f} events/s "
        f"(one process, no HTTP); ms per batch of {batch}: {parts}\n"
    )
    return head + "\n".join(line for line in buffer.getvalue().splitlines() if line.strip())[:6000]


# --- MQTT ----------------------------------------------------------------------------------------------


def _publisher(gates, messages: int, batch: int, tag: str, ready, go, url: str, out, interval: float) -> None:
    """One publishing process: sign everything first, then publish one message every `interval`
    seconds (the offered load; 0: as fast as the broker takes them)."""
    import paho.mqtt.client as mqtt

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from datetime import datetime
    from urllib.parse import urlparse
    from zoneinfo import ZoneInfo

    from sportsplatform.telemetry.domain.auth import mqtt_payload

    rng = random.Random(f"{SEED}-{tag}")
    now = datetime.now(tz=ZoneInfo("Asia/Shanghai"))
    payloads = []
    for n in range(messages):
        venue, code, key_id, secret = rng.choice(gates)
        topic = f"venues/{venue}/gates/{code}/events"
        body = json.dumps({"events": _events(f"{tag}{n}", batch, rng, now)}).encode()
        payloads.append((topic, mqtt_payload(key_id=key_id, secret=secret, topic=topic, body=body)))
    parsed = urlparse(url)
    client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-{tag}")
    client.max_inflight_messages_set(200)
    client.max_queued_messages_set(0)
    client.connect(parsed.hostname, parsed.port or 1883)
    client.loop_start()
    ready.set()
    go.wait()
    started = time.perf_counter()
    infos = []
    for n, (topic, payload) in enumerate(payloads):
        delay = started + n * interval - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        infos.append(client.publish(topic, payload, qos=1))
    for info in infos:
        info.wait_for_publish(timeout=120)
    out.put((tag, time.perf_counter() - started))
    client.disconnect()
    client.loop_stop()


def _count(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        return conn.execute("SELECT count(*) FROM telemetry_gateevent").fetchone()[0]


def _max_id(conn) -> int:
    return conn.execute("SELECT coalesce(max(id), 0) FROM telemetry_gateevent").fetchone()[0]


def mqtt_phase(prepared: dict, *, database_url: str, env: dict, say, log_path, root) -> dict:
    import psycopg

    total = _env("MQTT_EVENTS", 600_000)
    batch = _env("MQTT_BATCH", 250)
    publishers = _env("PUBLISHERS", 2)
    # Offered load: devices publish steadily, they do not dump a day's messages in one second.
    # Above what the bridge stores, the difference waits in Mosquitto's queue for the bridge
    # (max_queued_messages, 1000 messages by default: beyond it the broker drops messages).
    offer = _env("MQTT_OFFER_EVENTS_PER_S", 40_000)
    messages = total // batch // publishers
    interval = publishers * batch / offer if offer else 0.0
    bridge_log = log_path.open("wb")
    bridge = subprocess.Popen(
        [sys.executable, "manage.py", "mqtt_bridge", "--url", MQTT_URL, "--client-id", f"bench-bridge-{os.getpid()}"],
        cwd=str(root),
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "ALLOW_INSECURE_SECRET_KEY": "1",
            "LOG_LEVEL": "INFO",  # the bridge says when it has subscribed
        },
        stdout=bridge_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    conn = psycopg.connect(database_url.replace("postgres://", "postgresql://", 1), autocommit=True)
    try:
        deadline = time.monotonic() + 120
        while "subscribed" not in log_path.read_text(errors="replace"):
            if bridge.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mqtt_bridge did not subscribe:\n{log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        run = int(time.time())  # fresh event ids on every run
        ctx = multiprocessing.get_context("fork")
        go, out = ctx.Event(), ctx.Queue()
        readies, procs = [], []
        for p in range(publishers):
            ready = ctx.Event()
            proc = ctx.Process(
                target=_publisher,
                args=(prepared["gates"], messages, batch, f"m{run}-{p}-", ready, go, MQTT_URL, out, interval),
                daemon=True,
            )
            proc.start()
            readies.append(ready)
            procs.append(proc)
        for ready in readies:
            ready.wait(300)
        sent = messages * batch * publishers
        start_id = _max_id(conn)
        say(
            f"   {publishers} publishers ready: {sent:,} events in {messages * publishers:,} messages of {batch}, "
            f"offered at {offer:,} events/s"
        )
        started = time.perf_counter()
        go.set()
        stored, last_change, previous = 0, time.perf_counter(), -1
        while time.perf_counter() - started < 600:
            stored = _max_id(conn) - start_id
            now = time.perf_counter()
            if stored != previous:
                previous, last_change = stored, now
            if stored >= sent or now - last_change > 20:
                break
            time.sleep(0.1)
        elapsed = last_change - started
        publish_s = [out.get(timeout=60)[1] for _ in procs]
        for proc in procs:
            proc.join(30)
        counted = conn.execute("SELECT count(*) FROM telemetry_gateevent WHERE id > %s", (start_id,)).fetchone()[0]
    finally:
        conn.close()
        try:
            os.killpg(bridge.pid, signal.SIGTERM)
            bridge.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(bridge.pid, signal.SIGKILL)
    return {
        "mqtt_events_sent": sent,
        "mqtt_events_stored": counted,
        "mqtt_seconds": round(elapsed, 2),
        "mqtt_publish_seconds": [round(s, 2) for s in publish_s],
        "mqtt_events_per_s": round(counted / elapsed) if elapsed > 0 else 0,
        "mqtt_batch": batch,
        "mqtt_offered_events_per_s": offer,
        "publishers": publishers,
    }


# --- the run ---------------------------------------------------------------------------------------------


def main(args) -> int:
    from benchmarks import runner

    say = runner.say
    venues = _env("VENUES", 900)
    workers = _env("WORKERS", 2)
    threads = _env("THREADS", 4)
    http_seconds = runner.setting(args.duration, "HTTP_SECONDS", 30, float)
    http_batch = _env("HTTP_BATCH", 500)
    http_concurrency = runner.setting(args.concurrency, "HTTP_CONCURRENCY", 4, int)
    summary_count = _env("SUMMARY_REQUESTS", 400)
    summary_concurrency = _env("SUMMARY_CONCURRENCY", 4)
    port = runner.setting(args.port, "BENCH_PORT", 0, int) or runner.free_port()
    admin_url = os.environ.get("BENCH_ADMIN_URL", runner.DEFAULT_ADMIN_URL)

    say(f"== benchmark {NAME}: {DESCRIPTION}")
    if not runner.reachable(admin_url):
        say(f"PostgreSQL is not reachable at {admin_url} (set BENCH_ADMIN_URL).")
        return 1
    for url, port_default, what in ((REDIS_URL, 6379, "Redis"), (MQTT_URL, 1883, "Mosquitto")):
        if not runner.reachable(url, default_port=port_default):
            say(f"{what} is not reachable at {url}.")
            return 1
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    database_url = runner.with_database(admin_url, DB_NAME)
    say(f"1. fresh PostgreSQL database {DB_NAME}; {venues} venues, devices and a year of history")
    runner.recreate_database(admin_url, DB_NAME)

    class _Data:
        @staticmethod
        def prepare(url):
            prepared = prepare(url, venues=venues)
            prepared["profile"] = profile_ingest(prepared) if _env("PROFILE", 1) else ""
            prepared["summary"] = summary_requests(prepared, summary_count)
            return prepared

    prepared = runner.migrate_and_prepare(_Data, database_url)
    say(
        f"   {prepared['venues']} venues loaded in {prepared['venues_load_s']}s; telemetry seed "
        f"{prepared['seed_s']}s: {prepared['rollup_rows']:,} rollup rows ({'; '.join(prepared['seed_log'])})"
    )
    say("2. profile (in-process):")
    for line in prepared["profile"].splitlines():
        say("   " + line)

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
    log_path = runner.LOG_DIR / "ingest-server.log"
    say(f"3. make serve on {base_url}: {workers} workers (log: var/bench/{log_path.name})")
    server = runner.start_server(port=port, env=env, log_path=log_path)
    try:
        try:
            runner.wait_until_answering(server, base_url + "/api/v1/regions", log_path)
        except RuntimeError as exc:
            say(f"make serve did not come up: {exc}")
            return 1
        # Signed now: a signature is good for TELEMETRY_SIGNATURE_MAX_SKEW_SECONDS.
        warm = http_requests(prepared, count=40, batch=50, tag="w")
        batches = http_requests(prepared, count=max(50, int(http_seconds * 60)), batch=http_batch, tag="h")
        asyncio.run(run_load(base_url, warm, total=len(warm), concurrency=4, duration_s=60))
        asyncio.run(run_load(base_url, prepared["summary"][:20], total=20, concurrency=2, duration_s=60))
        before = _count(database_url)
        say(f"   HTTP: batches of {http_batch}, {http_concurrency} in flight, {http_seconds:g}s")
        load_before = os.getloadavg()[0]
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        http = asyncio.run(
            run_load(
                base_url,
                batches,
                total=len(batches),
                concurrency=http_concurrency,
                duration_s=http_seconds,
            )
        )
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        stored = _count(database_url) - before
        http_figures = http.figures()
        say(f"4. data screen summary: {summary_count} requests, {summary_concurrency} in flight")
        summary = asyncio.run(
            run_load(
                base_url,
                prepared["summary"],
                total=len(prepared["summary"]),
                concurrency=summary_concurrency,
                duration_s=120,
            )
        )
    finally:
        say("   stop the server")
        runner.stop_server(server)
    summary_figures = summary.figures()
    summary_latency = latency_figures([s.latency_ms for s in summary.samples if s.ok])

    say("5. MQTT: mqtt_bridge process, publishers → Mosquitto → bridge → PostgreSQL")
    mqtt = mqtt_phase(
        prepared,
        database_url=database_url,
        env=env,
        say=say,
        log_path=runner.LOG_DIR / "ingest-bridge.log",
        root=runner.ROOT,
    )

    figures = {
        "scenario": NAME,
        "db": "postgresql",
        "server": f"gunicorn, {workers} workers (make serve)",
        "cpus": os.cpu_count(),
        "http_events_per_s": round(stored / http.elapsed_s) if http.elapsed_s else 0,
        "mqtt_events_per_s": mqtt["mqtt_events_per_s"],
        "summary_p95_ms": summary_latency["p95_ms"],
        "summary_p50_ms": summary_latency["p50_ms"],
        "summary_errors": summary_figures["errors"],
        "http_events_stored": stored,
        "http_batch": http_batch,
        "http_concurrency": http_concurrency,
        "http_requests": http_figures["requests"],
        "http_errors": http_figures["errors"],
        "http_p50_ms": http_figures["p50_ms"],
        "http_p95_ms": http_figures["p95_ms"],
        "http_seconds": http_figures["duration_s"],
        **{k: v for k, v in mqtt.items() if k != "mqtt_events_per_s"},
        "venues": prepared["venues"],
        "rollup_rows": prepared["rollup_rows"],
        "seed_s": prepared["seed_s"],
        "loadavg_before": round(load_before, 2),
        "loadgen_cpu_s": round(
            (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime), 2
        ),
    }
    if http_figures.get("error_kinds") or summary_figures.get("error_kinds"):
        say(f"errors: {http_figures.get('error_kinds')} {summary_figures.get('error_kinds')}")
    say("")
    say(
        f"HTTP {figures['http_events_per_s']:,} events/s ({stored:,} stored, "
        f"p95 {figures['http_p95_ms']} ms per batch); MQTT {figures['mqtt_events_per_s']:,} events/s "
        f"({mqtt['mqtt_events_stored']:,} of {mqtt['mqtt_events_sent']:,} in {mqtt['mqtt_seconds']}s); "
        f"summary p50 {figures['summary_p50_ms']} ms, p95 {figures['summary_p95_ms']} ms"
    )
    say(json.dumps(figures, ensure_ascii=False, separators=(",", ":")))
    return 0
