"""Real threads, each with its own database connection, race for the same slots through
booking.domain.holds.create_booking — on whichever database the suite runs on (SQLite, then
PostgreSQL in `make test`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F, Q, Sum
from django.test import override_settings

from sportsplatform.booking.domain.errors import SlotTaken
from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.booking.models import BookingItem, BookingItemStatus, Slot
from sportsplatform.orders.models import Order
from tests.booking.factories import make_bookable_venue, make_slot
from tests.venues.factories import make_court, make_venue

from .support import race

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 32
# No cache at all: every loser must be refused by the database, not by the full-slot hint.
NO_HINTS = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def active_places(slot: Slot) -> int:
    return (
        BookingItem.objects.filter(slot=slot)
        .exclude(status=BookingItemStatus.RELEASED)
        .aggregate(n=Sum("quantity"))["n"]
        or 0
    )


def assert_consistent() -> None:
    """Every slot: taken = its active places ≤ capacity; no exclusive slot with two active items."""
    for slot in Slot.objects.all():
        assert slot.taken == active_places(slot) <= slot.capacity, slot
    doubled = (
        BookingItem.objects.filter(exclusive=True)
        .exclude(status=BookingItemStatus.RELEASED)
        .values("slot")
        .annotate(n=Sum("quantity"))
        .filter(n__gt=1)
    )
    assert not doubled.exists()


@pytest.mark.parametrize("cache", ["hints", "no hints"])
def test_exclusive_slot_has_exactly_one_winner(make_users, cache):
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    slot = slots[0]
    users = make_users(THREADS)

    with override_settings(CACHES=NO_HINTS) if cache == "no hints" else _nothing():
        outcome = race(THREADS, lambda i: create_booking(user=users[i], slot_ids=[slot.pk]))

    assert outcome.stuck == 0
    assert len(outcome.results) == 1
    assert len(outcome.errors_of(SlotTaken)) == THREADS - 1
    assert len(outcome.unexpected) == THREADS - 1  # the losers' SlotTaken, nothing else
    winner = outcome.results[0]
    assert Order.objects.count() == 1
    assert list(BookingItem.objects.values_list("order_id", "slot_id", "status")) == [
        (winner.pk, slot.pk, BookingItemStatus.HELD)
    ]
    # The losers hold nothing: no order, no item.
    assert not Order.objects.exclude(user=winner.user).exists()
    assert not BookingItem.objects.exclude(user=winner.user).exists()
    assert Slot.objects.get(pk=slot.pk).taken == 1
    assert_consistent()


def test_session_is_never_oversold(make_users):
    venue = make_venue()
    pool = make_court(venue, name="泳池", sport="swimming", kind="session", capacity=10)
    session = make_slot(pool, capacity=10, price="30.00")
    users = make_users(THREADS)
    wanted = [1 + i % 3 for i in range(THREADS)]  # 1, 2 or 3 places each: 64 asked for 10

    with override_settings(CACHES=NO_HINTS):
        outcome = race(
            THREADS,
            lambda i: create_booking(user=users[i], slot_ids=[session.pk], quantities={session.pk: wanted[i]}),
        )

    assert outcome.stuck == 0
    assert len(outcome.errors_of(SlotTaken)) == len(outcome.unexpected)
    sold = sum(item.quantity for item in BookingItem.objects.all())
    assert sold == sum(wanted[users.index(order.user)] for order in outcome.results)
    assert sold <= 10
    assert Slot.objects.get(pk=session.pk).taken == sold
    # Someone asking for 1 place always fits while places are left: the session ends up full.
    assert sold == 10
    assert Order.objects.count() == len(outcome.results)
    assert_consistent()


def test_session_places_one_each_sell_exactly_capacity(make_users):
    venue = make_venue()
    gym = make_court(venue, name="健身房", sport="swimming", kind="session", capacity=7)
    session = make_slot(gym, capacity=7, price="20.00")
    users = make_users(THREADS)

    outcome = race(THREADS, lambda i: create_booking(user=users[i], slot_ids=[session.pk]))

    assert outcome.stuck == 0
    assert len(outcome.results) == 7
    assert len(outcome.errors_of(SlotTaken)) == THREADS - 7 == len(outcome.unexpected)
    assert Slot.objects.get(pk=session.pk).taken == 7
    assert_consistent()


def test_overlapping_multi_slot_orders_in_opposite_orders_do_not_deadlock(make_users):
    """Half the threads ask for A, B, C and the other half for C, B, A (and pairs of them): the
    slots are locked in id order, so nobody waits in a cycle; each order is all or nothing."""
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=4)
    a, b, c, d = (s.pk for s in slots)
    asks = [[a, b, c], [c, b, a], [b, a], [c, b], [d, c], [a, d], [d, b, a], [b, d]]
    users = make_users(THREADS)

    with override_settings(CACHES=NO_HINTS):
        outcome = race(
            THREADS, lambda i: (asks[i % len(asks)], create_booking(user=users[i], slot_ids=asks[i % len(asks)]))
        )

    assert outcome.stuck == 0
    # Only slot_taken: no deadlock detected, no "database is locked", no integrity error.
    assert len(outcome.errors_of(SlotTaken)) == len(outcome.unexpected)
    assert outcome.results, "someone must win"
    won = set()
    for asked, order in outcome.results:
        held = sorted(order.booking_items.values_list("slot_id", flat=True))
        assert held == sorted(asked)  # the whole request, never part of it
        assert not won & set(held)
        won |= set(held)
    for slot in Slot.objects.filter(pk__in=[a, b, c, d]):
        assert slot.taken == (1 if slot.pk in won else 0)
    assert BookingItem.objects.count() == sum(len(asked) for asked, _order in outcome.results)
    assert_consistent()


def test_a_loser_of_a_multi_slot_race_keeps_no_part_of_its_order(make_users):
    """Everyone asks for a free slot of their own plus one contested slot: the losers' own free
    slots stay free."""
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    contested = slots[0]
    # 23:00, after closing: no slot the grid generates for the new courts is at that time.
    late = contested.start + timedelta(hours=13)
    courts = [make_court(contested.venue, name=f"{i + 2}号场") for i in range(16)]
    own = [make_slot(court, start=late) for court in courts]
    users = make_users(16)

    with override_settings(CACHES=NO_HINTS):
        outcome = race(16, lambda i: create_booking(user=users[i], slot_ids=[own[i].pk, contested.pk]))

    assert outcome.stuck == 0
    assert len(outcome.results) == 1
    assert len(outcome.errors_of(SlotTaken)) == 15 == len(outcome.unexpected)
    winner = users.index(outcome.results[0].user)
    assert list(Slot.objects.filter(pk__in=[s.pk for s in own], taken__gt=0).values_list("pk", flat=True)) == [
        own[winner].pk
    ]
    assert BookingItem.objects.count() == 2
    assert_consistent()
    assert not Slot.objects.filter(Q(taken__gt=F("capacity"))).exists()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
