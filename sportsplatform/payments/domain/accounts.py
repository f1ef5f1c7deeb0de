"""Ledger accounts the payment domain posts to besides providers, venues, cards and subsidies."""

from sportsplatform.ledger.domain.posting import account
from sportsplatform.ledger.models import AccountKind, LedgerAccount


def unmatched_account() -> LedgerAccount:
    """Money that arrived for an order that could not keep it (late after its slots were taken,
    after cancellation, or a second payment). It sits here until its automatic refund leaves, so
    the account's balance is what we still owe back."""
    return account("platform:unmatched", kind=AccountKind.PLATFORM, name="unmatched payments")
