from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from sportsplatform.orders.models import Order, OrderKind
from tests.support.accounts import make_public_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("subtotal", "discount", "amount"),
    [("35.30", "20.00", "15.30"), ("30.00", "29.99", "0.01"), ("0.30", "0.10", "0.20")],
)
def test_order_amount_is_subtotal_minus_discount_to_the_fen(subtotal, discount, amount):
    order = Order.objects.create(
        number=f"T{subtotal}{discount}".replace(".", ""),
        user=make_public_user(),
        kind=OrderKind.TOPUP,
        subtotal=Decimal(subtotal),
        discount=Decimal(discount),
        amount=Decimal(amount),
    )
    assert order.pk


def test_order_amount_that_does_not_add_up_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(
            number="T1",
            user=make_public_user(),
            kind=OrderKind.TOPUP,
            subtotal=Decimal("35.30"),
            discount=Decimal("20.00"),
            amount=Decimal("15.31"),
        )
