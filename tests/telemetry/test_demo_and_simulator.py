"""seed_demo's telemetry step (devices, a year of history, today's occupancy; idempotent) and
`manage.py simulate_devices` over HTTP against a live server."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from sportsplatform.backoffice.demo import SeedContext
from sportsplatform.telemetry.demo import seed_telemetry
from sportsplatform.telemetry.models import (
    Device,
    DeviceCredential,
    GateEvent,
    Granularity,
    TrafficRollup,
    VenueOccupancy,
)
from tests.support.accounts import ensure_regions
from tests.venues.factories import make_venue


def quiet():
    return SeedContext(log=lambda message: None)


@pytest.mark.django_db
def test_seed_creates_devices_history_and_today_once(settings):
    settings.DEMO_SEED_SCALE = 1  # a whole year (smaller scales get 40 days)
    ensure_regions()
    venues = [
        make_venue(capacity=cap, type=kind) for cap, kind in ((1000, "stadium"), (120, "gym"), (None, "natatorium"))
    ]

    seed_telemetry(quiet())
    devices, rollups = Device.objects.count(), TrafficRollup.objects.count()
    seed_telemetry(quiet())

    assert (Device.objects.count(), TrafficRollup.objects.count()) == (devices, rollups)
    assert DeviceCredential.objects.filter(device__code="G1").count() == 3
    today = timezone.localdate()
    days = TrafficRollup.objects.filter(venue=venues[0], granularity=Granularity.DAY)
    assert days.count() >= 360
    oldest = timezone.localtime(days.order_by("bucket_start").first().bucket_start).date()
    assert oldest == today - timedelta(days=365)
    # Hours add up to their day, and the peak fits the day's entries.
    some_day = days.order_by("bucket_start")[100]
    hours = TrafficRollup.objects.filter(
        venue=venues[0],
        granularity=Granularity.HOUR,
        bucket_start__gte=some_day.bucket_start,
        bucket_start__lt=some_day.bucket_start + timedelta(days=1),
    ).aggregate(entries=Sum("entries"), exits=Sum("exits"))
    assert (hours["entries"], hours["exits"]) == (some_day.entries, some_day.exits)
    assert 0 < some_day.peak_occupancy <= some_day.entries
    assert VenueOccupancy.objects.filter(day=today).count() == 3


@pytest.mark.django_db(transaction=True)
def test_simulator_sends_signed_events_over_http(live_server):
    ensure_regions()
    venue = make_venue(capacity=300, type="sports_park", hours={d: [("00:00", "23:59")] for d in range(7)})
    seed_telemetry(quiet())
    before = VenueOccupancy.objects.get(venue=venue).today_in

    out = io.StringIO()
    call_command(
        "simulate_devices",
        transport="http",
        url=live_server.url,
        tick=1,
        duration=0.5,
        rate=20000,
        seed=3,
        stdout=out,
        stderr=io.StringIO(),
    )

    assert "0 failed" in out.getvalue(), out.getvalue()
    assert " 0 events" not in out.getvalue(), out.getvalue()
    assert GateEvent.objects.filter(venue=venue).exists()
    assert VenueOccupancy.objects.get(venue=venue).today_in > before
