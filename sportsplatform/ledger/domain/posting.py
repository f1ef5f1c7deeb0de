"""Posting to the ledger. Every money movement of the platform goes through `post`."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from sportsplatform.core.errors import Conflict, ValidationFailed

from ..models import AccountKind, Entry, LedgerAccount, Transaction

CENT = Decimal("0.01")


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
    default_message = _("The sports card balance is not enough.")


def account(key: str, *, kind: str, name: str = "", user=None, venue=None) -> LedgerAccount:
    """The account with this key, created on first use. Only cards refuse to go negative."""
    allow_negative = kind != AccountKind.CARD
    acc, _created = LedgerAccount.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "name": name or key, "user": user, "venue": venue, "allow_negative": allow_negative},
    )
    return acc


def provider_account(code: str) -> LedgerAccount:
    return account(f"provider:{code}", kind=AccountKind.PROVIDER, name=f"provider {code}")


def venue_account(venue) -> LedgerAccount:
    return account(f"venue:{venue.pk}", kind=AccountKind.VENUE, name=str(venue), venue=venue)


def organiser_account(organisation) -> LedgerAccount:
    """What an event or course organiser is owed (the venue's account when the venue's operator
    runs it is a different account: settlement is per seller)."""
    return account(f"organiser:{organisation.pk}", kind=AccountKind.ORGANISER, name=str(organisation))


def card_account(user) -> LedgerAccount:
    return account(f"card:{user.pk}", kind=AccountKind.CARD, name=f"card {user.pk}", user=user)


def platform_account() -> LedgerAccount:
    return account("platform", kind=AccountKind.PLATFORM, name="platform")


def post(
    *, kind: str, reference: str, lines: Iterable[tuple[LedgerAccount, Decimal]], order=None, memo: str = "", actor=None
) -> Transaction:
    """Write one balanced transaction. Idempotent by `reference`: posting the same reference twice
    returns the first transaction. Raises InsufficientFunds if a card would go below zero (the
    database constraint decides) and writes nothing then."""
    # Round to the fen first, then drop zero lines: an amount that rounds to 0.00 would otherwise
    # reach the entry's non-zero check constraint and be reported as InsufficientFunds.
    lines = [(acc, amount) for acc, amount in ((a, Decimal(v).quantize(CENT)) for a, v in lines) if amount != 0]
    if len(lines) < 2 or sum(amount for _acc, amount in lines) != 0:
        raise ValidationFailed(_("A ledger transaction must have two or more entries that sum to zero."))
    existing = Transaction.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            txn = Transaction.objects.create(
                kind=kind,
                reference=reference,
                order=order,
                memo=memo[:255],
                actor=actor if getattr(actor, "pk", None) else None,
            )
            # Lock accounts in key order so two postings touching the same accounts cannot deadlock.
            for acc, amount in sorted(lines, key=lambda line: line[0].key):
                LedgerAccount.objects.filter(pk=acc.pk).update(balance=F("balance") + amount)
                balance = LedgerAccount.objects.values_list("balance", flat=True).get(pk=acc.pk)
                Entry.objects.create(transaction=txn, account=acc, amount=amount, balance_after=balance)
    except IntegrityError as exc:
        if Transaction.objects.filter(reference=reference).exists():
            return Transaction.objects.get(reference=reference)
        raise InsufficientFunds() from exc
    return txn
