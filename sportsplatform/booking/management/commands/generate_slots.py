import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sportsplatform.booking.domain.slots import bookable_venues, ensure_window, generate_all, generate_slots
from sportsplatform.venues.models import Venue


class Command(BaseCommand):
    help = (
        "Create the missing slots of every bookable venue (or of one, --venue) for its booking window, "
        "or for --days days from today. Idempotent; the daily task runs the same."
    )

    def add_arguments(self, parser):
        parser.add_argument("--venue", type=int, help="Only this venue (id).")
        parser.add_argument("--days", type=int, help="Days from today (default: the venue's booking window + 1).")

    def handle(self, *args, venue=None, days=None, **options):
        if days is not None and not 1 <= days <= 60:
            raise CommandError("--days must be between 1 and 60.")
        started = time.perf_counter()
        if venue is None and days is None:
            total = generate_all()
            self.stdout.write(f"{total} slots created in {time.perf_counter() - started:.1f}s")
            return
        if venue is not None:
            venues = Venue.objects.filter(pk=venue)
            if not venues.exists():
                raise CommandError(f"No venue with id {venue}.")
        else:
            venues = bookable_venues()
        today = timezone.localdate()
        total = count = 0
        for item in venues.iterator(chunk_size=200):
            count += 1
            if days is None:
                total += ensure_window(venue=item, today=today)
            else:
                total += generate_slots(venue=item, start=today, days=days)
        self.stdout.write(f"{total} slots created for {count} venues in {time.perf_counter() - started:.1f}s")
