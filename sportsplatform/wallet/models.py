"""The stored-value sports card (一卡通). A card is a number and a status; its balance IS the ledger
account `card:<user id>` (ledger.models.LedgerAccount), never a column here, so the only way money
gets on or off a card is a balanced ledger transaction, and the database refuses a negative card
balance (the account's check constraint)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    # A frozen card cannot pay or be topped up (lost card, dispute); refunds still reach it.
    FROZEN = "frozen", _("frozen")


class SportsCard(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sports_card", verbose_name=_("holder")
    )
    number = models.CharField(_("card number"), max_length=16, unique=True, editable=False)
    account = models.OneToOneField(
        "ledger.LedgerAccount",
        on_delete=models.PROTECT,
        related_name="sports_card",
        verbose_name=_("ledger account"),
        editable=False,
    )
    status = models.CharField(_("status"), max_length=8, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    status_reason = models.CharField(_("reason"), max_length=128, blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("sports card")
        verbose_name_plural = _("sports cards")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=CardStatus.values), name="sports_card_status_valid"),
        ]

    # A card belongs to a person, not to a region or an organisation: in the back office only
    # platform admins see cards (core.scoping gives no one else a path to them).
    scope_region_field = None
    scope_organisation_field = None

    def __str__(self):
        return self.number

    @property
    def balance(self):
        """The ledger account's balance (read from the account row this card was loaded with)."""
        return self.account.balance

    @property
    def is_active(self) -> bool:
        return self.status == CardStatus.ACTIVE
