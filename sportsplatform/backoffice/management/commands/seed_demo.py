"""manage.py seed_demo [--if-empty]: load the demo data (idempotent; see backoffice/demo.py)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sportsplatform.backoffice.demo import demo_data_exists, run_seed


class Command(BaseCommand):
    help = "Load demo organisations, people and the demo logins (password demo12345). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only an empty or demo database: a database with other accounts is left alone; a demo "
            "database is topped up with what newer features add (used by make run).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even under production settings (demo logins have a published password).",
        )

    def handle(self, *args, if_empty=False, allow_production=False, **options):
        settings_module = getattr(settings, "SETTINGS_MODULE", None) or os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if settings_module.endswith(".production") and not allow_production:
            raise CommandError(
                "Refusing to create demo logins with a published password under production settings "
                "(pass --allow-production for a demo server)."
            )
        if if_empty and not demo_data_exists() and _has_real_accounts():
            self.stdout.write("This database holds accounts that are not demo data; not seeding it.")
            return
        self.stdout.write("Seeding demo data:")
        run_seed(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready. `manage.py demo_logins` lists the logins."))


def _has_real_accounts() -> bool:
    from sportsplatform.accounts.models import User

    return User.objects.exists()
