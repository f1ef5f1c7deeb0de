"""Slot generation (hours, exceptions, sessions, release times), the daily task and command, and
regeneration after the operator changes hours, prices, courts or the policy."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from sportsplatform.booking.domain.closures import OUTSIDE_HOURS, regenerate_venue_slots
from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.booking.domain.slots import generate_all, generate_slots
from sportsplatform.booking.models import BookingPolicy, DayKind, PriceRule, Slot, SlotStatus
from sportsplatform.booking.tasks import generate_slots_task
from sportsplatform.venues.models import CourtKind, OpeningException, OpeningHours
from tests.support.accounts import make_public_user
from tests.venues.factories import make_court, make_venue

pytestmark = pytest.mark.django_db


def local(slot):
    return timezone.localtime(slot.start).strftime("%H:%M")


def test_slots_follow_opening_hours_with_a_lunch_break():
    venue = make_venue(hours={d: [("09:00", "12:00"), ("14:00", "16:00")] for d in range(7)})
    make_court(venue)
    day = timezone.localdate() + timedelta(days=1)

    assert generate_slots(venue=venue, start=day, days=1) == 5

    assert [local(s) for s in Slot.objects.filter(venue=venue).order_by("start")] == [
        "09:00", "10:00", "11:00", "14:00", "15:00"
    ]  # fmt: skip


def test_generation_is_idempotent_and_skips_unbookable_courts():
    venue = make_venue(hours={d: [("08:00", "10:00")] for d in range(7)})
    make_court(venue)
    make_court(venue, name="训练场", is_bookable=False)
    day = timezone.localdate() + timedelta(days=1)

    assert generate_slots(venue=venue, start=day, days=2) == 4
    assert generate_slots(venue=venue, start=day, days=2) == 0
    assert Slot.objects.filter(venue=venue).count() == 4


def test_exceptions_close_a_day_or_change_its_hours():
    venue = make_venue(hours={d: [("08:00", "12:00")] for d in range(7)})
    make_court(venue)
    day = timezone.localdate() + timedelta(days=1)
    OpeningException.objects.create(venue=venue, date=day, is_closed=True, reason="设备检修")
    OpeningException.objects.create(
        venue=venue, date=day + timedelta(days=1), is_closed=False, opens=time(10), closes=time(12), reason="活动"
    )

    generate_slots(venue=venue, start=day, days=2)

    assert not Slot.objects.filter(venue=venue, date=day).exists()
    assert [local(s) for s in Slot.objects.filter(venue=venue, date=day + timedelta(days=1))] == ["10:00", "11:00"]


def test_session_court_slots_have_its_capacity_and_custom_length():
    venue = make_venue(hours={d: [("08:00", "10:00")] for d in range(7)})
    make_court(venue, name="游泳场次", sport="swimming", kind=CourtKind.SESSION, capacity=80, price="30.00")
    BookingPolicy.objects.create(venue=venue, slot_minutes=30)
    day = timezone.localdate() + timedelta(days=1)

    generate_slots(venue=venue, start=day, days=1)

    slots = list(Slot.objects.filter(venue=venue).order_by("start"))
    assert len(slots) == 4
    assert {s.capacity for s in slots} == {80}
    assert slots[0].price == Decimal("15.00")


def test_release_time_is_the_window_before_at_the_policys_hour():
    venue = make_venue()
    make_court(venue)
    BookingPolicy.objects.create(venue=venue, window_days=3, release_time=time(12, 0))
    day = timezone.localdate() + timedelta(days=2)

    generate_slots(venue=venue, start=day, days=1)

    release = timezone.localtime(Slot.objects.filter(venue=venue).first().release_at)
    assert (release.date(), release.time()) == (day - timedelta(days=3), time(12, 0))


def test_daily_task_and_command_fill_the_window_of_bookable_venues():
    venue = make_venue(hours={d: [("08:00", "10:00")] for d in range(7)})
    make_court(venue)
    hidden = make_venue(is_published=False)
    make_court(hidden)

    assert generate_slots_task.delay().get() == 2 * 8
    assert not Slot.objects.filter(venue=hidden).exists()
    assert generate_all() == 0

    Slot.objects.all().delete()
    out = StringIO()
    call_command("generate_slots", "--venue", str(venue.pk), "--days", "2", stdout=out)
    assert Slot.objects.filter(venue=venue).count() == 4
    assert "4 slots created" in out.getvalue()


def test_generate_slots_command_refuses_bad_arguments():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("generate_slots", "--days", "0")
    with pytest.raises(CommandError):
        call_command("generate_slots", "--venue", "999999")


def test_beat_schedule_has_the_booking_jobs():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "sportsplatform.booking.tasks.generate_slots_task",
        "sportsplatform.booking.tasks.mark_no_shows_task",
        "sportsplatform.booking.tasks.send_booking_reminders_task",
        "sportsplatform.orders.tasks.expire_due_orders_task",
    } <= tasks


# --- regeneration ----------------------------------------------------------------------------------


@pytest.fixture
def venue_with_window():
    venue = make_venue(hours={d: [("08:00", "12:00")] for d in range(7)})
    court = make_court(venue, price="40.00")
    day = timezone.localdate() + timedelta(days=1)
    generate_slots(venue=venue, start=timezone.localdate(), days=8)
    return venue, court, day


def _slot(venue, day, hour):
    return Slot.objects.get(venue=venue, start=timezone.make_aware(datetime.combine(day, time(hour))))


def test_new_price_rule_reprices_unbooked_slots_but_never_a_held_one(venue_with_window):
    venue, _court, day = venue_with_window
    held = _slot(venue, day, 9)
    create_booking(user=make_public_user(), slot_ids=[held.pk])
    PriceRule.objects.create(venue=venue, day_kind=DayKind.ANY, starts=time(8), ends=time(12), price=Decimal("55.00"))

    result = regenerate_venue_slots(venue=venue)

    assert result.repriced > 0
    assert _slot(venue, day, 10).price == Decimal("55.00")
    assert _slot(venue, day, 9).price == Decimal("40.00")  # sold at 40: stays


def test_shorter_hours_close_slots_and_longer_hours_reopen_and_add(venue_with_window):
    venue, _court, day = venue_with_window
    OpeningHours.objects.filter(venue=venue).update(closes=time(10))

    assert regenerate_venue_slots(venue=venue).closed >= 2 * 7
    late = _slot(venue, day, 11)
    assert (late.status, late.closed_reason) == (SlotStatus.CLOSED, OUTSIDE_HOURS)
    assert _slot(venue, day, 9).status == SlotStatus.OPEN

    OpeningHours.objects.filter(venue=venue).update(closes=time(13))
    result = regenerate_venue_slots(venue=venue)

    assert _slot(venue, day, 11).status == SlotStatus.OPEN
    assert _slot(venue, day, 12).status == SlotStatus.OPEN
    assert result.reopened >= 2 and result.created >= 7


def test_policy_change_moves_release_times_of_unbooked_slots(venue_with_window):
    venue, _court, day = venue_with_window
    BookingPolicy.objects.create(venue=venue, window_days=7, release_time=time(12, 0))

    regenerate_venue_slots(venue=venue)

    assert timezone.localtime(_slot(venue, day, 9).release_at).time() == time(12, 0)


def test_court_made_unbookable_closes_its_future_slots(venue_with_window):
    venue, court, _day = venue_with_window
    court.is_bookable = False
    court.save()

    regenerate_venue_slots(venue=venue)

    assert not Slot.objects.filter(court=court, start__gt=timezone.now(), status=SlotStatus.OPEN).exists()


def test_saving_price_rules_regenerates_once_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        venue = make_venue(hours={d: [("08:00", "12:00")] for d in range(7)})
        make_court(venue, price="40.00")
        generate_slots(venue=venue, start=timezone.localdate(), days=8)
    day = timezone.localdate() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        PriceRule.objects.create(
            venue=venue, day_kind=DayKind.ANY, starts=time(8), ends=time(12), price=Decimal("66.00")
        )
        PriceRule.objects.create(
            venue=venue, day_kind=DayKind.WEEKEND, starts=time(8), ends=time(12), price=Decimal("77.00")
        )
    assert len(callbacks) == 1
    expected = Decimal("77.00") if day.weekday() >= 5 else Decimal("66.00")
    assert _slot(venue, day, 10).price == expected
