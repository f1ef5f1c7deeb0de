"""`manage.py mqtt_broker_files` against a real Mosquitto of its own (port 18830): a device's MQTT
password logs in, a wrong one is refused, and the ACL lets a device publish only to its own
venue's gate topics."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.core.management import call_command

from sportsplatform.telemetry.domain.devices import issue_credential, revoke_credential
from sportsplatform.telemetry.domain.secrets import check_mosquitto_password, mosquitto_password_hash
from sportsplatform.telemetry.models import CredentialKind

from .conftest import make_gate

PORT = 18830
pytestmark = [pytest.mark.mqtt, pytest.mark.django_db]


def test_password_hash_round_trip():
    encoded = mosquitto_password_hash("s3cret")
    assert encoded.startswith("$7$101$")
    assert check_mosquitto_password("s3cret", encoded)
    assert not check_mosquitto_password("other", encoded)


def _wait_port(open_: bool, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=0.3).close()
            if open_:
                return True
        except OSError:
            if not open_:
                return True
        time.sleep(0.1)
    return False


@pytest.fixture
def broker(tmp_path, db):
    if not shutil.which("mosquitto"):
        pytest.fail("mosquitto is not installed")
    gate, other = make_gate(), make_gate()
    issued = issue_credential(device=gate.device, kind=CredentialKind.MQTT_PASSWORD, actor=None)
    revoked = issue_credential(device=gate.device, kind=CredentialKind.MQTT_PASSWORD, actor=None)
    revoke_credential(credential=revoked.credential, actor=None)
    passwords, acl = tmp_path / "passwd", tmp_path / "acl"
    out = io.StringIO()
    call_command("mqtt_broker_files", password_file=str(passwords), acl_file=str(acl), bridge_user="bridge", stdout=out)
    assert out.getvalue().startswith("1 device users")
    with passwords.open("a") as f:
        f.write(f"bridge:{mosquitto_password_hash('bridge-pass')}\n")
    conf = tmp_path / "mosquitto.conf"
    # As root Mosquitto would switch to its own user, which cannot read pytest's private tmp_path.
    stay = "user root\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"listener {PORT} 127.0.0.1\nallow_anonymous false\npassword_file {passwords}\nacl_file {acl}\n"
        f"persistence false\nlog_dest stderr\n{stay}"
    )
    process = subprocess.Popen(["mosquitto", "-c", str(conf)])
    try:
        assert _wait_port(True), "the test broker did not start"
        yield gate, other, issued, revoked
    finally:
        process.terminate()
        process.wait(10)


def _connect(username: str, password: str):
    client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id=f"t-{uuid.uuid4().hex[:8]}")
    client.username_pw_set(username, password)
    result = {}
    connected = threading.Event()

    def on_connect(client, userdata, flags, reason_code, properties):
        result["rc"] = reason_code
        connected.set()

    client.on_connect = on_connect
    client.connect("127.0.0.1", PORT)
    client.loop_start()
    connected.wait(5)
    return client, result.get("rc")


def test_device_passwords_and_topics_are_enforced_by_the_broker(broker):
    gate, other, issued, revoked = broker
    device, rc = _connect(issued.key_id, issued.secret)
    assert not rc.is_failure
    for username, password in ((issued.key_id, "wrong"), (revoked.key_id, revoked.secret)):
        client, refused = _connect(username, password)
        assert refused is not None and refused.is_failure
        client.loop_stop()

    bridge, rc = _connect("bridge", "bridge-pass")
    assert not rc.is_failure
    received = []
    bridge.on_message = lambda client, userdata, message: received.append(message.topic)
    bridge.subscribe("venues/+/gates/+/events", qos=1)
    time.sleep(0.5)
    own = f"venues/{gate.venue.pk}/gates/G1/events"
    foreign = f"venues/{other.venue.pk}/gates/G1/events"
    device.publish(foreign, b"x", qos=1).wait_for_publish(5)
    device.publish(own, b"x", qos=1).wait_for_publish(5)
    deadline = time.monotonic() + 5
    while own not in received and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert received == [own]
    for client in (device, bridge):
        client.disconnect()
        client.loop_stop()
