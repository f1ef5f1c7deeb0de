"""seed_demo's booking step: policies, price rules, session courts, the slot window of every
bookable venue and the demo user's history, made through the domain functions; idempotent."""

import pytest
from django.db.models import Q

from sportsplatform.backoffice.demo import SeedContext, seed_accounts
from sportsplatform.booking.demo import seed_booking
from sportsplatform.booking.models import BookingPolicy, PriceRule, Slot, Ticket
from sportsplatform.orders.models import Order, OrderKind, OrderStatus
from sportsplatform.venues.demo import seed_venues
from sportsplatform.venues.models import Court, CourtKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    settings.DEMO_SEED_SCALE = 0.03
    settings.DEMO_SEED_PHOTOS = False
    ctx = SeedContext(log=lambda message: None)
    with django_capture_on_commit_callbacks(execute=True):
        seed_accounts(ctx)
        seed_venues(ctx)
    with django_capture_on_commit_callbacks(execute=True):
        seed_booking(ctx)
    return ctx


def test_booking_step_gives_rules_sessions_slots_and_a_history_once(seeded, django_capture_on_commit_callbacks):
    assert BookingPolicy.objects.count() > 10
    assert BookingPolicy.objects.exclude(window_days=7).exists()
    assert PriceRule.objects.filter(name="晚间高峰").exists() and PriceRule.objects.filter(name="周末").exists()
    assert PriceRule.objects.filter(member_price__isnull=False).exists()
    sessions = Court.objects.filter(kind=CourtKind.SESSION)
    assert sessions.exists()
    assert Slot.objects.filter(court__in=sessions, capacity__gt=1).exists()
    ahead = BookingPolicy.objects.filter(Q(venue__operator__isnull=False) | Q(venue__region_id="510107"))
    with_slots = set(Slot.objects.values_list("venue_id", flat=True).distinct())
    assert set(ahead.values_list("venue_id", flat=True)) <= with_slots

    orders = Order.objects.filter(user__username="user", kind=OrderKind.BOOKING)
    assert set(orders.values_list("status", flat=True)) == {
        OrderStatus.PAID, OrderStatus.USED, OrderStatus.REFUNDED, OrderStatus.EXPIRED
    }  # fmt: skip
    paid = orders.get(status=OrderStatus.PAID)
    assert Ticket.objects.get(order=paid).used_at is None
    assert Ticket.objects.get(order=orders.get(status=OrderStatus.USED)).used_at is not None
    assert orders.get(status=OrderStatus.REFUNDED).refunded_amount > 0
    assert Order.objects.filter(user__username__startswith="demo_booker", status=OrderStatus.PAID).exists()

    # A second run adds nothing.
    counts = (BookingPolicy.objects.count(), PriceRule.objects.count(), Slot.objects.count(), Order.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        seed_booking(seeded)
    assert (BookingPolicy.objects.count(), PriceRule.objects.count(), Slot.objects.count(), Order.objects.count()) == (
        counts
    )
