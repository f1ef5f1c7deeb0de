"""Template helpers for the card pages: how a ledger entry reads on a statement."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def entry_label(entry) -> str:
    """What a card movement was, in the user's words."""
    txn = entry.transaction
    order = txn.order
    incoming = entry.amount > 0
    if order is not None and order.kind == "topup":
        return _("Top-up") if incoming else _("Top-up refunded")
    if txn.kind == "refund":
        return _("Refund")
    if txn.kind.startswith("payment"):
        return _("Card payment") if not incoming else _("Payment returned")
    return _("Adjustment")


@register.filter
def grouped_number(number: str) -> str:
    """8651 2345 6789 0123: card numbers read in groups of four."""
    return " ".join(number[i : i + 4] for i in range(0, len(number or ""), 4))
