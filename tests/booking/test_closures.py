"""Closing courts: slots closed, every order holding them cancelled and refunded in full (each on
its own), users told why; reopening; closed days from the venue calendar."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sportsplatform.booking.domain.closures import close_slots, reopen_slots
from sportsplatform.booking.domain.errors import SlotUnavailable
from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.booking.models import BookingItem, BookingItemStatus, Slot, SlotStatus
from sportsplatform.core.errors import NotPermitted, ValidationFailed
from sportsplatform.notifications.channels import sms_outbox
from sportsplatform.notifications.models import Notification
from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments.models import Refund, RefundStatus
from sportsplatform.venues.models import OpeningException
from tests.payments.helpers import assert_ledger_balances, new_buyer, pay_with_sandbox
from tests.support.accounts import make_operator
from tests.venues.factories import make_court

from .factories import make_bookable_venue, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_venue():
    operator = make_operator()
    org = operator.memberships.get().organisation
    venue, slots = make_bookable_venue(courts=2, slots_per_court=3, operator=org)
    return operator, venue, slots


def test_closing_a_court_cancels_and_refunds_everyone_and_tells_them(
    operator_venue, django_capture_on_commit_callbacks
):
    operator, _venue, slots = operator_venue
    court = slots[0].court
    paid_buyer, pending_buyer, other_court_buyer = new_buyer(), new_buyer(), new_buyer()
    paid = create_booking(user=paid_buyer, slot_ids=[slots[0].pk, slots[1].pk])
    pay_with_sandbox(paid, django_capture_on_commit_callbacks)
    pending = create_booking(user=pending_buyer, slot_ids=[slots[2].pk])
    untouched = create_booking(user=other_court_buyer, slot_ids=[slots[3].pk])
    sms_outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = close_slots(court=court, start=slots[0].start, end=slots[2].end, reason="场地翻新", actor=operator)

    assert result.slots == 3 and not result.failed
    assert sorted(result.orders) == sorted([paid.number, pending.number])
    assert set(Slot.objects.filter(court=court).values_list("status", "closed_reason", "taken")) == {
        (SlotStatus.CLOSED, "场地翻新", 0)
    }
    paid.refresh_from_db()
    pending.refresh_from_db()
    untouched.refresh_from_db()
    assert (paid.status, paid.refunded_amount) == (OrderStatus.REFUNDED, Decimal("80.00"))
    assert Refund.objects.get(payment__order=paid).status == RefundStatus.SUCCEEDED
    assert pending.status == OrderStatus.CANCELLED
    assert untouched.status == OrderStatus.PENDING_PAYMENT
    notice = Notification.objects.get(user=paid_buyer, kind="booking.closed")
    assert "场地翻新" in notice.body and "80.00" in notice.body
    assert notice.deliveries["sms"] == "sent"
    assert Notification.objects.filter(user=pending_buyer, kind="booking.closed").exists()
    assert not Notification.objects.filter(user=other_court_buyer, kind="booking.closed").exists()
    assert {sms.phone for sms in sms_outbox} == {paid_buyer.phone, pending_buyer.phone}
    assert_ledger_balances()


def test_closed_slots_cannot_be_booked_and_reopen_for_booking(operator_venue, django_capture_on_commit_callbacks):
    operator, venue, slots = operator_venue
    with django_capture_on_commit_callbacks(execute=True):
        close_slots(venue=venue, start=slots[0].start, end=slots[0].end, reason="比赛", actor=operator)
    with pytest.raises(SlotUnavailable):
        create_booking(user=new_buyer(), slot_ids=[slots[0].pk])

    count = reopen_slots(venue=venue, start=slots[0].start, end=slots[0].end, actor=operator)

    assert count == 2  # both courts at that hour
    assert create_booking(user=new_buyer(), slot_ids=[slots[0].pk]).status == OrderStatus.PENDING_PAYMENT


def test_used_bookings_are_not_cancelled(operator_venue, django_capture_on_commit_callbacks):
    operator, _venue, slots = operator_venue
    order = create_booking(user=new_buyer(), slot_ids=[slots[0].pk])
    pay_with_sandbox(order, django_capture_on_commit_callbacks)
    BookingItem.objects.filter(order=order).update(status=BookingItemStatus.CHECKED_IN)

    result = close_slots(court=slots[0].court, start=slots[0].start, end=slots[0].end, reason="漏水", actor=operator)

    assert result.orders == []
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_closing_needs_a_reason_a_range_and_the_venue_in_scope(operator_venue):
    operator, _venue, slots = operator_venue
    other_operator = make_operator(region_code="510104", username="other")
    with pytest.raises(ValidationFailed):
        close_slots(court=slots[0].court, start=slots[0].start, end=slots[0].end, reason=" ", actor=operator)
    with pytest.raises(ValidationFailed):
        close_slots(court=slots[0].court, start=slots[0].end, end=slots[0].start, reason="x", actor=operator)
    with pytest.raises(NotPermitted):
        close_slots(court=slots[0].court, start=slots[0].start, end=slots[0].end, reason="x", actor=other_operator)
    assert not Slot.objects.filter(status=SlotStatus.CLOSED).exists()


def test_reopen_does_not_open_slots_outside_the_hours(operator_venue):
    operator, venue, _slots = operator_venue
    court = make_court(venue, name="夜场")
    night = timezone.localtime(timezone.now() + timedelta(days=2)).replace(hour=23, minute=0, second=0, microsecond=0)
    slot = make_slot(court, start=night, status=SlotStatus.CLOSED, closed_reason="x")

    assert reopen_slots(court=court, start=night, end=night + timedelta(hours=1), actor=operator) == 0
    slot.refresh_from_db()
    assert slot.status == SlotStatus.CLOSED


def test_a_closed_day_in_the_venue_calendar_cancels_that_days_bookings(
    operator_venue, django_capture_on_commit_callbacks
):
    _operator, venue, slots = operator_venue
    buyer = new_buyer()
    order = create_booking(user=buyer, slot_ids=[slots[0].pk])
    pay_with_sandbox(order, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        OpeningException.objects.create(venue=venue, date=slots[0].date, is_closed=True, reason="全馆消杀")

    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert set(Slot.objects.filter(venue=venue, date=slots[0].date).values_list("status", flat=True)) == {
        SlotStatus.CLOSED
    }
    assert "全馆消杀" in Notification.objects.get(user=buyer, kind="booking.closed").body
