"""`python -m benchmarks <scenario>` (`make bench SCENARIO=<scenario>`):

1. drop and create the PostgreSQL database bench_<scenario> (127.0.0.1:5432 by default);
2. migrate it and load the scenario's data (`scenario.prepare(database_url)`, in this process);
3. start `make serve` (gunicorn, 2 workers, production settings) on a free loopback port, in its
   own process group, with the API throttles lifted so they do not cap the figures;
4. warm up, then drive it with the asyncio load generator (benchmarks/loadgen.py), bounded by a
   request count and a time limit;
5. stop the server (the whole process group);
6. print a readable summary and, as the very last line, one JSON object with the figures.

Settings come from the command line or the environment: REQUESTS, CONCURRENCY, DURATION
(seconds), BENCH_ADMIN_URL (a PostgreSQL URL to create databases with), BENCH_PORT.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import scenarios
from .loadgen import run_load

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "bench"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
SERVER_START_TIMEOUT_S = 180
# Far above anything a loopback run reaches: the benchmark measures the server, not the throttle.
UNTHROTTLED = "100000000/min"


def say(message: str) -> None:
    print(message, flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", help="scenario name: " + ", ".join(scenarios.available()))
    parser.add_argument("--requests", type=int, default=None, help="stop after this many requests (env REQUESTS)")
    parser.add_argument("--concurrency", type=int, default=None, help="requests in flight (env CONCURRENCY)")
    parser.add_argument("--duration", type=float, default=None, help="stop after this many seconds (env DURATION)")
    parser.add_argument("--port", type=int, default=None, help="server port (env BENCH_PORT; default: a free one)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    return parser.parse_args(argv)


def setting(cli_value, env_name: str, default, cast):
    if cli_value is not None:
        return cast(cli_value)
    if os.environ.get(env_name):
        return cast(os.environ[env_name])
    return cast(default)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reachable(url: str, default_port: int = 5432) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or default_port), timeout=2).close()
    except OSError:
        return False
    return True


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def recreate_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate_and_prepare(scenario, database_url: str):
    """Migrate the fresh database and load the scenario's data, with Django in this process."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    say(f"   migrated in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    prepared = scenario.prepare(database_url)
    say(f"   scenario data loaded in {time.perf_counter() - started:.1f}s")
    connections.close_all()
    return prepared


def start_server(*, port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    # Its own session (process group), so stopping it stops make, gunicorn and its workers.
    # `-o`: do not re-run `make install` here (`make bench` has just done it; reinstalling
    # node_modules under a running test suite would pull static/vendor from under it).
    return subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".make-python", "-o", ".make-npm", "serve", f"PORT={port}", "WORKERS=2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_answering(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server did not answer {url} within {SERVER_START_TIMEOUT_S}s:\n{tail(log_path)}")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def print_summary(figures: dict) -> None:
    say("")
    say(
        f"{figures['requests']} requests in {figures['duration_s']:.1f}s with {figures['concurrency']} in flight "
        f"(stopped by {figures['stopped_by']}): {figures['requests_per_s']} requests/s, {figures['errors']} errors"
    )
    say(
        f"latency ms: p50 {figures['p50_ms']}  p95 {figures['p95_ms']}  p99 {figures['p99_ms']}  "
        f"max {figures['max_ms']}"
    )
    width = max((len(label) for label in figures["endpoints"]), default=10)
    say(f"{'endpoint':<{width}}  {'requests':>8}  {'errors':>6}  {'p50':>8}  {'p95':>8}  {'p99':>8}")
    for label, row in figures["endpoints"].items():
        say(
            f"{label:<{width}}  {row['requests']:>8}  {row['errors']:>6}  {row['p50_ms']:>8}  "
            f"{row['p95_ms']:>8}  {row['p99_ms']:>8}"
        )
    if figures.get("error_kinds"):
        say(f"errors: {figures['error_kinds']}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.list or not args.scenario:
        say("scenarios:")
        for name in scenarios.available():
            say(f"  {name:<12} {scenarios.load(name).DESCRIPTION}")
        say("usage: make bench SCENARIO=<name>  (or python -m benchmarks <name> [--requests N ...])")
        return 0 if args.list else 2
    scenario = scenarios.load(args.scenario)
    if hasattr(scenario, "main"):
        # A scenario with its own database choice and figures (booking-rush), using these helpers.
        return scenario.main(args)
    defaults = getattr(scenario, "DEFAULTS", {})
    total = setting(args.requests, "REQUESTS", defaults.get("requests", 5000), int)
    concurrency = setting(args.concurrency, "CONCURRENCY", defaults.get("concurrency", 16), int)
    duration = setting(args.duration, "DURATION", defaults.get("duration", 60), float)
    port = setting(args.port, "BENCH_PORT", 0, int) or free_port()
    admin_url = os.environ.get("BENCH_ADMIN_URL", DEFAULT_ADMIN_URL)
    db_name = f"bench_{scenario.NAME}"
    database_url = with_database(admin_url, db_name)

    say(f"== benchmark {scenario.NAME}: {scenario.DESCRIPTION}")
    say(f"1. fresh database {db_name} on {urlsplit(admin_url).hostname}:{urlsplit(admin_url).port or 5432}")
    if not reachable(admin_url):
        say(f"PostgreSQL is not reachable at {admin_url}; the benchmarks run on PostgreSQL (set BENCH_ADMIN_URL).")
        return 1
    recreate_database(admin_url, db_name)
    say("2. migrate and load the scenario's data")
    prepared = migrate_and_prepare(scenario, database_url)

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "API_THROTTLE_ANON": UNTHROTTLED,
        "API_THROTTLE_USER": UNTHROTTLED,
        "LOG_LEVEL": "WARNING",
        **getattr(scenario, "SERVER_ENV", {}),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # make serve runs config.settings.production
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    if "REDIS_URL" not in env and reachable(redis_url):
        env["REDIS_URL"] = redis_url
    base_url = f"http://127.0.0.1:{port}"
    log_path = LOG_DIR / f"{scenario.NAME}-server.log"
    say(f"3. make serve on {base_url} (log: {log_path.relative_to(ROOT)}; cache: {env.get('REDIS_URL') or 'local'})")
    server = start_server(port=port, env=env, log_path=log_path)
    try:
        try:
            wait_until_answering(server, base_url + getattr(scenario, "READY_PATH", "/"), log_path)
        except RuntimeError as exc:
            say(f"make serve did not come up: {exc}")
            return 1
        warmup = list(scenario.warmup(prepared)) if hasattr(scenario, "warmup") else []
        if warmup:
            say(f"   warm-up: {len(warmup)} requests (not counted)")
            asyncio.run(run_load(base_url, warmup, total=len(warmup), concurrency=min(concurrency, 4), duration_s=60))
        say(f"4. load: up to {total} requests, {concurrency} in flight, at most {duration:g}s")
        stream = scenario.requests(prepared)
        if isinstance(stream, list | tuple):
            stream = itertools.cycle(stream)
        load_before = os.getloadavg()[0]
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        result = asyncio.run(run_load(base_url, stream, total=total, concurrency=concurrency, duration_s=duration))
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        say("5. stop the server")
        stop_server(server)

    figures = {
        "scenario": scenario.NAME,
        "db": "postgresql",
        "server": "gunicorn, 2 workers (make serve)",
        "cpus": os.cpu_count(),
        **result.figures(),
        # The load generator shares the machine's cores with the server: its CPU time is what
        # the server did not get (compare with duration_s × cpus).
        # Other work on the machine skews everything: the 1-minute load average before the run
        # (from the server's own warm-up too) should be well under `cpus` for figures to compare.
        "loadavg_before": round(load_before, 2),
        "loadgen_cpu_s": round(
            (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime), 2
        ),
    }
    if hasattr(scenario, "figures"):
        figures.update(scenario.figures(result, prepared))
    print_summary(figures)
    say(json.dumps(figures, ensure_ascii=False, separators=(",", ":")))
    return 0
