"""Sent after commit when an order changes status (notifications listen here)."""

from django.dispatch import Signal

# kwargs: order, previous (status before), actor
order_status_changed = Signal()

# Sent INSIDE the transaction, just before an order moves to cancelled, refunded or expired, so
# listeners (coupons restore their coupon) commit or roll back with the order. kwargs: order, to, actor
order_releasing = Signal()
