"""The periodic booking jobs run as celery tasks (eager here) and report what they did."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.booking.domain.holidays import sync_holidays
from sportsplatform.booking.models import BookingItem, BookingItemStatus, DayKind, HolidayDate, PriceRule, Slot
from sportsplatform.booking.tasks import (
    close_day_task,
    mark_no_shows_task,
    regenerate_all_task,
    regenerate_venue_task,
    send_booking_reminders_task,
)
from sportsplatform.orders.models import OrderStatus
from tests.payments.helpers import new_buyer, pay_with_sandbox

from .factories import make_bookable_venue

pytestmark = pytest.mark.django_db


def test_no_show_and_reminder_tasks_run_on_nothing_due():
    assert mark_no_shows_task.delay().get() == {"orders": 0, "suspensions": 0}
    assert send_booking_reminders_task.delay().get() == 0


def test_close_day_task_cancels_the_days_bookings(django_capture_on_commit_callbacks):
    venue, slots = make_bookable_venue(courts=1, slots_per_court=2)
    order = create_booking(user=new_buyer(), slot_ids=[slots[0].pk])
    pay_with_sandbox(order, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        result = close_day_task.delay(venue.pk, slots[0].date.isoformat(), "").get()

    assert result["orders"] == [order.number] and result["slots"] == 2
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert Slot.objects.get(pk=slots[0].pk).closed_reason  # the default "closed all day" reason
    assert close_day_task.delay(999999, slots[0].date.isoformat(), "").get() == {}


def test_regeneration_tasks_for_one_venue_and_after_a_calendar_change():
    from sportsplatform.booking.domain.slots import generate_slots

    venue, _slots = make_bookable_venue(courts=1, slots_per_court=1)
    generate_slots(venue=venue, start=timezone.localdate(), days=8)
    PriceRule.objects.create(venue=venue, day_kind=DayKind.HOLIDAY, starts="00:00", ends="23:59", price="99.00")
    tomorrow = timezone.localdate() + timedelta(days=1)
    HolidayDate.objects.update_or_create(date=tomorrow, defaults={"is_holiday": True, "name": "测试节"})

    assert regenerate_all_task.delay().get() >= 1
    assert set(Slot.objects.filter(venue=venue, date=tomorrow, taken=0).values_list("price", flat=True)) == {
        Decimal("99.00")
    }
    assert regenerate_venue_task.delay(999999).get() == {}
    assert sync_holidays(years=[2026])["unknown_years"] == []


def test_no_show_task_marks_and_counts(django_capture_on_commit_callbacks):
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    order = create_booking(user=new_buyer(), slot_ids=[slots[0].pk])
    pay_with_sandbox(order, django_capture_on_commit_callbacks)
    Slot.objects.filter(pk=slots[0].pk).update(start=timezone.now() - timedelta(hours=1))
    BookingItem.objects.filter(order=order).update(start=timezone.now() - timedelta(hours=1))

    assert mark_no_shows_task.delay().get() == {"orders": 1, "suspensions": 0}
    assert BookingItem.objects.get(order=order).status == BookingItemStatus.NO_SHOW
