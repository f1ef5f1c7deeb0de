from django.core.management.base import BaseCommand
from django.utils import timezone

from sportsplatform.booking.domain.holidays import sync_holidays


class Command(BaseCommand):
    help = (
        "Refresh the holiday calendar (public holidays and make-up working days) from the chinesecalendar "
        "package. Default: last year, this year and next year. Years the package does not know yet are "
        "reported; enter them in the back office when the State Council publishes its notice."
    )

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="Years to load, e.g. 2026 2027.")

    def handle(self, *args, years, **options):
        this_year = timezone.localdate().year
        years = years or [this_year - 1, this_year, this_year + 1]
        result = sync_holidays(years=years)
        self.stdout.write(f"{result['created']} days added, {result['updated']} updated")
        if result["unknown_years"]:
            years_text = ", ".join(str(y) for y in result["unknown_years"])
            self.stdout.write(
                self.style.WARNING(
                    f"chinesecalendar does not know {years_text} yet: enter those days in the back office "
                    "(Booking › Holiday calendar) from the State Council's notice."
                )
            )
