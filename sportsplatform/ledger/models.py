"""The double-entry ledger every yuan moves through.

A Transaction has two or more Entries whose amounts sum to zero. Accounts:
- `provider:<code>`  money held by a payment provider for us (WeChat, Alipay, sandbox) — may go
  negative in our books the moment we owe a refund;
- `venue:<id>`       what the platform owes a venue for what it sold (settlement);
- `card:<user id>`   a user's stored-value sports card — never negative (database constraint);
- `subsidy:<batch>`  what a bureau owes for consumption coupons redeemed;
- `platform`         the platform's own.
An account's balance is kept on its row, updated with F() in the same transaction as the entries,
and `manage.py check_ledger` proves balance = sum(entries) and every transaction sums to zero."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    PROVIDER = "provider", _("payment provider")
    VENUE = "venue", _("venue settlement")
    CARD = "card", _("sports card")
    SUBSIDY = "subsidy", _("coupon subsidy")
    PLATFORM = "platform", _("platform")
    ORGANISER = "organiser", _("organiser settlement")


class LedgerAccount(models.Model):
    key = models.CharField(_("account"), max_length=64, unique=True)  # e.g. "card:42"
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=128)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    venue = models.ForeignKey(
        "venues.Venue", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    balance = models.DecimalField(_("balance"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    allow_negative = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            # A sports card (or any account not marked otherwise) can never go below zero.
            models.CheckConstraint(
                condition=Q(allow_negative=True) | Q(balance__gte=0), name="ledger_account_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind="card") | Q(allow_negative=False), name="ledger_card_never_negative"
            ),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return self.name or self.key


class Transaction(models.Model):
    kind = models.CharField(_("kind"), max_length=32, db_index=True)  # e.g. "payment.captured", "card.topup"
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_transactions"
    )
    # What caused it, e.g. "payment:17" or "refund:4": unique, so a retried callback posts once.
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")

    def __str__(self):
        return self.reference


class Entry(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    # Positive: the account receives; negative: it pays. A transaction's entries sum to zero.
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(_("balance after"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["transaction_id", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["account", "transaction"], name="ledger_entry_account")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero")]

    def __str__(self):
        return f"{self.account.key} {self.amount}"
