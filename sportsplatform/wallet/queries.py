"""Reads for the sports card: its statement."""

from __future__ import annotations

from django.db.models import QuerySet

from sportsplatform.ledger.models import Entry
from sportsplatform.ledger.queries import account_entries

from .models import SportsCard


def card_entries(user) -> QuerySet:
    """The user's card statement, newest first (empty before the card is opened)."""
    card = SportsCard.objects.select_related("account").filter(user=user).first()
    if card is None:
        return Entry.objects.none()
    return account_entries(card.account)
