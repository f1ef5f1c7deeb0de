"""The MQTT bridge (`manage.py mqtt_bridge`): devices publish signed gate events to
`venues/<venue id>/gates/<gate code>/events`; the bridge checks each message like the HTTP
endpoint does and hands them, many messages at a time, to telemetry.domain.ingest.

Threads: paho's network thread receives and only queues (so keep-alives never wait for the
database); the bridge's loop takes what is queued every MQTT_BRIDGE_FLUSH_SECONDS (or
MQTT_BRIDGE_FLUSH_EVENTS events) and checks signatures and topics; MQTT_BRIDGE_WRITERS writer
threads (2), each with its own database connection, hand such flushes to telemetry.domain.ingest,
one transaction per flush, while the loop prepares the next. Concurrent flushes are safe: the
domain locks a venue's occupancy row first and everything in sorted order; writers of the same
venue queue, different venues never wait for each other.

It never stops on bad input: a message that fails verification or parsing is counted with its
reason (RejectionCount, channel mqtt) and logged; a database outage keeps the batch and retries.
paho reconnects by itself when the broker goes away (1 s to 30 s back-off) and the bridge
subscribes again on every connect. Subscriptions are QoS 1 with a persistent session, so the
broker keeps messages for the bridge while it reconnects."""

from __future__ import annotations

import logging
import os
import queue
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError, InterfaceError, OperationalError

from .domain.auth import DeviceRejected, verify_mqtt
from .domain.ingest import DeviceBatch, ingest_gate_events, parse_events
from .domain.rejections import Rejected, record_rejections
from .models import RejectionChannel

logger = logging.getLogger("sportsplatform.telemetry.mqtt")
CHANNEL = RejectionChannel.MQTT


def topic_filter(prefix: str = "") -> str:
    return f"{prefix}venues/+/gates/+/events"


def topic_for(venue_id: int, gate: str, prefix: str = "") -> str:
    return f"{prefix}venues/{venue_id}/gates/{gate}/events"


def topic_pattern(prefix: str = "") -> re.Pattern:
    return re.compile(rf"^{re.escape(prefix)}venues/(\d{{1,12}})/gates/([^/]{{1,32}})/events$")


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool


def broker_address(url: str | None = None) -> BrokerAddress:
    parsed = urlparse(url or settings.MQTT_URL or "mqtt://127.0.0.1:1883")
    tls = parsed.scheme in ("mqtts", "ssl")
    return BrokerAddress(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or (8883 if tls else 1883),
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        tls=tls,
    )


@dataclass
class BridgeStats:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected_messages: int = 0
    rejected_events: int = 0
    flushes: int = 0
    connects: int = 0
    reasons: Counter = field(default_factory=Counter)


class MqttBridge:
    def __init__(
        self,
        *,
        url: str | None = None,
        client_id: str | None = None,
        prefix: str | None = None,
        flush_seconds: float | None = None,
        flush_events: int | None = None,
        queue_size: int | None = None,
        clean_session: bool = False,
        writers: int | None = None,
    ):
        import paho.mqtt.client as mqtt

        self.address = broker_address(url)
        self.prefix = settings.MQTT_TOPIC_PREFIX if prefix is None else prefix
        self.pattern = topic_pattern(self.prefix)
        self.flush_seconds = settings.MQTT_BRIDGE_FLUSH_SECONDS if flush_seconds is None else flush_seconds
        self.flush_events = settings.MQTT_BRIDGE_FLUSH_EVENTS if flush_events is None else flush_events
        self.queue: queue.Queue = queue.Queue(maxsize=queue_size or settings.MQTT_BRIDGE_QUEUE_MESSAGES)
        self.writers = max(1, writers or settings.MQTT_BRIDGE_WRITERS)
        # Checked flushes waiting for a writer: at most two per writer, then the loop waits too.
        self.prepared: queue.Queue = queue.Queue(maxsize=2 * self.writers)
        self.stats_lock = threading.Lock()
        self.stats = BridgeStats()
        self.connected = threading.Event()
        self.stop_requested = threading.Event()
        client_id = client_id or settings.MQTT_CLIENT_ID or f"sportsplatform-bridge-{socket.gethostname()}"
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=clean_session,
            protocol=mqtt.MQTTv311,
        )
        if self.address.username:
            self.client.username_pw_set(self.address.username, self.address.password)
        if self.address.tls:
            self.client.tls_set()
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    # --- paho's thread: receive and queue, nothing else ------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            logger.warning("mqtt bridge: broker refused the connection: %s", reason_code)
            return
        # "Connected" only once the broker has acknowledged the subscription (on_subscribe): a
        # device publishing between CONNACK and SUBACK would otherwise go unheard with no sign.
        client.subscribe(topic_filter(self.prefix), qos=1)
        self.stats.connects += 1
        logger.info("mqtt bridge: connected to %s:%s, subscribing", self.address.host, self.address.port)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        if any(code.is_failure for code in reason_codes):
            logger.warning("mqtt bridge: broker refused the subscription: %s", reason_codes)
            return
        self.connected.set()
        logger.info("mqtt bridge: subscribed to %s", topic_filter(self.prefix))

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        if not self.stop_requested.is_set():
            logger.warning("mqtt bridge: disconnected (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message):
        try:
            self.queue.put((message.topic, message.payload), timeout=5)
        except queue.Full:
            # The database is far behind: refuse rather than grow without bound.
            self._count_whole([Rejected(reason="overloaded", detail="bridge queue full")], log_only=True)

    # --- the bridge's loop -------------------------------------------------------------------

    def start(self) -> None:
        self.client.connect_async(self.address.host, self.address.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.stop_requested.set()

    def run(self, *, stop: threading.Event | None = None) -> BridgeStats:
        """Connect and bridge until `stop` (or self.stop()) is set; writes what is queued last.

        Two stages: this thread checks signatures and parses the next messages while the writer
        thread stores the previous ones (it waits on the database most of the time, so the two
        overlap). At most two prepared flushes wait for the writer; then this thread waits too."""
        stop = stop or self.stop_requested
        writers = [
            threading.Thread(target=self._writer, name=f"mqtt-bridge-writer-{n}", daemon=True)
            for n in range(self.writers)
        ]
        for writer in writers:
            writer.start()
        self.start()
        last_report = time.monotonic()
        try:
            while not (stop.is_set() or self.stop_requested.is_set()):
                self.flush_once()
                if time.monotonic() - last_report >= 60:
                    last_report = time.monotonic()
                    self.report()
            self.flush_once(wait=False)
        finally:
            self.client.disconnect()
            self.client.loop_stop()
            for _writer in writers:
                self.prepared.put(None)
            for writer in writers:
                writer.join()
            connection.close()
        return self.stats

    def _writer(self) -> None:
        try:
            while (item := self.prepared.get()) is not None:
                batches, refused = item
                self._write(batches)
                self._count_whole(refused)
                with self.stats_lock:
                    self.stats.flushes += 1
                self.prepared.task_done()
        finally:
            connection.close()

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until the writer has stored everything prepared so far (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self.prepared.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    def _take(self, wait: bool) -> list[tuple[str, bytes]]:
        """Queued messages: up to flush_events worth, waiting at most flush_seconds."""
        taken: list[tuple[str, bytes]] = []
        deadline = time.monotonic() + (self.flush_seconds if wait else 0)
        weight = 0
        while weight < self.flush_events:
            remaining = deadline - time.monotonic()
            try:
                item = self.queue.get(timeout=remaining) if remaining > 0 else self.queue.get_nowait()
            except queue.Empty:
                break
            taken.append(item)
            # A message's size stands in for its number of events (about 80 bytes each).
            weight += max(1, len(item[1]) // 80)
        return taken

    def flush_once(self, *, wait: bool = True) -> int:
        messages = self._take(wait)
        if not messages:
            return 0
        prepared = self._prepare(messages)
        self.stats.messages += len(messages)
        self.prepared.put(prepared)
        return len(messages)

    def _prepare(self, messages) -> tuple[list[DeviceBatch], list[Rejected]]:
        batches: list[DeviceBatch] = []
        refused: list[Rejected] = []
        for topic, payload in messages:
            try:
                match = self.pattern.match(topic)
                if match is None:
                    raise DeviceRejected("bad_topic", topic[:120])
                identity, body = verify_mqtt(topic=topic, payload=payload)
                try:
                    events = parse_events(body)
                except DeviceRejected as exc:
                    exc.key_id, exc.venue_id = identity.key_id, identity.venue_id
                    raise
                topic_venue = int(match.group(1))
                if topic_venue != identity.venue_id:
                    raise DeviceRejected(
                        "wrong_venue",
                        f"topic venue {topic_venue} is not the device's venue",
                        key_id=identity.key_id,
                        venue_id=identity.venue_id,
                    )
                batches.append(DeviceBatch(identity, events, topic_venue_id=topic_venue, topic_gate=match.group(2)))
            except DeviceRejected as exc:
                refused.append(Rejected(reason=exc.reason, detail=exc.detail, key_id=exc.key_id, venue_id=exc.venue_id))
            except Exception as exc:  # a bug must cost one message, never the bridge
                logger.exception("mqtt bridge: could not read a message on %s", topic[:120])
                refused.append(Rejected(reason="internal_error", detail=repr(exc)[:200]))
        return batches, refused

    def _write(self, batches: list[DeviceBatch]) -> None:
        if not batches:
            return
        delay = 1.0
        while True:
            try:
                results = ingest_gate_events(batches=batches, channel=CHANNEL)
                break
            except (OperationalError, InterfaceError) as exc:
                # The database is away: keep the batch, reconnect, try again (the broker keeps
                # queueing meanwhile). Stopping still flushes nothing more.
                logger.warning("mqtt bridge: database unavailable (%s); retrying in %.0fs", exc, delay)
                connection.close()
                if self.stop_requested.wait(delay):
                    return
                delay = min(delay * 2, 30.0)
            except DatabaseError:
                logger.exception("mqtt bridge: a batch of %d messages could not be written", len(batches))
                connection.close()
                self._count_whole(
                    [
                        Rejected(reason="write_failed", key_id=b.identity.key_id, venue_id=b.identity.venue_id)
                        for b in batches
                    ]
                )
                return
        with self.stats_lock:
            for result in results:
                self.stats.accepted += result.accepted
                self.stats.duplicates += result.duplicates
                self.stats.rejected_events += len(result.rejected)
                self.stats.reasons.update(r.reason for r in result.rejected)

    def _count_whole(self, refused: list[Rejected], *, log_only: bool = False) -> None:
        if not refused:
            return
        with self.stats_lock:
            self.stats.rejected_messages += len(refused)
            self.stats.reasons.update(r.reason for r in refused)
        if log_only:
            logger.warning("mqtt bridge: rejected %s", ", ".join(r.reason for r in refused))
            return
        try:
            record_rejections(channel=CHANNEL, items=refused)
        except DatabaseError:
            logger.warning("mqtt bridge: could not count %d rejected messages", len(refused), exc_info=True)
            connection.close()

    def report(self) -> None:
        s = self.stats
        logger.info(
            "mqtt bridge: %d messages, %d events accepted, %d duplicates, %d messages and %d events rejected %s, "
            "queue %d, pid %d",
            s.messages,
            s.accepted,
            s.duplicates,
            s.rejected_messages,
            s.rejected_events,
            dict(s.reasons),
            self.queue.qsize(),
            os.getpid(),
        )
