"""The buyer's order pages: owner only, lapsed holds, payment start, list query budget, cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.booking.domain.slots import generate_slots
from sportsplatform.booking.models import BookingPolicy, Slot
from sportsplatform.orders.models import Order, OrderStatus
from tests.support.accounts import make_public_user
from tests.support.queries import assert_same_query_count
from tests.venues.factories import make_court, make_venue

pytestmark = pytest.mark.django_db


def bookable_slots(n: int = 3):
    venue = make_venue()
    make_court(venue, name="1号场")
    day = timezone.localdate() + timedelta(days=1)
    generate_slots(venue=venue, start=day, days=1)
    return list(Slot.objects.filter(venue=venue, date=day).order_by("start")[:n])


def test_pay_page_of_someone_elses_order_is_not_found(client):
    slots = bookable_slots(1)
    order = create_booking(user=make_public_user(phone="13800138001"), slot_ids=[slots[0].pk])
    client.force_login(make_public_user(phone="13800138002"))

    assert client.get(reverse("orders:pay", args=[order.pk])).status_code == 404
    assert client.get(reverse("orders:ticket", args=[order.pk])).status_code == 404
    assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 404


def test_pay_page_needs_login(client):
    slots = bookable_slots(1)
    order = create_booking(user=make_public_user(), slot_ids=[slots[0].pk])
    response = client.get(reverse("orders:pay", args=[order.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_pay_page_shows_amount_refund_policy_and_sandbox(client):
    slots = bookable_slots(2)
    user = make_public_user()
    order = create_booking(user=user, slot_ids=[s.pk for s in slots])
    client.force_login(user)

    response = client.get(reverse("orders:pay", args=[order.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"¥{order.amount}" in html
    assert 'value="sandbox"' in html
    assert response.context["refund_policy"]


def test_pay_with_sandbox_redirects_to_the_cashier(client):
    slots = bookable_slots(1)
    user = make_public_user()
    order = create_booking(user=user, slot_ids=[slots[0].pk])
    client.force_login(user)

    response = client.post(reverse("orders:pay", args=[order.pk]), {"method": "sandbox"})

    assert response.status_code == 302
    assert "/payments/sandbox/" in response["Location"]


def test_pay_with_an_unknown_method_is_refused(client):
    slots = bookable_slots(1)
    user = make_public_user()
    order = create_booking(user=user, slot_ids=[slots[0].pk])
    client.force_login(user)

    response = client.post(reverse("orders:pay", args=[order.pk]), {"method": "bitcoin"})

    assert response.status_code == 400
    assert not order.payments.exists()


def test_pay_page_of_a_lapsed_hold_says_so_and_links_to_the_grid(client):
    slots = bookable_slots(1)
    user = make_public_user()
    order = create_booking(user=user, slot_ids=[slots[0].pk])
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(user)

    response = client.get(reverse("orders:pay", args=[order.pk]))

    assert response.context["lapsed"]
    assert reverse("booking:venue", args=[order.venue_id]) in response.content.decode()
    assert client.post(reverse("orders:pay", args=[order.pk]), {"method": "sandbox"}).context["lapsed"]
    assert not order.payments.exists()


def test_cancel_a_pending_order_releases_its_slot(client):
    slots = bookable_slots(1)
    user = make_public_user()
    order = create_booking(user=user, slot_ids=[slots[0].pk])
    client.force_login(user)

    response = client.post(reverse("orders:cancel", args=[order.pk]), {"reason": ""})

    order.refresh_from_db()
    assert response.status_code == 302
    assert order.status == OrderStatus.CANCELLED
    assert Slot.objects.get(pk=slots[0].pk).taken == 0


def test_ticket_of_an_unpaid_order_goes_back_to_the_order(client):
    slots = bookable_slots(1)
    user = make_public_user()
    order = create_booking(user=user, slot_ids=[slots[0].pk])
    client.force_login(user)

    response = client.get(reverse("orders:ticket", args=[order.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("orders:detail", args=[order.pk])


def test_order_list_shows_only_my_orders_and_filters_by_status(client):
    slots = bookable_slots(3)
    user = make_public_user(phone="13800138001")
    mine = create_booking(user=user, slot_ids=[slots[0].pk])
    other = create_booking(user=make_public_user(phone="13800138002"), slot_ids=[slots[1].pk])
    client.force_login(user)

    html = client.get(reverse("orders:list")).content.decode()
    pending = client.get(reverse("orders:list") + "?status=pending").content.decode()
    closed = client.get(reverse("orders:list") + "?status=closed").content.decode()

    assert mine.number in html and other.number not in html
    assert mine.number in pending
    assert mine.number not in closed


def test_order_list_has_no_n_plus_one(client):
    user = make_public_user()
    client.force_login(user)
    venue = make_venue()
    BookingPolicy.objects.create(venue=venue, max_hours_per_day=0, max_slots_per_order=20)
    make_court(venue, name="1号场")
    day = timezone.localdate() + timedelta(days=2)
    generate_slots(venue=venue, start=day, days=1)
    free = iter(Slot.objects.filter(venue=venue, date=day).order_by("start"))

    def make_rows(n):
        for _ in range(n):
            order = create_booking(user=user, slot_ids=[next(free).pk])
            Order.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)

    assert_same_query_count(client, reverse("orders:list"), make_rows, small=1, large=8)
