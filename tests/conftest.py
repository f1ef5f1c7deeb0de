"""Shared fixtures. Real PostgreSQL, Redis, Mosquitto and Chromium where the code uses them: under
CI=true a missing service fails the run; on a developer's bare machine the tests that need it are
deselected and named in the summary."""

import os
import socket
from urllib.parse import urlparse

import pytest

# Browser fixtures (Playwright driving Debian's Chromium) for every test directory.
pytest_plugins = ["tests.support.browser"]

CI = bool(os.environ.get("CI"))

SERVICE_URLS = {
    "postgres": os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/test"),
    "redis": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
    "mqtt": os.environ.get("TEST_MQTT_URL", "mqtt://127.0.0.1:1883"),
}


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port), timeout=2).close()
    except OSError:
        return False
    return True


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _missing_services() -> dict[str, str]:
    """Marker → what is missing, for the services this machine does not offer."""
    missing = {}
    for service in ("redis", "mqtt"):
        if not _reachable(SERVICE_URLS[service]):
            missing[service] = f"{service} at {SERVICE_URLS[service]}"
    if not os.path.exists(CHROMIUM):
        missing["browser"] = f"Chromium at {CHROMIUM} (`make browser`)"
    return missing


def pytest_collection_modifyitems(config, items):
    """Tests marked redis / mqtt / browser need that service. Under CI a missing service ends the
    run with an error; on a developer's bare machine those tests are deselected and named in the
    summary, never reported as passed."""
    missing = _missing_services()
    if not missing:
        return
    if CI:
        raise pytest.UsageError("CI must run every test, but these are missing: " + "; ".join(missing.values()))
    kept, dropped = [], []
    for item in items:
        (dropped if any(item.get_closest_marker(m) for m in missing) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
        config.stash[_NOT_RUN_HERE] = (len(dropped), sorted(missing.values()))


_NOT_RUN_HERE = pytest.StashKey[tuple]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    not_run = config.stash.get(_NOT_RUN_HERE, None)
    if not_run:
        count, services = not_run
        terminalreporter.write_line(
            f"NOT RUN HERE: {count} tests need " + "; ".join(services) + " (CI runs them).", yellow=True
        )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: public API answers are cached server-side, and a
    previous test's answer for the same URL must not stand in for this test's data."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def redis_url():
    """Tests using it are marked `redis`: collection deselects them where Redis is missing."""
    return SERVICE_URLS["redis"]


@pytest.fixture
def mqtt_url():
    """Tests using it are marked `mqtt`: collection deselects them where the broker is missing."""
    return SERVICE_URLS["mqtt"]
