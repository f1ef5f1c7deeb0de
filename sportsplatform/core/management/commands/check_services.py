from django.core.management.base import BaseCommand, CommandError

from sportsplatform.core.services import check_all


class Command(BaseCommand):
    help = "Checks that the database, cache, MQTT broker and task broker answer (exit 1 if any fails)."

    def handle(self, *args, **options):
        statuses = check_all()
        for s in statuses:
            mark = self.style.SUCCESS("ok  ") if s.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {s.name:<12} {s.ms:>7.1f} ms  {s.detail}")
        if not all(s.ok for s in statuses):
            raise CommandError("some services are unavailable")
