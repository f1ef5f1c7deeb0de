from django.core.management.base import BaseCommand

from sportsplatform.accounts.domain.housekeeping import prune_expired_credentials


class Command(BaseCommand):
    help = "Deletes SMS codes past every rate-limit window and expired API tokens (Celery beat runs it hourly)."

    def handle(self, *args, **options):
        counts = prune_expired_credentials()
        self.stdout.write(f"deleted {counts['sms_codes']} SMS codes, {counts['api_tokens']} expired API tokens")
