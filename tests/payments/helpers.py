"""Building orders through the booking core and paying them through the sandbox gateway, the way
a buyer does: start the payment, open the pay_url, tap 确认支付."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count

from django.test import Client
from django.utils import timezone

from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.ledger.models import Entry, LedgerAccount, Transaction
from sportsplatform.orders.models import Order
from sportsplatform.payments.domain.pay import start_payment
from sportsplatform.payments.models import Payment
from sportsplatform.venues.models import Sport
from tests.booking.factories import make_bookable_venue
from tests.support.accounts import make_public_user

_phones = count(13900000001)


def new_buyer(**kwargs):
    return make_public_user(phone=str(next(_phones)), **kwargs)


def ensure_sport() -> None:
    # Tests on a transactional database (threads, live_server) flush what data migrations loaded.
    Sport.objects.get_or_create(code="badminton", defaults={"name": "羽毛球", "name_en": "Badminton", "order": 0})


def booking_order(*, user=None, slots: int = 1, venue_slots=None, **venue_kwargs) -> Order:
    """A pending booking order of `slots` one-hour slots (40.00 each) at a fresh venue."""
    if venue_slots is None:
        ensure_sport()
        _venue, venue_slots = make_bookable_venue(courts=1, slots_per_court=max(slots, 2), **venue_kwargs)
    return create_booking(user=user or new_buyer(), slot_ids=[s.pk for s in venue_slots[:slots]])


def start_sandbox(order: Order, *, actor=None) -> Payment:
    return start_payment(order=order, method="sandbox", actor=actor or order.user, request_info={})


def tap_confirm(payment: Payment, *, client: Client | None = None):
    """The payer taps 确认支付 on the sandbox cashier page."""
    return (client or Client()).post(payment.params["pay_url"])


def pay_with_sandbox(order: Order, django_capture_on_commit_callbacks) -> Payment:
    payment = start_sandbox(order)
    with django_capture_on_commit_callbacks(execute=True):
        response = tap_confirm(payment)
    assert response.status_code == 200, response.content
    payment.refresh_from_db()
    return payment


def overdue(order: Order, *, minutes: int = 1) -> Order:
    """Move the order's (and its payments') deadline into the past, as if the hold had run out."""
    past = timezone.now() - timedelta(minutes=minutes)
    Order.objects.filter(pk=order.pk).update(expires_at=past)
    order.refresh_from_db()
    return order


def balance(key: str) -> Decimal:
    account = LedgerAccount.objects.filter(key=key).first()
    return account.balance if account else Decimal("0.00")


def assert_ledger_balances() -> None:
    """Every transaction sums to zero and every balance equals its entries (what check_ledger proves)."""
    for txn in Transaction.objects.prefetch_related("entries"):
        assert sum(e.amount for e in txn.entries.all()) == 0, txn.reference
    for account in LedgerAccount.objects.all():
        total = sum((e.amount for e in Entry.objects.filter(account=account)), Decimal("0.00"))
        assert account.balance == total, account.key
