"""Ingestion through the domain function both channels use: de-duplication, late and out-of-order
events, never below zero, the daily reset, rollups and their peaks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from sportsplatform.telemetry.domain.auth import identity_for
from sportsplatform.telemetry.domain.ingest import DeviceBatch, ingest_gate_events, ingest_one
from sportsplatform.telemetry.domain.occupancy import reading_for
from sportsplatform.telemetry.models import GateEvent, Granularity, RejectionCount, TrafficRollup, VenueOccupancy

from .conftest import event, make_gate

pytestmark = pytest.mark.django_db(transaction=False)


def ingest(gate, events, channel="http"):
    return ingest_one(identity=identity_for(gate.key_id), events=events, channel=channel)


def local(hour: int, minute: int = 0, *, days_ago: int = 0) -> datetime:
    today = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(today, datetime.min.time())) + timedelta(hours=hour, minutes=minute)


def now_minus(minutes: float) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)


def test_ingest_counts_entries_and_exits(gate):
    result = ingest(gate, [event("in", count=3, at=now_minus(3)), event("out", at=now_minus(2))])

    assert (result.accepted, result.duplicates, result.rejected) == (2, 0, [])
    reading = reading_for(gate.venue)
    assert (reading.current, reading.today_in, reading.today_out) == (2, 3, 1)
    assert GateEvent.objects.filter(venue=gate.venue).count() == 2


def test_ingest_same_event_id_twice_counts_once(gate):
    first = ingest(gate, [event("in", id="e-1", count=5, at=now_minus(1))])
    again = ingest(gate, [event("in", id="e-1", count=5, at=now_minus(1)), event("in", id="e-1", at=now_minus(1))])

    assert (first.accepted, again.accepted, again.duplicates) == (1, 0, 2)
    assert reading_for(gate.venue).today_in == 5


def test_ingest_without_ids_derives_the_same_id_for_a_resent_event(gate):
    at = now_minus(1)
    ingest(gate, [event("in", at=at)])
    again = ingest(gate, [event("in", at=at)])

    assert (again.accepted, again.duplicates) == (0, 1)
    assert reading_for(gate.venue).today_in == 1


def test_ingest_never_goes_below_zero(gate):
    ingest(gate, [event("out", count=4, at=now_minus(2))])
    assert reading_for(gate.venue).current == 0

    ingest(gate, [event("in", count=6, at=now_minus(1))])
    assert reading_for(gate.venue).current == 2  # 6 in − 4 out, whatever came first


def test_ingest_order_does_not_change_occupancy_or_rollups(db):
    first_venue, second_venue = make_gate(), make_gate()
    base = timezone.now() - timedelta(hours=1)
    # One day's events of a venue at the limit of late arrival, shuffled for the second venue.
    events = [
        event(
            "in" if i % 3 else "out",
            at=max(base + timedelta(minutes=i), timezone.localtime().replace(hour=0, minute=0, second=1)),
            count=1 + i % 4,
            id=f"e{i}",
        )
        for i in range(60)
    ]
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)

    for chunk in (events[:20], events[20:40], events[40:]):
        ingest(first_venue, chunk)
    for chunk in (shuffled[:7], shuffled[7:31], shuffled[31:]):
        ingest(second_venue, chunk)

    def summary(venue):
        occupancy = VenueOccupancy.objects.get(venue=venue)
        rollups = list(
            TrafficRollup.objects.filter(venue=venue)
            .order_by("granularity", "bucket_start")
            .values_list("granularity", "bucket_start", "entries", "exits", "peak_occupancy")
        )
        return (occupancy.current, occupancy.today_in, occupancy.today_out), rollups

    assert summary(first_venue.venue) == summary(second_venue.venue)


def test_ingest_late_event_of_yesterday_reaches_rollups_not_today(gate):
    ingest(gate, [event("in", count=2, at=now_minus(1))])
    yesterday = timezone.now() - timedelta(hours=26)
    result = ingest(gate, [event("in", count=7, at=yesterday)])

    assert result.accepted == 1
    assert reading_for(gate.venue).today_in == 2
    day = TrafficRollup.objects.get(
        venue=gate.venue,
        granularity=Granularity.DAY,
        bucket_start__lte=yesterday,
        bucket_start__gt=yesterday - timedelta(days=1),
    )
    assert day.entries == 7


def test_ingest_resets_occupancy_on_a_new_day(gate):
    VenueOccupancy.objects.create(
        venue=gate.venue,
        day=timezone.localdate() - timedelta(days=1),
        today_in=50,
        today_out=10,
        current=40,
        updated_at=timezone.now(),
    )
    assert reading_for(gate.venue).current == 0  # a stale row reads as an empty venue

    ingest(gate, [event("in", count=3, at=now_minus(1))])

    occupancy = VenueOccupancy.objects.get(venue=gate.venue)
    assert (occupancy.day, occupancy.today_in, occupancy.today_out, occupancy.current) == (
        timezone.localdate(),
        3,
        0,
        3,
    )


def test_rollups_add_up_and_peaks_follow_the_day(gate):
    # 10:00–10:05: 10 in; 10:05–10:10: 4 out, 2 in; 11:00: 8 out (never below zero).
    ingest(
        gate,
        [
            event("in", count=10, at=local(10, 1, days_ago=1)),
            event("out", count=4, at=local(10, 6, days_ago=1)),
            event("in", count=2, at=local(10, 7, days_ago=1)),
            event("out", count=8, at=local(11, 2, days_ago=1)),
        ],
    )
    rows = {
        (r.granularity, timezone.localtime(r.bucket_start).strftime("%H:%M")): (r.entries, r.exits, r.peak_occupancy)
        for r in TrafficRollup.objects.filter(venue=gate.venue)
    }
    assert rows[(Granularity.FIVE_MINUTES, "10:00")] == (10, 0, 10)
    assert rows[(Granularity.FIVE_MINUTES, "10:05")] == (2, 4, 8)
    assert rows[(Granularity.FIVE_MINUTES, "11:00")] == (0, 8, 0)
    assert rows[(Granularity.HOUR, "10:00")] == (12, 4, 10)
    assert rows[(Granularity.HOUR, "11:00")] == (0, 8, 0)
    assert rows[(Granularity.DAY, "00:00")] == (12, 12, 10)

    # A late entry at 09:58 raises every later peak of that day.
    ingest(gate, [event("in", count=5, at=local(9, 58, days_ago=1))])
    hour_ten = TrafficRollup.objects.get(
        venue=gate.venue, granularity=Granularity.HOUR, bucket_start=local(10, days_ago=1)
    )
    day = TrafficRollup.objects.get(venue=gate.venue, granularity=Granularity.DAY, bucket_start=local(0, days_ago=1))
    assert (hour_ten.peak_occupancy, day.peak_occupancy, day.entries) == (15, 15, 17)


def test_ingest_rejects_bad_events_with_reasons_and_counts_them(gate):
    other = make_gate()
    result = ingest(
        gate,
        [
            event("in"),
            "not an event",
            event("sideways"),
            event("in", count=0),
            event("in", count=True),
            event("in", at="yesterday"),
            event("in", gate="NOPE"),
            event("in", venue=other.venue.pk),
            event("in", at=timezone.now() - timedelta(days=5)),
            event("in", at=timezone.now() + timedelta(hours=2)),
            event("in", id="x" * 65),
        ],
    )

    assert result.accepted == 1
    reasons = [r.reason for r in result.rejected]
    assert reasons == [
        "bad_event", "bad_direction", "bad_count", "bad_count", "bad_time", "unknown_gate", "wrong_venue",
        "too_old", "in_future", "bad_event_id",
    ]  # fmt: skip
    counted = dict(RejectionCount.objects.filter(key_id=gate.key_id).values_list("reason", "count"))
    assert counted["bad_count"] == 2 and counted["wrong_venue"] == 1
    assert sum(counted.values()) == 10


def test_ingest_several_batches_from_different_venues_in_one_write(db):
    first, second = make_gate(), make_gate()
    results = ingest_gate_events(
        batches=[
            DeviceBatch(identity_for(first.key_id), [event("in", count=2)]),
            DeviceBatch(identity_for(second.key_id), [event("in", count=3), event("out")]),
        ],
        channel="mqtt",
    )
    assert [r.accepted for r in results] == [2 - 1, 2]
    assert (reading_for(first.venue).current, reading_for(second.venue).current) == (2, 2)


def test_a_gate_of_another_kind_cannot_count_people(gate):
    from sportsplatform.telemetry.domain.devices import register_device

    register_device(venue=gate.venue, kind="energy_meter", code="E1", actor=None, with_credential=False)
    result = ingest(gate, [event("in", gate="E1")])
    assert [r.reason for r in result.rejected] == ["not_a_gate"]
