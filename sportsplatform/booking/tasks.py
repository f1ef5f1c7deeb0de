"""Periodic and background jobs of the booking app (schedules in config/settings/payments.py,
"booking operations")."""

from celery import shared_task


@shared_task(acks_late=True)
def generate_slots_task() -> int:
    """Daily: fill every bookable venue's booking window with slots."""
    from .domain.slots import generate_all

    return generate_all()


@shared_task(acks_late=True)
def regenerate_venue_task(venue_id: int) -> dict:
    """After a change of hours, courts, price rules or policy: bring the venue's future slots in line."""
    from sportsplatform.venues.models import Venue

    from .domain.closures import regenerate_venue_slots

    venue = Venue.objects.filter(pk=venue_id).first()
    if venue is None:
        return {}
    return vars(regenerate_venue_slots(venue=venue))


@shared_task(acks_late=True)
def regenerate_all_task() -> int:
    """After the holiday calendar changed: reprice every venue's unbooked future slots."""
    from .domain.closures import regenerate_venue_slots
    from .domain.slots import bookable_venues

    count = 0
    for venue in bookable_venues().iterator(chunk_size=200):
        regenerate_venue_slots(venue=venue)
        count += 1
    return count


@shared_task(acks_late=True)
def close_day_task(venue_id: int, day: str, reason: str) -> dict:
    """A closed day was added to a venue's calendar: close its slots and cancel its bookings."""
    from datetime import date

    from sportsplatform.venues.models import Venue

    from .domain.closures import close_day

    venue = Venue.objects.filter(pk=venue_id).first()
    if venue is None:
        return {}
    result = close_day(venue=venue, day=date.fromisoformat(day), reason=reason)
    return {"slots": result.slots, "orders": result.orders, "failed": result.failed}


@shared_task(acks_late=True)
def mark_no_shows_task() -> dict:
    from .domain.noshow import mark_no_shows

    result = mark_no_shows()
    return {"orders": len(result.orders), "suspensions": len(result.suspensions)}


@shared_task(acks_late=True)
def send_booking_reminders_task() -> int:
    from sportsplatform.notifications.receivers import send_booking_reminders

    return len(send_booking_reminders())
