"""Reads of the ledger: an account's statement, and the proof that the books balance
(`manage.py check_ledger`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from .models import Entry, LedgerAccount, Transaction

ZERO = Decimal("0.00")


def account_entries(account: LedgerAccount) -> QuerySet:
    """An account's entries, newest first, with their transaction and order (for statements)."""
    return (
        Entry.objects.filter(account=account)
        .select_related("transaction__order")
        .order_by("-transaction__created_at", "-transaction_id", "-id")
    )


@dataclass(frozen=True)
class LedgerProblem:
    kind: str  # "unbalanced_transaction", "short_transaction", "balance_mismatch", "negative_card"
    key: str  # the transaction reference or the account key
    detail: str


def unbalanced_transactions() -> list[LedgerProblem]:
    rows = (
        Transaction.objects.annotate(total=Coalesce(Sum("entries__amount"), ZERO), n=Count("entries"))
        .filter(~Q(total=0) | Q(n__lt=2))
        .values_list("reference", "total", "n")
    )
    problems = []
    for reference, total, n in rows:
        if n < 2:
            problems.append(LedgerProblem("short_transaction", reference, f"{n} entries"))
        else:
            problems.append(LedgerProblem("unbalanced_transaction", reference, f"entries sum to {total}"))
    return problems


def balance_mismatches() -> list[LedgerProblem]:
    rows = (
        LedgerAccount.objects.annotate(total=Coalesce(Sum("entries__amount"), ZERO))
        .filter(~Q(total=F("balance")))
        .values_list("key", "balance", "total")
    )
    return [
        LedgerProblem("balance_mismatch", key, f"balance {balance}, entries sum to {total}")
        for key, balance, total in rows
    ]


def negative_cards() -> list[LedgerProblem]:
    rows = LedgerAccount.objects.filter(kind="card", balance__lt=0).values_list("key", "balance")
    return [LedgerProblem("negative_card", key, f"balance {balance}") for key, balance in rows]


def ledger_problems() -> list[LedgerProblem]:
    """Everything wrong with the books; empty when every transaction sums to zero, every account's
    balance equals the sum of its entries, and no card is below zero."""
    return unbalanced_transactions() + balance_mismatches() + negative_cards()


def ledger_totals() -> dict[str, int]:
    return {
        "accounts": LedgerAccount.objects.count(),
        "transactions": Transaction.objects.count(),
        "entries": Entry.objects.count(),
    }
