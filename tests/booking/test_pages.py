"""The public booking grid: what it shows, holding times from it, and its failure cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.booking.models import BookingSuspension, Slot
from sportsplatform.orders.models import Order, OrderStatus
from tests.support.accounts import make_public_user
from tests.venues.factories import make_court, make_venue

from .factories import make_bookable_venue, make_slot

pytestmark = pytest.mark.django_db


def grid_url(venue, day=None):
    url = reverse("booking:venue", args=[venue.pk])
    return f"{url}?date={day.isoformat()}" if day else url


def test_grid_shows_courts_times_prices_and_taken_slots(client):
    venue, slots = make_bookable_venue(courts=2, slots_per_court=2)
    create_booking(user=make_public_user(phone="13800138001"), slot_ids=[slots[0].pk])

    response = client.get(grid_url(venue, slots[0].date))

    assert response.status_code == 200
    html = response.content.decode()
    assert "1号场" in html and "2号场" in html
    assert f'name="slot" value="{slots[1].pk}"' in html  # free: a checkbox
    assert f'name="slot" value="{slots[0].pk}"' not in html  # taken: no checkbox
    assert "¥40.00" in html


def test_grid_day_strip_covers_the_booking_window_and_marks_unreleased_days(client):
    venue, _slots = make_bookable_venue()
    response = client.get(grid_url(venue))
    tabs = response.context["tabs"]

    assert len(tabs) == 8  # today and the default 7 days ahead
    assert tabs[0].day == timezone.localdate()
    assert tabs[0].opens_at is None
    # The last day of the window opens at 08:00 today; before that it shows when it opens.
    assert all(t.opens_at is None or t.opens_at > timezone.now() for t in tabs)


def test_grid_of_an_unpublished_venue_is_not_found(client):
    venue, _slots = make_bookable_venue(is_published=False)
    assert client.get(grid_url(venue)).status_code == 404


def test_grid_with_a_bad_date_shows_today(client):
    venue, _slots = make_bookable_venue()
    response = client.get(reverse("booking:venue", args=[venue.pk]) + "?date=tomorrow")
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()


def test_hold_creates_a_pending_order_and_goes_to_payment(client):
    venue, slots = make_bookable_venue()
    user = make_public_user()
    client.force_login(user)

    response = client.post(
        grid_url(venue),
        {"slot": [slots[0].pk, slots[1].pk], "date": slots[0].date.isoformat(), "idempotency_key": "k1"},
    )

    order = Order.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:pay", args=[order.pk])
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.booking_items.count() == 2


def test_hold_posted_twice_with_the_same_key_makes_one_order(client):
    venue, slots = make_bookable_venue()
    user = make_public_user()
    client.force_login(user)
    data = {"slot": [slots[0].pk], "date": slots[0].date.isoformat(), "idempotency_key": "same"}

    client.post(grid_url(venue), data)
    client.post(grid_url(venue), data)

    assert Order.objects.filter(user=user).count() == 1


def test_hold_session_slot_takes_the_quantity(client):
    venue = make_venue()
    pool = make_court(venue, name="泳池", sport="badminton", kind="session", capacity=20)
    slot = make_slot(pool, capacity=20)
    user = make_public_user()
    client.force_login(user)

    client.post(grid_url(venue), {"slot": [slot.pk], f"qty_{slot.pk}": "3", "date": slot.date.isoformat()})

    slot.refresh_from_db()
    assert slot.taken == 3


def test_hold_anonymous_goes_to_login_and_back_with_the_same_times(client):
    venue, slots = make_bookable_venue()

    response = client.post(grid_url(venue), {"slot": [slots[0].pk, slots[2].pk], "date": slots[0].date.isoformat()})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    back = client.get(grid_url(venue, slots[0].date) + f"&slots={slots[0].pk},{slots[2].pk}")
    assert back.context["picked"] == {slots[0].pk, slots[2].pk}
    assert not Order.objects.exists()


def test_hold_of_a_slot_just_taken_answers_409_keeps_the_rest_and_books_nothing(client):
    venue, slots = make_bookable_venue()
    create_booking(user=make_public_user(phone="13800138001"), slot_ids=[slots[1].pk])
    user = make_public_user(phone="13800138002")
    client.force_login(user)

    response = client.post(grid_url(venue), {"slot": [slots[0].pk, slots[1].pk], "date": slots[0].date.isoformat()})

    assert response.status_code == 409
    assert response.context["taken_error"]
    assert response.context["picked"] == {slots[0].pk}  # the other choice stays ticked
    assert "刚" in response.content.decode() or "just" in response.content.decode()
    assert not Order.objects.filter(user=user).exists()
    assert Slot.objects.get(pk=slots[0].pk).taken == 0


def test_hold_without_a_choice_answers_400(client):
    venue, slots = make_bookable_venue()
    client.force_login(make_public_user())

    response = client.post(grid_url(venue), {"date": slots[0].date.isoformat()})

    assert response.status_code == 400
    assert response.context["error"]


def test_hold_while_suspended_is_refused_with_the_reason(client):
    venue, slots = make_bookable_venue()
    user = make_public_user()
    now = timezone.now()
    BookingSuspension.objects.create(
        user=user, starts_at=now - timedelta(days=1), until=now + timedelta(days=6), reason="30天内3次未到场"
    )
    client.force_login(user)

    page = client.get(grid_url(venue, slots[0].date))
    response = client.post(grid_url(venue), {"slot": [slots[0].pk], "date": slots[0].date.isoformat()})

    assert "30天内3次未到场" in page.content.decode()
    assert response.status_code == 403
    assert "30天内3次未到场" in response.content.decode()
    assert not Order.objects.exists()


def test_venue_page_shows_the_book_button_only_with_bookable_courts(client):
    bookable, _slots = make_bookable_venue()
    plain = make_venue()
    make_court(plain, is_bookable=False)

    assert reverse("booking:venue", args=[bookable.pk]) in client.get(f"/venues/{bookable.pk}/").content.decode()
    assert "data-book-venue" not in client.get(f"/venues/{plain.pk}/").content.decode()


def test_booking_index_lists_bookable_venues(client):
    response = client.get(reverse("booking:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("venues:list") + "?bookable=1"
