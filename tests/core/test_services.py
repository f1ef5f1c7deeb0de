"""The service probes against the real Redis and Mosquitto (required under CI)."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from sportsplatform.core import services


def test_check_database_reports_vendor(db):
    assert services.check_database() in {"sqlite", "postgresql"}


@pytest.mark.redis
def test_check_cache_roundtrips_through_real_redis(redis_url):
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    # override_settings resets the cache handlers (django.test.signals.clear_cache_handlers).
    with override_settings(CACHES=redis_cache):
        assert services.check_cache() == "RedisCache"
        assert caches["default"].get("health:probe") == "1"


@pytest.mark.mqtt
def test_check_mqtt_gets_connack_from_real_broker(mqtt_url):
    assert services.check_mqtt(mqtt_url).endswith(":1883")


def test_check_mqtt_fails_when_no_broker_listens():
    with pytest.raises(OSError):
        services.check_mqtt("mqtt://127.0.0.1:1", timeout=1)


def test_check_all_flags_unreachable_mqtt_as_degraded(db, settings):
    settings.MQTT_URL = "mqtt://127.0.0.1:1"
    statuses = {s.name: s for s in services.check_all()}
    assert statuses["database"].ok
    assert statuses["mqtt"].ok is False
    assert "ConnectionRefused" in statuses["mqtt"].detail


def test_health_endpoint_is_503_when_a_service_is_down(client, db, settings):
    settings.MQTT_URL = "mqtt://127.0.0.1:1"
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["mqtt"]["ok"] is False
    assert "detail" not in body["checks"]["mqtt"]  # anonymous callers learn up/down only


def test_health_endpoint_is_ok_with_embedded_defaults(client, db, settings):
    settings.MQTT_URL = ""
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
