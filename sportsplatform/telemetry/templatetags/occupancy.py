"""Occupancy on public pages: `{% load occupancy %}` then

    {% occupancy_badge venue %}                     one venue (one query)
    {% occupancy_readings venues as readings %}     many venues at once (one query) …
    {% occupancy_badge venue readings %}            … then each from the dict

The badge carries data attributes telemetry/occupancy.js uses to keep it live."""

from __future__ import annotations

from django import template

from ..domain.occupancy import readings_for

register = template.Library()


@register.simple_tag
def occupancy_readings(venues):
    """{venue id: OccupancyReading} for venues, or rows with a `venue` (the opening page's)."""
    items = [getattr(v, "venue", None) or (v.get("venue") if isinstance(v, dict) else v) for v in venues or []]
    return readings_for([v for v in items if v is not None])


@register.inclusion_tag("telemetry/includes/occupancy_badge.html")
def occupancy_badge(venue, readings=None, live_region=False, compact=False):
    if readings is None:
        readings = readings_for([venue])
    return {
        "venue": venue,
        "reading": readings.get(venue.pk),
        "live_region": live_region,
        "compact": compact,
    }
