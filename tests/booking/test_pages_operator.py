"""The operator's desk: scoping (own venues only), officials read-only, check-in outcomes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sportsplatform.accounts.models import Organisation
from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.booking.domain.slots import generate_slots
from sportsplatform.booking.domain.tickets import issue_ticket
from sportsplatform.booking.models import BookingPolicy, Slot
from sportsplatform.orders.domain.transitions import transition_order
from sportsplatform.orders.models import OrderStatus
from tests.support.accounts import make_official, make_operator, make_public_user, session_cookie_for
from tests.venues.factories import make_court, make_venue

pytestmark = pytest.mark.django_db


def login_staff(client, user):
    cookie = session_cookie_for(user)
    client.cookies[cookie["name"]] = cookie["value"]


@pytest.fixture
def desk():
    operator = make_operator()
    organisation = Organisation.objects.get(memberships__user=operator)
    venue = make_venue(name="本单位场馆", operator=organisation)
    BookingPolicy.objects.create(venue=venue, checkin_opens_minutes=2 * 24 * 60)
    make_court(venue, name="1号场")
    day = timezone.localdate() + timedelta(days=1)
    generate_slots(venue=venue, start=day, days=1)
    slot = Slot.objects.filter(venue=venue, date=day).order_by("start").first()
    buyer = make_public_user()
    order = create_booking(user=buyer, slot_ids=[slot.pk])
    transition_order(order=order, to=OrderStatus.PAID)
    ticket = issue_ticket(order=order)
    return {"operator": operator, "venue": venue, "day": day, "order": order, "ticket": ticket, "buyer": buyer}


def test_calendar_shows_who_booked_for_the_operator(client, desk):
    login_staff(client, desk["operator"])
    url = reverse("booking:operator_calendar", args=[desk["venue"].pk]) + f"?date={desk['day'].isoformat()}"

    response = client.get(url)

    assert response.status_code == 200
    assert desk["buyer"].masked_phone in response.content.decode()


def test_calendar_of_another_operators_venue_is_refused(client, desk):
    other = make_venue(name="别家场馆")
    make_court(other)
    login_staff(client, desk["operator"])

    response = client.get(reverse("booking:operator_calendar", args=[other.pk]))

    assert response.status_code == 403


def test_desk_needs_a_back_office_session(client, desk):
    client.force_login(make_public_user(phone="13900000001"))
    response = client.get(reverse("booking:operator_check_in"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_check_in_by_code_then_a_second_time_is_refused(client, desk):
    login_staff(client, desk["operator"])
    url = reverse("booking:operator_check_in")

    first = client.post(url, {"code": desk["ticket"].code})
    second = client.post(url, {"code": desk["ticket"].code})

    assert first.status_code == 200 and first.context["result"]["phone"] == desk["buyer"].masked_phone
    assert second.status_code == 409 and second.context["refusal"]
    desk["order"].refresh_from_db()
    assert desk["order"].status == OrderStatus.USED


def test_check_in_of_a_made_up_code_is_refused(client, desk):
    login_staff(client, desk["operator"])
    response = client.post(reverse("booking:operator_check_in"), {"code": "000000000000"})
    assert response.status_code == 409
    assert response.context["refusal"]


def test_official_sees_refunds_read_only_and_cannot_check_in(client, desk):
    official = make_official(region_code="510107")
    login_staff(client, official)

    refunds = client.get(reverse("booking:operator_refunds"))
    check_in = client.post(reverse("booking:operator_check_in"), {"code": desk["ticket"].code})
    refund = client.post(reverse("booking:operator_refunds"), {"order": desk["order"].pk, "reason": "x"})

    assert refunds.status_code == 200 and not refunds.context["can_act"]
    assert desk["order"].number in refunds.content.decode()
    assert check_in.status_code == 403
    assert refund.status_code == 403
    desk["order"].refresh_from_db()
    assert desk["order"].status == OrderStatus.PAID


def test_refund_needs_a_reason(client, desk):
    login_staff(client, desk["operator"])
    client.post(reverse("booking:operator_refunds"), {"order": desk["order"].pk, "reason": ""})
    desk["order"].refresh_from_db()
    assert desk["order"].status == OrderStatus.PAID
