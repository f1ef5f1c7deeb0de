"""Card test data made the way people make it: a top-up order paid through the sandbox gateway
(start the payment, tap 确认支付 on its cashier page, the signed callback captures it), and booking
orders from the booking core."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

from django.test import Client

from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.ledger.models import Entry, LedgerAccount, Transaction
from sportsplatform.orders.models import Order
from sportsplatform.payments.domain.pay import start_payment
from sportsplatform.payments.models import Payment
from sportsplatform.wallet.domain.topup import create_topup_order
from tests.booking.factories import make_bookable_venue
from tests.coupons.factories import ensure_sports
from tests.support.accounts import ensure_regions, make_public_user

_phones = count(13710000001)


def new_user(**kwargs):
    return make_public_user(phone=str(next(_phones)), **kwargs)


def start_sandbox(order: Order) -> Payment:
    return start_payment(order=order, method="sandbox", actor=order.user, request_info={})


def pay_through_sandbox(order: Order, capture) -> Payment:
    """`capture` is pytest-django's django_capture_on_commit_callbacks: the gateway sends its
    callback after commit."""
    payment = start_sandbox(order)
    with capture(execute=True):
        response = Client().post(payment.params["pay_url"])
    assert response.status_code == 200, response.content
    payment.refresh_from_db()
    return payment


def topped_up(user, amount, capture) -> Order:
    order = create_topup_order(user=user, amount=Decimal(amount), actor=user)
    pay_through_sandbox(order, capture)
    order.refresh_from_db()
    return order


def booking_order(*, user, slots: int = 1, price: str = "40.00", **venue_kwargs) -> Order:
    """A pending booking order of `slots` one-hour slots at `price` each, at a fresh venue."""
    # A transactional test (the races, the browser journey) flushes the tables the data
    # migrations filled; put back the regions and sports these venues need.
    ensure_regions()
    ensure_sports()
    _venue, venue_slots = make_bookable_venue(courts=1, slots_per_court=max(slots, 2), **venue_kwargs)
    for slot in venue_slots:
        slot.price = slot.member_price = Decimal(price)
        slot.save(update_fields=["price", "member_price"])
    return create_booking(user=user, slot_ids=[s.pk for s in venue_slots[:slots]])


def balance(key: str) -> Decimal:
    account = LedgerAccount.objects.filter(key=key).first()
    return account.balance if account else Decimal("0.00")


def assert_books_balance() -> None:
    from sportsplatform.ledger.queries import ledger_problems

    assert ledger_problems() == []
    for txn in Transaction.objects.prefetch_related("entries"):
        assert sum(e.amount for e in txn.entries.all()) == 0, txn.reference
    assert all(
        a.balance == sum((e.amount for e in Entry.objects.filter(account=a)), Decimal("0.00"))
        for a in LedgerAccount.objects.all()
    )
