"""Booking messages on order status changes, and the reminder sent once per paid booking."""

from datetime import timedelta

import pytest

from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.notifications.models import Notification
from sportsplatform.notifications.receivers import send_booking_reminders
from sportsplatform.orders.domain.expiry import expire_order
from sportsplatform.orders.models import OrderEvent
from tests.booking.factories import make_bookable_venue
from tests.payments.helpers import new_buyer, overdue, pay_with_sandbox

pytestmark = pytest.mark.django_db


def test_paying_a_booking_sends_a_confirmation_with_the_times(django_capture_on_commit_callbacks):
    venue, slots = make_bookable_venue(courts=1, slots_per_court=2)
    user = new_buyer()
    order = create_booking(user=user, slot_ids=[slots[0].pk, slots[1].pk])

    pay_with_sandbox(order, django_capture_on_commit_callbacks)

    message = Notification.objects.get(user=user, kind="booking.confirmed")
    assert venue.name in message.body and "1号场" in message.body and "80.00" in message.body


def test_an_expired_booking_tells_the_user(django_capture_on_commit_callbacks):
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    user = new_buyer()
    order = overdue(create_booking(user=user, slot_ids=[slots[0].pk]))

    with django_capture_on_commit_callbacks(execute=True):
        expire_order(order_id=order.pk)

    assert Notification.objects.filter(user=user, kind="booking.expired").count() == 1
    assert not Notification.objects.filter(user=user, kind="booking.confirmed").exists()


def test_reminder_goes_once_two_hours_before_the_start(django_capture_on_commit_callbacks):
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=2)
    user = new_buyer()
    order = create_booking(user=user, slot_ids=[slots[0].pk])
    pay_with_sandbox(order, django_capture_on_commit_callbacks)
    unpaid = create_booking(user=new_buyer(), slot_ids=[slots[1].pk])
    start = slots[0].start

    with django_capture_on_commit_callbacks(execute=True):
        assert send_booking_reminders(now=start - timedelta(hours=3)) == []
        assert send_booking_reminders(now=start - timedelta(minutes=110)) == [order.pk]
        assert send_booking_reminders(now=start - timedelta(minutes=100)) == []

    assert Notification.objects.filter(user=user, kind="booking.reminder").count() == 1
    assert OrderEvent.objects.filter(order=order, action="booking.reminder_sent").count() == 1
    assert not OrderEvent.objects.filter(order=unpaid, action="booking.reminder_sent").exists()
    reminder = Notification.objects.get(user=user, kind="booking.reminder")
    assert reminder.deliveries == {"sms": "sent", "wechat": "skipped: WeChat official account not configured"}
