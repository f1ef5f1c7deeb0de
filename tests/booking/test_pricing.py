"""Slot prices: day kinds from the holiday calendar, peak hours, member prices, court over venue."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from sportsplatform.booking.domain.pricing import day_kinds, slot_price
from sportsplatform.booking.models import DayKind, HolidayDate, PriceRule
from tests.venues.factories import make_court, make_venue

pytestmark = pytest.mark.django_db

# 2026: 10-01 (Thursday) National Day holiday; 2026-09-20 (Sunday) a make-up working day; 2026-11-18 a
# plain Wednesday; 2026-11-21 a plain Saturday.
WEDNESDAY = date(2026, 11, 18)
SATURDAY = date(2026, 11, 21)
HOLIDAY_THURSDAY = date(2026, 10, 1)
MAKEUP_SUNDAY = date(2026, 9, 20)


def at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def price(court, day, hour, rules):
    start = at(day, hour)
    kind = day_kinds([day])[day]
    return slot_price(court=court, start=start, end=start.replace(hour=hour + 1), kind=kind, rules=rules)


def test_day_kinds_follow_the_state_council_calendar():
    assert HolidayDate.objects.get(date=HOLIDAY_THURSDAY).is_holiday
    assert not HolidayDate.objects.get(date=MAKEUP_SUNDAY).is_holiday

    kinds = day_kinds([WEDNESDAY, SATURDAY, HOLIDAY_THURSDAY, MAKEUP_SUNDAY])

    assert kinds == {
        WEDNESDAY: DayKind.WEEKDAY,
        SATURDAY: DayKind.WEEKEND,
        HOLIDAY_THURSDAY: DayKind.HOLIDAY,
        MAKEUP_SUNDAY: DayKind.WEEKDAY,
    }


@pytest.fixture
def court_and_rules():
    venue = make_venue()
    court = make_court(venue, price="40.00")
    other = make_court(venue, name="2号场", price="40.00")
    rules = [
        PriceRule.objects.create(venue=venue, name="白天", day_kind=DayKind.ANY, starts=time(8), ends=time(18),
                                 price=Decimal("40.00")),
        PriceRule.objects.create(venue=venue, name="晚间高峰", day_kind=DayKind.WEEKDAY, starts=time(18),
                                 ends=time(22), price=Decimal("60.00"), member_price=Decimal("48.00")),
        PriceRule.objects.create(venue=venue, name="周末", day_kind=DayKind.WEEKEND, starts=time(8), ends=time(22),
                                 price=Decimal("55.00")),
        PriceRule.objects.create(venue=venue, name="节假日", day_kind=DayKind.HOLIDAY, starts=time(8),
                                 ends=time(22), price=Decimal("70.00"), member_price=Decimal("65.00")),
        PriceRule.objects.create(venue=venue, court=other, name="2号场高峰", day_kind=DayKind.WEEKDAY,
                                 starts=time(18), ends=time(22), price=Decimal("80.00")),
    ]  # fmt: skip
    return court, other, rules


def test_weekday_day_and_evening_peak_with_member_price(court_and_rules):
    court, _other, rules = court_and_rules
    assert price(court, WEDNESDAY, 10, rules) == (Decimal("40.00"), Decimal("40.00"))
    assert price(court, WEDNESDAY, 19, rules) == (Decimal("60.00"), Decimal("48.00"))


def test_weekend_and_holiday_rules(court_and_rules):
    court, _other, rules = court_and_rules
    assert price(court, SATURDAY, 19, rules) == (Decimal("55.00"), Decimal("55.00"))
    assert price(court, HOLIDAY_THURSDAY, 19, rules) == (Decimal("70.00"), Decimal("65.00"))


def test_makeup_working_day_takes_working_day_prices(court_and_rules):
    court, _other, rules = court_and_rules
    assert price(court, MAKEUP_SUNDAY, 19, rules) == (Decimal("60.00"), Decimal("48.00"))


def test_court_rule_beats_venue_rule(court_and_rules):
    court, other, rules = court_and_rules
    assert price(other, WEDNESDAY, 19, rules) == (Decimal("80.00"), Decimal("80.00"))
    assert price(court, WEDNESDAY, 19, rules)[0] == Decimal("60.00")


def test_holiday_without_holiday_rule_takes_the_weekend_or_weekday_price():
    venue = make_venue()
    court = make_court(venue, price="30.00")
    rules = [PriceRule.objects.create(venue=venue, day_kind=DayKind.WEEKDAY, starts=time(18), ends=time(22),
                                      price=Decimal("50.00"))]  # fmt: skip
    assert price(court, HOLIDAY_THURSDAY, 19, rules)[0] == Decimal("50.00")


def test_no_rule_uses_the_courts_hourly_price_for_the_slot_length():
    venue = make_venue()
    court = make_court(venue, price="30.00")
    start = at(WEDNESDAY, 10)
    half = slot_price(court=court, start=start, end=start.replace(minute=30), kind=DayKind.WEEKDAY, rules=[])
    assert half == (Decimal("15.00"), Decimal("15.00"))


def test_member_price_is_never_above_the_price():
    venue = make_venue()
    court = make_court(venue)
    rules = [PriceRule.objects.create(venue=venue, day_kind=DayKind.ANY, starts=time(8), ends=time(22),
                                      price=Decimal("40.00"), member_price=Decimal("45.00"))]  # fmt: skip
    assert price(court, WEDNESDAY, 10, rules) == (Decimal("40.00"), Decimal("40.00"))
