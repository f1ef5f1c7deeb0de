"""A venue's booking rules: its BookingPolicy row, or the defaults of an unsaved one."""

from __future__ import annotations

from django.conf import settings

from ..models import BookingPolicy


def policy_for(venue) -> BookingPolicy:
    try:
        return venue.booking_policy
    except BookingPolicy.DoesNotExist:
        return BookingPolicy(venue=venue, hold_minutes=settings.BOOKING_HOLD_MINUTES)
