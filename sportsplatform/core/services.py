"""Reachability of the services the platform runs on, for the readiness probe behind the load
balancer (/api/v1/health) and `manage.py check_services`."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from django.conf import settings
from django.core.cache import cache
from django.db import connection


@dataclass
class ServiceStatus:
    name: str
    ok: bool
    detail: str = ""
    ms: float = 0.0


def _timed(name, fn) -> ServiceStatus:
    started = time.perf_counter()
    try:
        detail = fn() or ""
        ok = True
    except Exception as exc:
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return ServiceStatus(name, ok, detail, round((time.perf_counter() - started) * 1000, 1))


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache() -> str:
    key = "health:probe"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_mqtt(url: str | None = None, timeout: float = 3.0) -> str:
    """Connects to the broker and waits for CONNACK (a TCP connect alone proves too little)."""
    import paho.mqtt.client as mqtt

    parsed = urlparse(url or settings.MQTT_URL)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"health-{time.monotonic_ns()}")
    if parsed.username:
        client.username_pw_set(parsed.username, parsed.password)
    if parsed.scheme == "mqtts":
        client.tls_set()
    client.connect(parsed.hostname, parsed.port or 1883, keepalive=10)
    client.loop_start()
    try:
        deadline = time.monotonic() + timeout
        while not client.is_connected():
            if time.monotonic() > deadline:
                raise TimeoutError("no CONNACK from broker")
            time.sleep(0.02)
    finally:
        client.disconnect()
        client.loop_stop()
    return f"{parsed.hostname}:{parsed.port or 1883}"


def check_tcp(url: str, timeout: float = 2.0) -> str:
    parsed = urlparse(url)
    socket.create_connection((parsed.hostname, parsed.port), timeout=timeout).close()
    return f"{parsed.hostname}:{parsed.port}"


def check_all() -> list[ServiceStatus]:
    statuses = [_timed("database", check_database), _timed("cache", check_cache)]
    if settings.MQTT_URL:
        statuses.append(_timed("mqtt", check_mqtt))
    broker = settings.CELERY_BROKER_URL
    if broker and not broker.startswith("memory://") and not settings.CELERY_TASK_ALWAYS_EAGER:
        statuses.append(_timed("task_broker", lambda: check_tcp(broker)))
    return statuses
