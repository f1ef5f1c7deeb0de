from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sportsplatform.core.errors import ValidationFailed
from sportsplatform.regions.domain.sync import DATA_FILE, read_divisions, sync_regions


class Command(BaseCommand):
    help = "Load the administrative divisions (regions/data/divisions.json) into the database. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA_FILE, help="division data (default: the bundled file)")

    def handle(self, *args, file: Path, **options):
        try:
            counts = sync_regions(data=read_divisions(file))
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationFailed as exc:
            raise CommandError("\n".join([str(exc.message), *exc.fields.get("divisions", [])])) from exc
        self.stdout.write(
            _("Regions: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged}
        )
