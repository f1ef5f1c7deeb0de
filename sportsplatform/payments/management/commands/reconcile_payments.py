"""`manage.py reconcile_payments [--date YYYY-MM-DD] [--provider CODE]`: compare a day's succeeded
payments and refunds with each provider's statement and store the reports (yesterday by default).
Exits non-zero when a report has mismatches or a statement could not be fetched."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sportsplatform.payments.domain.reconcile import reconcile_day
from sportsplatform.payments.models import ReconciliationStatus
from sportsplatform.payments.providers.registry import enabled_codes


class Command(BaseCommand):
    help = "Reconcile one day's payments and refunds with the providers' statements."

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="The local day, YYYY-MM-DD (default: yesterday).")
        parser.add_argument("--provider", help="One provider code (default: every enabled one).")

    def handle(self, *args, day=None, provider=None, **options):
        try:
            when = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        if provider and provider not in enabled_codes():
            raise CommandError(f"unknown or disabled provider: {provider}")
        reports = reconcile_day(day=when, provider_code=provider)
        bad = 0
        for report in reports:
            line = (
                f"{report.provider} {report.day}: {report.status} — ours {report.payments_count} payments "
                f"{report.payments_total}, {report.refunds_count} refunds {report.refunds_total}; provider "
                f"{report.provider_payments_count} payments {report.provider_payments_total}, "
                f"{report.provider_refunds_count} refunds {report.provider_refunds_total}"
            )
            if report.status == ReconciliationStatus.MATCHED:
                self.stdout.write(self.style.SUCCESS(line))
                continue
            bad += 1
            self.stderr.write(line + (f" ({report.error})" if report.error else ""))
            for m in report.mismatches:
                number = m.get("out_refund_no") or m.get("out_trade_no")
                self.stderr.write(f"  {m['kind']} {number}: {m['problem']} (ours {m['ours']}, theirs {m['theirs']})")
        if bad:
            raise CommandError(f"{bad} provider(s) did not reconcile for {when}")
