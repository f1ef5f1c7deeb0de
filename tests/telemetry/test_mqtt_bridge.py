"""The MQTT bridge against the real Mosquitto on 127.0.0.1:1883: signed gate events published to
venues/<venue>/gates/<gate>/events change the venue's occupancy; a malformed message and a
message for another venue are refused and counted; the bridge carries on after the broker is
restarted (the test stops and starts the real Mosquitto, and always starts it again).

All in the xdist group "mosquitto", so no other test uses the broker while it is down."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
import pytest
from django.db import connection

from sportsplatform.telemetry.domain.auth import mqtt_payload
from sportsplatform.telemetry.models import RejectionCount, VenueOccupancy
from sportsplatform.telemetry.mqtt import MqttBridge, topic_for

from .conftest import event, make_gate

pytestmark = [pytest.mark.mqtt, pytest.mark.xdist_group("mosquitto"), pytest.mark.django_db(transaction=True)]

MOSQUITTO_CONF = "/etc/mosquitto/mosquitto.conf"
PID_FILE = "/run/mosquitto/mosquitto.pid"


def wait_for(check, timeout: float = 15.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    return check()


def port_open(url: str) -> bool:
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 1883), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture
def bridge(mqtt_url):
    bridge = MqttBridge(
        url=mqtt_url, client_id=f"test-bridge-{uuid.uuid4().hex[:8]}", flush_seconds=0.1, clean_session=True
    )
    stop = threading.Event()

    def run():
        try:
            bridge.run(stop=stop)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert bridge.connected.wait(10), "the bridge did not connect to the broker"
    yield bridge
    stop.set()
    thread.join(15)
    assert not thread.is_alive()


@pytest.fixture
def publisher(mqtt_url):
    parsed = urlparse(mqtt_url)
    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:8]}"
    )
    client.reconnect_delay_set(min_delay=1, max_delay=2)
    client.connect(parsed.hostname, parsed.port or 1883)
    client.loop_start()
    yield client
    client.disconnect()
    client.loop_stop()


def publish(client, topic: str, payload: bytes) -> None:
    info = client.publish(topic, payload, qos=1)
    info.wait_for_publish(timeout=10)


def signed(gate, events, *, venue_id=None, code=None) -> tuple[str, bytes]:
    topic = topic_for(venue_id or gate.venue.pk, code or gate.device.code)
    body = json.dumps({"events": events}).encode()
    return topic, mqtt_payload(key_id=gate.key_id, secret=gate.secret, topic=topic, body=body)


def current(venue) -> int | None:
    row = VenueOccupancy.objects.filter(venue=venue).first()
    return row.current if row else None


def rejected(reason: str) -> int:
    return sum(RejectionCount.objects.filter(channel="mqtt", reason=reason).values_list("count", flat=True))


def test_bridge_turns_published_events_into_occupancy(bridge, publisher):
    gate = make_gate()

    publish(publisher, *signed(gate, [event("in", count=4), event("out")]))

    assert wait_for(lambda: current(gate.venue) == 3), f"occupancy is {current(gate.venue)}"
    assert bridge.stats.accepted == 2


def test_bridge_rejects_and_counts_malformed_and_foreign_messages(bridge, publisher):
    gate, other = make_gate(), make_gate()
    topic = topic_for(gate.venue.pk, "G1")

    publish(publisher, topic, b"\x00\xffnot a signed message")
    publish(publisher, topic, mqtt_payload(key_id=gate.key_id, secret=gate.secret, topic=topic, body=b"{broken json"))
    # Signed by this venue's gate, published on the other venue's gate topic.
    publish(publisher, *signed(gate, [event("in", count=9)], venue_id=other.venue.pk))
    # Signed for one topic, replayed on another.
    _topic, payload = signed(gate, [event("in", count=5)])
    publish(publisher, topic_for(gate.venue.pk, "G9"), payload)
    publish(publisher, *signed(gate, [event("in", count=2)]))  # and a good one after them

    assert wait_for(lambda: current(gate.venue) == 2)
    assert wait_for(lambda: rejected("missing_signature") == 1)
    assert wait_for(lambda: rejected("bad_json") == 1)
    assert wait_for(lambda: rejected("wrong_venue") == 1)
    assert wait_for(lambda: rejected("bad_signature") == 1)
    assert current(other.venue) is None
    assert bridge.stats.rejected_messages == 4


def _mosquitto_pid() -> int | None:
    try:
        with open(PID_FILE) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        found = subprocess.run(["pgrep", "-x", "mosquitto"], capture_output=True, text=True).stdout.split()
        return int(found[0]) if found else None


def _start_mosquitto(mqtt_url: str) -> None:
    if not port_open(mqtt_url):
        subprocess.run(["mosquitto", "-d", "-c", MOSQUITTO_CONF], check=False)
    assert wait_for(lambda: port_open(mqtt_url), timeout=15), "Mosquitto did not come back"


def test_bridge_survives_a_broker_restart(bridge, publisher, mqtt_url):
    gate = make_gate()
    publish(publisher, *signed(gate, [event("in", count=1, id="before")]))
    assert wait_for(lambda: current(gate.venue) == 1)

    pid = _mosquitto_pid()
    assert pid, "Mosquitto's pid not found"
    try:
        os.kill(pid, signal.SIGTERM)
        assert wait_for(lambda: not port_open(mqtt_url), timeout=10)
        assert wait_for(lambda: not bridge.connected.is_set(), timeout=10)
    finally:
        _start_mosquitto(mqtt_url)

    assert bridge.connected.wait(40), "the bridge did not reconnect"
    assert wait_for(lambda: publisher.is_connected(), timeout=20)
    publish(publisher, *signed(gate, [event("in", count=2, id="after")]))
    assert wait_for(lambda: current(gate.venue) == 3), f"occupancy is {current(gate.venue)}"
    assert bridge.stats.connects >= 2
