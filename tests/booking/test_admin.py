"""The booking back office: scoped lists, closing and reopening slots, lifting suspensions, the
holiday calendar, the sidebar group and role permissions."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.booking.models import BookingPolicy, BookingSuspension, HolidayDate, PriceRule, Slot, SlotStatus
from sportsplatform.orders.models import OrderStatus
from tests.backoffice.conftest import as_user, world  # noqa: F401  (fixtures)
from tests.support.queries import assert_same_query_count

from .factories import make_bookable_venue

SLOTS = "/admin/booking/slot/"


@pytest.fixture
def two_venues(world):
    wuhou, wuhou_slots = make_bookable_venue(name="武侯馆", operator=world.orgs["op_wuhou"])
    jinjiang, jinjiang_slots = make_bookable_venue(
        name="锦江馆", region="510104", lat="30.62", lng="104.10", operator=world.orgs["op_jinjiang"]
    )
    return wuhou, wuhou_slots, jinjiang, jinjiang_slots


def test_operator_sees_only_own_venues_slots_and_policies(world, as_user, two_venues):
    wuhou, _ws, jinjiang, _js = two_venues
    BookingPolicy.objects.create(venue=wuhou)
    BookingPolicy.objects.create(venue=jinjiang)
    client = as_user(world.users["wuhou_operator"])

    body = client.get(SLOTS).content.decode()
    assert "武侯馆" in body and "锦江馆" not in body
    policies = client.get("/admin/booking/bookingpolicy/").content.decode()
    assert "武侯馆" in policies and "锦江馆" not in policies
    assert client.get(f"/admin/booking/bookingpolicy/{jinjiang.booking_policy.pk}/change/").status_code == 302


def test_close_action_cancels_bookings_and_needs_a_reason(
    world, as_user, two_venues, django_capture_on_commit_callbacks
):
    _wuhou, slots, _jinjiang, other = two_venues
    order = create_booking(user=world.users["public"], slot_ids=[slots[0].pk])
    client = as_user(world.users["wuhou_operator"])
    data = {"action": "close_selected", "_selected_action": [slots[0].pk, slots[1].pk, other[0].pk], "reason": ""}

    client.post(SLOTS, data)
    assert not Slot.objects.filter(status=SlotStatus.CLOSED).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SLOTS, {**data, "reason": "灯光检修"}, follow=True)

    assert response.status_code == 200
    assert set(Slot.objects.filter(status=SlotStatus.CLOSED).values_list("pk", flat=True)) == {slots[0].pk, slots[1].pk}
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED

    client.post(SLOTS, {"action": "reopen_selected", "_selected_action": [slots[1].pk]})
    assert Slot.objects.get(pk=slots[1].pk).status == SlotStatus.OPEN


def test_bureau_official_views_but_cannot_change(world, as_user, two_venues):
    client = as_user(world.users["chengdu"])
    assert client.get(SLOTS).status_code == 200
    assert client.get("/admin/booking/pricerule/add/").status_code == 403


def test_price_rule_form_offers_only_own_courts(world, as_user, two_venues):
    wuhou, wuhou_slots, _jinjiang, jinjiang_slots = two_venues
    client = as_user(world.users["wuhou_operator"])
    response = client.get(f"/admin/booking/pricerule/add/?venue={wuhou.pk}")
    assert response.status_code == 200
    choices = {c.pk for c in response.context["adminform"].form.fields["court"].queryset}
    assert wuhou_slots[0].court_id in choices and jinjiang_slots[0].court_id not in choices

    response = client.post(
        "/admin/booking/pricerule/add/",
        {"venue": wuhou.pk, "court": "", "name": "晚间高峰", "day_kind": "weekday", "starts": "18:00",
         "ends": "22:00", "price": "60.00", "member_price": "48.00"},
    )  # fmt: skip
    assert response.status_code == 302
    assert PriceRule.objects.get(venue=wuhou).price == Decimal("60.00")


def test_slot_list_query_count_does_not_grow_with_rows(world, as_user, two_venues):
    client = as_user(world.users["admin"])

    def make_rows(n):
        for i in range(n):
            make_bookable_venue(name=f"新馆{Slot.objects.count()}-{i}", courts=1, slots_per_court=1,
                                operator=world.orgs["op_wuhou"])  # fmt: skip

    assert_same_query_count(client, SLOTS, make_rows, large=5)


def test_platform_admin_enters_a_later_years_holidays(world, as_user):
    client = as_user(world.users["admin"])
    response = client.post(
        "/admin/booking/holidaydate/add/", {"date": "2027-01-01", "is_holiday": "on", "name": "元旦"}
    )
    assert response.status_code == 302
    assert HolidayDate.objects.get(date=date(2027, 1, 1)).is_holiday
    assert as_user(world.users["wuhou_operator"]).get("/admin/booking/holidaydate/add/").status_code == 403


def test_lift_action_lifts_suspensions(world, as_user):
    user = world.users["public"]
    now = timezone.now()
    suspension = BookingSuspension.objects.create(user=user, starts_at=now, until=now + timedelta(days=7), reason="x")
    client = as_user(world.users["admin"])

    assert "x" in client.get("/admin/booking/bookingsuspension/").content.decode()
    client.post(
        "/admin/booking/bookingsuspension/",
        {"action": "lift_selected", "_selected_action": [suspension.pk], "note": "申诉成立"},
    )

    suspension.refresh_from_db()
    assert suspension.lifted_by == world.users["admin"]
    forbidden = as_user(world.users["wuhou_operator"]).get("/admin/booking/bookingsuspension/")
    assert forbidden.status_code == 403


def test_sidebar_has_the_booking_group(world, as_user):
    body = as_user(world.users["wuhou_operator"]).get("/admin/").content.decode()
    assert "/admin/booking/slot/" in body and "/admin/booking/holidaydate/" not in body
