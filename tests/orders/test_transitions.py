"""The order state machine, table-driven over ORDER_TRANSITIONS: every move it lists works, every
other move is refused and changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from sportsplatform.core.errors import IllegalTransition
from sportsplatform.orders.domain.numbers import new_order_number
from sportsplatform.orders.domain.transitions import transition_order
from sportsplatform.orders.models import ORDER_TRANSITIONS, Order, OrderEvent, OrderKind, OrderStatus
from tests.payments.helpers import new_buyer

pytestmark = pytest.mark.django_db

ALL_MOVES = [(source, target) for source in OrderStatus for target in OrderStatus]
ALLOWED = [(s, t) for s, t in ALL_MOVES if t in ORDER_TRANSITIONS[s]]
REFUSED = [(s, t) for s, t in ALL_MOVES if t not in ORDER_TRANSITIONS[s]]


def order_in(status: str) -> Order:
    # Straight to the status under test: the table, not the way there, is what is being checked.
    return Order.objects.create(
        number=new_order_number(),
        user=new_buyer(),
        kind=OrderKind.TOPUP,
        status=status,
        subtotal=Decimal("10.00"),
        amount=Decimal("10.00"),
        expires_at=timezone.now(),
    )


def test_every_status_has_a_row_in_the_table():
    assert set(ORDER_TRANSITIONS) == set(OrderStatus)
    assert len(REFUSED) > len(ALLOWED) > 0


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=[f"{s}->{t}" for s, t in ALLOWED])
def test_allowed_transition_moves_and_logs(source, target):
    order = order_in(source)

    transition_order(order=order, to=target, note="test")

    order.refresh_from_db()
    assert order.status == target
    event = OrderEvent.objects.get(order=order)
    assert (event.from_status, event.to_status, event.action) == (source, target, f"order.{target}")


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=[f"{s}->{t}" for s, t in REFUSED])
def test_illegal_transition_is_refused_and_changes_nothing(source, target):
    order = order_in(source)
    before = Order.objects.values().get(pk=order.pk)

    with pytest.raises(IllegalTransition) as refused:
        transition_order(order=order, to=target)

    assert refused.value.code == "illegal_transition"
    assert refused.value.status == 409
    assert Order.objects.values().get(pk=order.pk) == before
    assert not OrderEvent.objects.filter(order=order).exists()
