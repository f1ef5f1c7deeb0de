"""Shared fixtures. Real PostgreSQL, Redis and Mosquitto where the code uses them: under CI=true a
missing service fails the run; on a developer's bare machine those tests are skipped."""

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


def require_service(name: str) -> str:
    url = SERVICE_URLS[name]
    if _reachable(url):
        return url
    if CI:
        pytest.fail(f"{name} is not reachable at {url}; CI must run these tests.")
    pytest.skip(f"{name} not reachable at {url} (runs in CI)")


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
    return require_service("redis")


@pytest.fixture
def mqtt_url():
    return require_service("mqtt")
