"""Sent after commit when an order changes status (notifications listen here)."""

from django.dispatch import Signal

# kwargs: order, previous (status before), actor
order_status_changed = Signal()
