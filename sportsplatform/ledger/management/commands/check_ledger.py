"""`manage.py check_ledger`: proves the books balance — every transaction's entries sum to zero
(and there are at least two), every account's balance equals the sum of its entries, no sports card
is below zero. Prints what is wrong and exits non-zero if anything is."""

from django.core.management.base import BaseCommand, CommandError

from sportsplatform.ledger.queries import ledger_problems, ledger_totals


class Command(BaseCommand):
    help = "Check that every ledger transaction sums to zero and every account balance equals its entries."

    def handle(self, *args, **options):
        problems = ledger_problems()
        totals = ledger_totals()
        for problem in problems:
            self.stderr.write(f"{problem.kind}: {problem.key}: {problem.detail}")
        if problems:
            raise CommandError(f"ledger check failed: {len(problems)} problem(s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"ledger balances: {totals['transactions']} transactions, {totals['entries']} entries, "
                f"{totals['accounts']} accounts"
            )
        )
