from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sportsplatform.booking.domain.errors import (
    BookingSuspended,
    LimitExceeded,
    SlotTaken,
    SlotUnavailable,
)
from sportsplatform.booking.domain.holds import create_booking, release_order_items
from sportsplatform.booking.models import BookingItem, BookingItemStatus, BookingSuspension, Slot
from sportsplatform.core.errors import ValidationFailed
from sportsplatform.orders.models import Order, OrderStatus
from tests.support.accounts import make_public_user
from tests.venues.factories import make_court, make_venue

from .factories import make_bookable_venue, make_slot

pytestmark = pytest.mark.django_db


def test_create_booking_holds_slots_in_one_pending_order():
    _venue, slots = make_bookable_venue()
    user = make_public_user()

    order = create_booking(user=user, slot_ids=[slots[0].pk, slots[1].pk])

    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.amount == Decimal("80.00")
    assert order.expires_at - timezone.now() > timedelta(minutes=14)
    assert [s.taken for s in Slot.objects.filter(pk__in=[slots[0].pk, slots[1].pk])] == [1, 1]
    assert order.lines.count() == 2
    assert BookingItem.objects.filter(order=order, status=BookingItemStatus.HELD).count() == 2


def test_create_booking_when_one_slot_is_taken_holds_nothing():
    _venue, slots = make_bookable_venue()
    first = create_booking(user=make_public_user(phone="13800138001"), slot_ids=[slots[1].pk])
    second_user = make_public_user(phone="13800138002")

    with pytest.raises(SlotTaken) as caught:
        create_booking(user=second_user, slot_ids=[slots[0].pk, slots[1].pk])

    assert caught.value.code == "slot_taken"
    assert Slot.objects.get(pk=slots[0].pk).taken == 0
    assert not Order.objects.filter(user=second_user).exists()
    assert first.status == OrderStatus.PENDING_PAYMENT


def test_create_booking_with_idempotency_key_returns_the_first_order():
    _venue, slots = make_bookable_venue()
    user = make_public_user()

    first = create_booking(user=user, slot_ids=[slots[0].pk], idempotency_key="abc")
    again = create_booking(user=user, slot_ids=[slots[0].pk], idempotency_key="abc")

    assert again.pk == first.pk
    assert Slot.objects.get(pk=slots[0].pk).taken == 1


def test_session_slot_sells_places_up_to_capacity():
    venue = make_venue()
    pool = make_court(venue, name="泳池", sport="swimming", kind="session", capacity=3)
    session = make_slot(pool, capacity=3, price="30.00")

    order = create_booking(
        user=make_public_user(phone="13800138001"), slot_ids=[session.pk], quantities={session.pk: 2}
    )
    assert order.amount == Decimal("60.00")
    with pytest.raises(SlotTaken):
        create_booking(user=make_public_user(phone="13800138002"), slot_ids=[session.pk], quantities={session.pk: 2})
    create_booking(user=make_public_user(phone="13800138003"), slot_ids=[session.pk])

    assert Slot.objects.get(pk=session.pk).taken == 3


def test_release_frees_the_places_once():
    _venue, slots = make_bookable_venue()
    order = create_booking(user=make_public_user(), slot_ids=[slots[0].pk])

    release_order_items(order=order)
    release_order_items(order=order)

    assert Slot.objects.get(pk=slots[0].pk).taken == 0
    create_booking(user=make_public_user(phone="13800138009"), slot_ids=[slots[0].pk])


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": "closed"}, "slot_unavailable"),
        ({"release_at": timezone.now() + timedelta(days=1)}, "slot_unavailable"),
    ],
)
def test_create_booking_refuses_closed_or_unreleased_slots(change, code):
    _venue, slots = make_bookable_venue()
    Slot.objects.filter(pk=slots[0].pk).update(**change)

    with pytest.raises(SlotUnavailable) as caught:
        create_booking(user=make_public_user(), slot_ids=[slots[0].pk])
    assert caught.value.code == code


def test_create_booking_refuses_started_slot():
    venue = make_venue()
    court = make_court(venue)
    past = make_slot(court, start=timezone.now() - timedelta(minutes=10))

    with pytest.raises(SlotUnavailable):
        create_booking(user=make_public_user(), slot_ids=[past.pk])


def test_create_booking_refuses_bad_ids():
    user = make_public_user()
    with pytest.raises(ValidationFailed):
        create_booking(user=user, slot_ids=["x"])
    with pytest.raises(SlotUnavailable):
        create_booking(user=user, slot_ids=[999999])


def test_daily_limit_counts_earlier_bookings():
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=5)
    user = make_public_user()
    create_booking(user=user, slot_ids=[s.pk for s in slots[:3]])

    with pytest.raises(LimitExceeded):
        create_booking(user=user, slot_ids=[s.pk for s in slots[3:5]])
    create_booking(user=user, slot_ids=[slots[3].pk])


def test_suspended_user_is_told_why_and_until_when():
    _venue, slots = make_bookable_venue()
    user = make_public_user()
    BookingSuspension.objects.create(
        user=user, starts_at=timezone.now(), until=timezone.now() + timedelta(days=7), reason="30天内3次未到场"
    )

    with pytest.raises(BookingSuspended) as caught:
        create_booking(user=user, slot_ids=[slots[0].pk])
    assert "30天内3次未到场" in str(caught.value.message)
