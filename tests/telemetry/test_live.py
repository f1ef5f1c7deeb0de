"""Live occupancy streams (server-sent events): a snapshot, then each change; they end by
themselves. Without Redis they poll the database; with Redis they wake up on a publication."""

from __future__ import annotations

import json

import pytest

from sportsplatform.telemetry.domain import live
from sportsplatform.telemetry.domain.auth import identity_for
from sportsplatform.telemetry.domain.ingest import ingest_one

from .conftest import event, make_gate

pytestmark = pytest.mark.django_db


def events_of(chunks) -> list[tuple[str, object]]:
    out = []
    for block in "".join(c.decode() if isinstance(c, bytes) else c for c in chunks).split("\n\n"):
        name = data = None
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
        if name:
            out.append((name, data))
    return out


@pytest.fixture
def short_streams(settings):
    settings.TELEMETRY_STREAM_SECONDS = 1.5
    settings.TELEMETRY_STREAM_POLL_SECONDS = 0.2


def test_venue_stream_sends_a_snapshot_then_changes_then_ends(client, gate, short_streams):
    ingest_one(identity=identity_for(gate.key_id), events=[event("in", count=3)], channel="http")
    response = client.get(f"/live/venues/{gate.venue.pk}/occupancy/stream")
    assert response["Content-Type"].startswith("text/event-stream")
    stream = iter(response.streaming_content)
    head = [next(stream), next(stream)]  # retry, snapshot

    ingest_one(identity=identity_for(gate.key_id), events=[event("in", count=2)], channel="http")
    received = events_of([*head, *stream])  # the stream ends after TELEMETRY_STREAM_SECONDS

    assert received[0] == ("snapshot", [pytest.approx(received[0][1][0])])
    assert received[0][1][0]["current"] == 3
    updates = [data for name, data in received if name == "occupancy"]
    assert updates and updates[-1]["current"] == 5 and updates[-1]["level"] == "comfortable"


def test_region_stream_follows_only_its_region(client, short_streams):
    inside, outside = make_gate(region="510107"), make_gate(region="510703")
    response = client.get("/live/occupancy/stream?region=510100")
    stream = iter(response.streaming_content)
    head = [next(stream), next(stream)]
    for gate in (inside, outside):
        ingest_one(identity=identity_for(gate.key_id), events=[event("in")], channel="http")

    venues = {data["venue"] for name, data in events_of([*head, *stream]) if name == "occupancy"}
    assert venues == {inside.venue.pk}


def test_streams_refuse_bad_parameters(client, gate):
    assert client.get("/live/occupancy/stream").status_code == 400
    assert client.get("/live/occupancy/stream?venues=1,x").status_code == 400
    assert client.get("/live/occupancy/stream?region=12").status_code == 400
    assert client.get("/live/occupancy/stream?venues=" + ",".join(map(str, range(1, 300)))).status_code == 400
    gate.venue.is_published = False
    gate.venue.save()
    assert client.get(f"/live/venues/{gate.venue.pk}/occupancy/stream").status_code == 404


@pytest.mark.redis
def test_stream_wakes_up_on_a_redis_publication(
    client, gate, settings, redis_url, short_streams, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = redis_url
    settings.TELEMETRY_STREAM_SECONDS = 3
    live._redis_client = None
    try:
        response = client.get(f"/live/venues/{gate.venue.pk}/occupancy/stream")
        stream = iter(response.streaming_content)
        head = [next(stream), next(stream)]
        # The stream subscribes on its next step: publish from a thread until it ends
        # (straight to Redis, so the thread needs no database connection).
        import threading

        payload = json.dumps(
            [{"venue": gate.venue.pk, "region": "510107", "current": 7, "today_in": 7, "today_out": 0,
              "updated_at": live.timezone.now().isoformat()}]
        )  # fmt: skip

        redis = live.redis_client()

        done = threading.Event()

        def keep_publishing():
            while not done.wait(0.1):
                redis.publish(live.CHANNEL, payload)

        publisher = threading.Thread(target=keep_publishing)
        publisher.start()
        try:
            received = events_of([*head, *stream])
        finally:
            done.set()
            publisher.join()
    finally:
        live._redis_client = None
    updates = [data for name, data in received if name == "occupancy"]
    assert updates and updates[-1]["current"] == 7, received
