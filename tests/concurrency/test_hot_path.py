"""The booking rush's hot path stays cheap: query budgets for a winner and a loser, and the cached
bearer token is dropped when it is revoked or its user is disabled."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sportsplatform.accounts.domain.tokens import issue_token, revoke_token
from sportsplatform.booking.domain.errors import SlotTaken
from sportsplatform.booking.domain.holds import create_booking
from tests.booking.factories import make_bookable_venue

pytestmark = pytest.mark.django_db


def winner_queries(slots: int) -> int:
    """The slots with court, venue and policy (1); in the transaction (2: begin and commit, or a
    savepoint and its release inside a test's transaction): the user's row locked with their
    suspension and card (1), the day's bookings (1), one UPDATE per slot, then the order, its
    items, lines, event and audit row (5)."""
    return 1 + 2 + 1 + 1 + slots + 5


def test_a_winning_booking_stays_within_its_query_budget(django_assert_max_num_queries, make_users):
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=3)
    first, second = make_users(2)
    create_booking(user=first, slot_ids=[slots[0].pk])  # per-process caches (content types) warm

    with django_assert_max_num_queries(winner_queries(2)):
        create_booking(user=second, slot_ids=[slots[1].pk, slots[2].pk])


def test_a_loser_of_a_full_court_costs_no_query_once_the_slot_is_known_full(django_assert_num_queries, make_users):
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    first, second = make_users(2)
    create_booking(user=first, slot_ids=[slots[0].pk])

    with django_assert_num_queries(0), pytest.raises(SlotTaken):
        create_booking(user=second, slot_ids=[slots[0].pk])


def test_a_loser_without_the_hint_is_refused_without_a_write_transaction(make_users):
    from django.core.cache import cache

    _venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    first, second = make_users(2)
    create_booking(user=first, slot_ids=[slots[0].pk])
    cache.clear()  # the hint is gone (expired): the database must answer

    with CaptureQueriesContext(connection) as queries, pytest.raises(SlotTaken):
        create_booking(user=second, slot_ids=[slots[0].pk])

    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert set(statements) == {"SELECT"}
    assert len(queries.captured_queries) <= 2  # the slot, the lapsed holds check


def test_api_409_for_a_known_full_slot_costs_no_query_with_a_warm_token(client, make_users):
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    first, second = make_users(2)
    create_booking(user=first, slot_ids=[slots[0].pk])
    _token, key = issue_token(user=second)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = {"slot_ids": [slots[0].pk]}
    assert client.post("/api/v1/bookings", body, content_type="application/json", **auth).status_code == 409

    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/bookings", body, content_type="application/json", **auth)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slot_taken"
    assert queries.captured_queries == []


def test_a_cached_token_stops_working_when_revoked_or_its_user_is_disabled(client, make_users):
    alice, bob = make_users(2)
    token, key = issue_token(user=alice)
    _bob_token, bob_key = issue_token(user=bob)
    for who in (key, bob_key):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {who}").status_code == 200

    revoke_token(token=token)
    bob.is_active = False
    bob.save(update_fields=["is_active"])

    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {bob_key}").status_code == 401
