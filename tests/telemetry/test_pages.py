"""Occupancy on the public venue pages: the badge with count and level, hidden until a count
exists; the opening page reads every row's occupancy in one query."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sportsplatform.telemetry.models import VenueOccupancy
from tests.support.queries import assert_same_query_count
from tests.venues.factories import make_venue

pytestmark = pytest.mark.django_db


def count(venue, current, capacity=None):
    VenueOccupancy.objects.create(
        venue=venue, day=timezone.localdate(), today_in=current, current=current, updated_at=timezone.now()
    )


def test_venue_page_shows_people_inside_and_the_level(client, gate):
    count(gate.venue, 85)
    body = client.get(f"/venues/{gate.venue.pk}/").content.decode()

    assert f'data-occupancy-venue="{gate.venue.pk}"' in body
    assert "85" in body and "badge-warning" in body  # busy: 85 of 100
    assert "telemetry/occupancy.js" in body
    assert f"/live/venues/{gate.venue.pk}/occupancy/stream" in body


def test_venue_page_hides_the_badge_without_counts(client, gate):
    body = client.get(f"/venues/{gate.venue.pk}/").content.decode()
    badge = body[body.index("data-occupancy-venue") :]
    assert badge[: badge.index(">")].rstrip().endswith("hidden")


def test_opening_page_shows_occupancy_without_n_plus_one(client, db):
    from tests.support.accounts import ensure_regions

    ensure_regions()

    def make_rows(n):
        for _ in range(n):
            venue = make_venue(capacity=100)
            count(venue, 10)

    assert_same_query_count(client, "/venues/open/", make_rows)
    assert "data-occupancy-venue" in client.get("/venues/open/").content.decode()


def test_english_page_says_people_inside(client, gate):
    count(gate.venue, 12)
    client.cookies["django_language"] = "en"
    body = client.get(f"/venues/{gate.venue.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "12 people inside" in body and "comfortable" in body
