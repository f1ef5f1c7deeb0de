"""No-shows: paid bookings not checked in are marked, repeated ones suspend booking with the reason
shown, and suspensions can be lifted (audited)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sportsplatform.booking.domain.errors import BookingSuspended
from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.booking.domain.noshow import lift_suspension, mark_no_shows, no_show_reason
from sportsplatform.booking.models import BookingItem, BookingItemStatus, BookingSuspension
from sportsplatform.core.errors import NotPermitted, ValidationFailed
from sportsplatform.notifications.models import Notification
from sportsplatform.orders.models import OrderStatus
from tests.payments.helpers import new_buyer, pay_with_sandbox
from tests.support.accounts import make_public_user
from tests.venues.factories import make_court

from .factories import make_bookable_venue, make_slot

pytestmark = pytest.mark.django_db


def paid_booking(user, slot, capture):
    order = create_booking(user=user, slot_ids=[slot.pk])
    pay_with_sandbox(order, capture)
    return order


def test_a_paid_booking_not_checked_in_becomes_a_no_show(django_capture_on_commit_callbacks):
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=2)
    user = new_buyer()
    order = paid_booking(user, slots[0], django_capture_on_commit_callbacks)
    start = slots[0].start

    with django_capture_on_commit_callbacks(execute=True):
        assert mark_no_shows(now=start + timedelta(minutes=29)).orders == []
        result = mark_no_shows(now=start + timedelta(minutes=31))

    assert result.orders == [order.pk]
    assert BookingItem.objects.get(order=order).status == BookingItemStatus.NO_SHOW
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Notification.objects.filter(user=user, kind="booking.no_show").exists()
    assert mark_no_shows(now=start + timedelta(minutes=40)).orders == []  # once


def test_checked_in_and_unpaid_bookings_are_not_no_shows(django_capture_on_commit_callbacks):
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=2)
    checked = paid_booking(new_buyer(), slots[0], django_capture_on_commit_callbacks)
    BookingItem.objects.filter(order=checked).update(status=BookingItemStatus.CHECKED_IN)
    create_booking(user=new_buyer(), slot_ids=[slots[1].pk])

    assert mark_no_shows(now=slots[1].start + timedelta(hours=1)).orders == []


def test_third_no_show_in_30_days_suspends_booking_for_7_days_with_the_reason(django_capture_on_commit_callbacks):
    venue, _slots = make_bookable_venue(courts=1, slots_per_court=1)
    court = make_court(venue, name="3号场")
    user = make_public_user()
    base = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    slots = [make_slot(court, start=base + timedelta(hours=i)) for i in range(3)]
    orders = [paid_booking(user, s, django_capture_on_commit_callbacks) for s in slots]

    with django_capture_on_commit_callbacks(execute=True):
        mark_no_shows(now=slots[0].start + timedelta(minutes=31))
        mark_no_shows(now=slots[1].start + timedelta(minutes=31))
        assert not BookingSuspension.objects.filter(user=user).exists()
        result = mark_no_shows(now=slots[2].start + timedelta(minutes=31))

    assert len(result.orders) == 1 and len(orders) == 3
    suspension = BookingSuspension.objects.get(user=user)
    assert suspension.reason == no_show_reason(count=3, days=30)  # zh: 30天内3次预订未到场
    assert suspension.until - suspension.starts_at == timedelta(days=7)
    assert Notification.objects.get(user=user, kind="booking.suspended").deliveries["sms"] == "sent"

    later = make_slot(court, start=base + timedelta(hours=5))
    with pytest.raises(BookingSuspended) as caught:
        create_booking(user=user, slot_ids=[later.pk], now=slots[2].start + timedelta(hours=1))
    assert suspension.reason in str(caught.value)


def test_lifting_a_suspension_is_audited_and_needs_the_permission(admin_user):
    from auditlog.models import LogEntry

    user = make_public_user()
    now = timezone.now()
    suspension = BookingSuspension.objects.create(
        user=user, starts_at=now, until=now + timedelta(days=7), reason="30天内3次预订未到场"
    )
    with pytest.raises(NotPermitted):
        lift_suspension(suspension=suspension, actor=make_public_user(phone="13800138111"))

    lift_suspension(suspension=suspension, actor=admin_user, note="误判")

    suspension.refresh_from_db()
    assert suspension.lifted_by == admin_user and suspension.lifted_at is not None
    assert LogEntry.objects.filter(additional_data__action="booking.suspension.lifted").exists()
    with pytest.raises(ValidationFailed):
        lift_suspension(suspension=suspension, actor=admin_user)
