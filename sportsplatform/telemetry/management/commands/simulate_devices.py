"""manage.py simulate_devices: gates that behave like the real ones, so the demo and the data
screen are alive. Each venue's arrivals follow its type's daily curve inside its opening hours
(telemetry.traffic, the model the demo history was made with); people stay for the type's
typical time; at closing everybody leaves. Every gate signs with its own credential, over MQTT
(default when MQTT_URL is set) or HTTP, exactly as a device would.

    manage.py simulate_devices                          # every venue with gates, until Ctrl-C
    manage.py simulate_devices --transport http --url http://127.0.0.1:8000 --duration 600
    manage.py simulate_devices --region 510107 --rate 20 --tick 2   # 20× busier, a tick every 2 s
"""

from __future__ import annotations

import json
import random
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sportsplatform.telemetry.domain.auth import http_headers, identity_for, mqtt_payload
from sportsplatform.telemetry.models import GATE_KINDS, CredentialKind, DeviceCredential, DeviceStatus, VenueOccupancy
from sportsplatform.telemetry.mqtt import broker_address, topic_for
from sportsplatform.telemetry.traffic import arrivals_per_minute, leave_probability_per_minute, poisson


@dataclass
class SimGate:
    code: str
    key_id: str
    secret: bytes


@dataclass
class SimVenue:
    id: int
    type: str
    capacity: int | None
    weekly: dict[int, list]
    gates: list[SimGate] = field(default_factory=list)
    inside: int = 0


class Command(BaseCommand):
    help = "Simulate the venues' gates: realistic entries and exits per venue type, over MQTT or HTTP."

    def add_arguments(self, parser):
        parser.add_argument(
            "--transport", choices=["mqtt", "http"], help="Default: mqtt when MQTT_URL is set, else http."
        )
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Base URL of the site (HTTP).")
        parser.add_argument("--mqtt-url", help="Broker (default: MQTT_URL, else mqtt://127.0.0.1:1883).")
        parser.add_argument("--region", default="", help="Only venues of this division code (prefix rule).")
        parser.add_argument("--venues", type=int, default=0, help="At most this many venues (0: all).")
        parser.add_argument("--rate", type=float, default=1.0, help="Traffic multiplier (1 = realistic).")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between rounds of events.")
        parser.add_argument(
            "--duration", type=float, default=0, help="Stop after this many seconds (0: run until stopped)."
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed (repeatable runs).")

    def handle(self, *args, **options):
        transport = options["transport"] or ("mqtt" if settings.MQTT_URL else "http")
        venues = self.load_venues(region=options["region"], limit=options["venues"])
        if not venues:
            raise CommandError("No venue has gates with an active HMAC credential (run seed_demo, or add devices).")
        rng = random.Random(options["seed"])  # noqa: S311 - simulation, not secrets
        send = self.mqtt_sender(options["mqtt_url"]) if transport == "mqtt" else self.http_sender(options["url"])
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *a: stop.set())
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        self.stdout.write(f"simulating {len(venues)} venues over {transport}; Ctrl-C to stop")
        started = time.monotonic()
        totals = defaultdict(int)
        while not stop.is_set():
            tick_started = time.monotonic()
            messages = self.tick(venues, rng=rng, seconds=options["tick"], rate=options["rate"])
            sent = send(messages)
            totals["messages"] += len(messages)
            totals["events"] += sum(len(m[2]) for m in messages)
            totals["failed"] += len(messages) - sent
            if options["duration"] and time.monotonic() - started >= options["duration"]:
                break
            stop.wait(max(0.0, options["tick"] - (time.monotonic() - tick_started)))
        self.stdout.write(
            f"sent {totals['events']} events in {totals['messages']} messages ({totals['failed']} failed) "
            f"in {time.monotonic() - started:.0f}s"
        )

    # --- the venues ---------------------------------------------------------------------------

    def load_venues(self, *, region: str, limit: int) -> list[SimVenue]:
        from sportsplatform.regions.models import scope_prefix
        from sportsplatform.venues.models import OpeningHours

        credentials = (
            DeviceCredential.objects.filter(
                kind=CredentialKind.HMAC,
                revoked_at__isnull=True,
                device__kind__in=sorted(GATE_KINDS),
                device__venue__is_published=True,
            )
            .exclude(device__status=DeviceStatus.DISABLED)
            .select_related("device__venue")
            .order_by("device__venue_id", "device__code", "-created_at")
        )
        if region:
            credentials = credentials.filter(device__venue__region_id__startswith=scope_prefix(region))
        venues: dict[int, SimVenue] = {}
        seen_gates = set()
        for credential in credentials:
            device = credential.device
            if (device.venue_id, device.code) in seen_gates:
                continue  # the newest credential of each gate
            if device.venue_id not in venues:
                if limit and len(venues) >= limit:
                    break
                venue = device.venue
                venues[venue.pk] = SimVenue(venue.pk, venue.type, venue.capacity, defaultdict(list))
            identity = identity_for(credential.key_id)
            if identity is None:
                continue
            seen_gates.add((device.venue_id, device.code))
            venues[device.venue_id].gates.append(SimGate(device.code, credential.key_id, identity.secret))
        for hours in OpeningHours.objects.filter(venue_id__in=list(venues)):
            venues[hours.venue_id].weekly[hours.weekday].append((hours.opens, hours.closes))
        today = timezone.localdate()
        for row in VenueOccupancy.objects.filter(venue_id__in=list(venues), day=today):
            venues[row.venue_id].inside = row.current
        return [v for v in venues.values() if v.gates]

    def tick(self, venues: list[SimVenue], *, rng: random.Random, seconds: float, rate: float):
        """One round: (venue, gate, events) per gate with something to report."""
        now = timezone.localtime()
        hour = now.hour + now.minute / 60 + now.second / 3600
        minutes = seconds / 60
        messages = []
        for venue in venues:
            intervals = venue.weekly.get(now.weekday(), [])
            is_open = any(o <= now.time() < c for o, c in intervals)
            if is_open:
                mean_in = (
                    rate
                    * minutes
                    * arrivals_per_minute(
                        venue_type=venue.type,
                        capacity=venue.capacity,
                        intervals=intervals,
                        at_hour=hour,
                        day=now.date(),
                    )
                )
                entries = poisson(rng, mean_in)
                exits = min(
                    venue.inside, poisson(rng, venue.inside * leave_probability_per_minute(venue.type) * minutes)
                )
            else:
                entries, exits = 0, venue.inside  # closed: the last ones leave
            venue.inside += entries - exits
            per_gate: dict[str, list] = defaultdict(list)
            for direction, n in (("in", entries), ("out", exits)):
                while n > 0:
                    group = min(n, rng.choice((1, 1, 1, 2, 3)))
                    gate = rng.choice(venue.gates)
                    at = now - timedelta(seconds=rng.random() * seconds)
                    per_gate[gate.code].append(
                        {
                            "id": uuid.uuid4().hex,
                            "gate": gate.code,
                            "direction": direction,
                            "count": group,
                            "at": at.isoformat(),
                        }
                    )
                    n -= group
            for gate in venue.gates:
                if per_gate.get(gate.code):
                    messages.append((venue, gate, per_gate[gate.code]))
        return messages

    # --- transports -------------------------------------------------------------------------------

    def http_sender(self, base_url: str):
        path = "/api/v1/telemetry/gates"
        pool = ThreadPoolExecutor(max_workers=8)

        def post(message) -> bool:
            _venue, gate, events = message
            body = json.dumps({"events": events}).encode()
            headers = {
                "Content-Type": "application/json",
                **http_headers(key_id=gate.key_id, secret=gate.secret, body=body, path=path),
            }
            request = urllib.request.Request(base_url.rstrip("/") + path, data=body, headers=headers, method="POST")  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the operator's own URL
                    return response.status == 202
            except (urllib.error.URLError, TimeoutError) as exc:
                self.stderr.write(f"HTTP {gate.key_id}: {exc}")
                return False

        def send(messages) -> int:
            return sum(pool.map(post, messages))

        return send

    def mqtt_sender(self, url: str | None):
        import paho.mqtt.client as mqtt

        address = broker_address(url)
        client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id=f"simulator-{uuid.uuid4().hex[:8]}"
        )
        if address.username:
            client.username_pw_set(address.username, address.password)
        client.max_inflight_messages_set(1000)
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        client.connect_async(address.host, address.port, keepalive=30)
        client.loop_start()
        prefix = settings.MQTT_TOPIC_PREFIX

        def send(messages) -> int:
            sent = 0
            for venue, gate, events in messages:
                topic = topic_for(venue.id, gate.code, prefix)
                body = json.dumps({"events": events}).encode()
                info = client.publish(
                    topic, mqtt_payload(key_id=gate.key_id, secret=gate.secret, topic=topic, body=body), qos=1
                )
                sent += info.rc == mqtt.MQTT_ERR_SUCCESS
            return sent

        return send
