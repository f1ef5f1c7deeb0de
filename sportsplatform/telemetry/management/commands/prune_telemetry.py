"""manage.py prune_telemetry: delete raw gate events older than the retention period."""

from django.conf import settings
from django.core.management.base import BaseCommand

from sportsplatform.telemetry.domain.pruning import prune_raw_events


class Command(BaseCommand):
    help = "Delete raw gate events older than TELEMETRY_RAW_RETENTION_DAYS (rollups are kept)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Keep this many days (default {settings.TELEMETRY_RAW_RETENTION_DAYS}).",
        )

    def handle(self, *args, **options):
        deleted = prune_raw_events(older_than_days=options["days"])
        self.stdout.write(f"{deleted} raw gate events deleted")
