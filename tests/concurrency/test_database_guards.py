"""The database refuses oversell on its own, whatever the Python does; and the row locks the hot
path relies on really lock (Saleor #19615: a select_for_update that silently locked nothing)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone

from sportsplatform.booking.domain.holds import _user_flags
from sportsplatform.booking.models import BookingItem, BookingItemStatus, Slot
from sportsplatform.orders.models import Order, OrderKind
from tests.booking.factories import make_bookable_venue, make_slot
from tests.venues.factories import make_court, make_venue

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_S = 0.6


def _order(user, venue) -> Order:
    return Order.objects.create(
        number=f"T{Order.objects.count():019d}",
        user=user,
        kind=OrderKind.BOOKING,
        venue=venue,
        subtotal=Decimal("40.00"),
        amount=Decimal("40.00"),
    )


def test_raw_update_past_capacity_is_refused_by_the_check_constraint():
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    table = Slot._meta.db_table

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "taken" = "capacity" + 1 WHERE "id" = %s', [slots[0].pk])  # noqa: S608

    assert Slot.objects.get(pk=slots[0].pk).taken == 0


def test_session_taken_past_capacity_is_refused_even_by_an_unconditional_update():
    venue = make_venue()
    pool = make_court(venue, name="泳池", sport="swimming", kind="session", capacity=5)
    session = make_slot(pool, capacity=5)
    Slot.objects.filter(pk=session.pk).update(taken=5)

    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=session.pk).update(taken=6)

    assert Slot.objects.get(pk=session.pk).taken == 5


def test_a_second_active_item_of_an_exclusive_slot_is_refused_by_the_unique_index(make_users):
    venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    slot = slots[0]
    first_user, second_user = make_users(2)

    def item(user, order, **extra):
        return BookingItem(order=order, slot=slot, user=user, price=slot.price, start=slot.start, **extra)

    BookingItem.objects.bulk_create([item(first_user, _order(first_user, venue))])
    with pytest.raises(IntegrityError), transaction.atomic():
        # bulk_create skips every Python check: only the partial unique index stands in the way.
        BookingItem.objects.bulk_create([item(second_user, _order(second_user, venue))])
    assert BookingItem.objects.filter(slot=slot).count() == 1

    # A released item no longer counts: the slot can be held again.
    BookingItem.objects.filter(slot=slot).update(status=BookingItemStatus.RELEASED)
    BookingItem.objects.bulk_create([item(second_user, _order(second_user, venue))])
    assert BookingItem.objects.filter(slot=slot).exclude(status=BookingItemStatus.RELEASED).count() == 1


def test_session_items_may_share_a_slot():
    """The unique index only covers exclusive slots: a session sells many items of one slot."""
    venue = make_venue()
    pool = make_court(venue, name="泳池", sport="swimming", kind="session", capacity=5)
    session = make_slot(pool, capacity=5)
    users = [get_user_model().objects.create(username=f"s{i}") for i in range(3)]
    BookingItem.objects.bulk_create(
        BookingItem(
            order=_order(u, venue), slot=session, user=u, price=session.price, start=session.start, exclusive=False
        )
        for u in users
    )
    assert BookingItem.objects.filter(slot=session).count() == 3


def _hold_lock_in_thread(lock_rows, locked: threading.Event, release: threading.Event, done: dict):
    """In another thread (its own connection): open a transaction, lock with lock_rows(), signal,
    wait for `release`, commit."""

    def run():
        try:
            with transaction.atomic():
                lock_rows()
                locked.set()
                release.wait(timeout=30)
                time.sleep(HOLD_S)
                done["committed_at"] = time.monotonic()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert locked.wait(timeout=30)
    return thread


@pytest.mark.parametrize("rows", ["slot", "user (the per-user limit's lock)"])
def test_select_for_update_really_locks(rows, make_users):
    """While one connection holds the lock, a second one cannot take it: on PostgreSQL NOWAIT
    fails at once and a plain FOR UPDATE waits for the commit; on SQLite (no row locks) the booking
    transactions take the database's write lock at BEGIN (IMMEDIATE), so the second writer waits."""
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    (user,) = make_users(1)
    if rows == "slot":
        model, pk = Slot, slots[0].pk

        def lock_rows():
            return list(Slot.objects.select_for_update().filter(pk=pk))
    else:
        model, pk = type(user), user.pk

        def lock_rows():
            # What create_booking runs before counting the user's bookings of the day.
            return _user_flags(user, timezone.now(), lock=True)

    locked, release, done = threading.Event(), threading.Event(), {}
    holder = _hold_lock_in_thread(lock_rows, locked, release, done)
    try:
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError, match="could not obtain lock"), transaction.atomic():
                list(model.objects.select_for_update(nowait=True).filter(pk=pk))
        release.set()
        with transaction.atomic():
            # Waits for the holder (PostgreSQL: the row lock; SQLite: BEGIN IMMEDIATE's write lock).
            list(model.objects.select_for_update().filter(pk=pk))
            got_it_at = time.monotonic()
    finally:
        release.set()
        holder.join(timeout=30)
    assert not holder.is_alive()
    assert got_it_at >= done["committed_at"]
