"""Query budgets of the event lists (no N+1), and the reads of events.queries."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.test import Client
from django.utils import timezone

from sportsplatform.accounts.domain.tokens import issue_token
from sportsplatform.core.errors import NotFound
from sportsplatform.events import queries
from sportsplatform.events.domain.registrations import register
from sportsplatform.events.models import Event, EventGroup
from tests.events.factories import make_event, make_organiser
from tests.support.accounts import make_public_user
from tests.support.queries import assert_same_query_count

pytestmark = pytest.mark.django_db

_phones = count(13400000001)


def person():
    return make_public_user(phone=str(next(_phones)))


def test_event_list_api_has_no_n_plus_one():
    organiser, _staff = make_organiser()

    def make_rows(n):
        for _ in range(n):
            make_event(organiser=organiser, fee="10.00", groups=(("男子组", 5), ("女子组", 5)))

    assert_same_query_count(Client(), "/api/v1/events", make_rows)


def test_my_registrations_api_has_no_n_plus_one():
    user = person()
    _token, key = issue_token(user=user, name="budget")
    organiser, _staff = make_organiser()

    def make_rows(n):
        for i in range(n):
            event = make_event(organiser=organiser, fee="10.00" if i % 2 else "0.00", quota=1 if i % 3 else 0)
            register(event=event, group=event.groups.first(), user=user, participant_name="李雷", answers={})

    assert_same_query_count(Client(), "/api/v1/me/registrations", make_rows, headers={"Authorization": f"Bearer {key}"})


def test_event_detail_api_costs_the_same_with_many_groups_and_questions():
    from tests.events.factories import add_field

    event = make_event(fee="10.00")

    def make_rows(n):
        start = EventGroup.objects.filter(event=event).count()
        for i in range(start, start + n):
            EventGroup.objects.create(event=event, name=f"第{i}组", quota=5, position=i)
            add_field(event, key=f"q{i}", label=f"问题{i}", kind="text", required=False)

    assert_same_query_count(Client(), f"/api/v1/events/{event.pk}", make_rows)


# --- reads --------------------------------------------------------------------------------------


def test_published_events_orders_upcoming_soonest_first_then_past_latest_first():
    soon, later = make_event(starts_in_days=3), make_event(starts_in_days=9)
    past, older = make_event(), make_event()
    for event, days in ((past, 3), (older, 9)):
        start = timezone.now() - timedelta(days=days)
        Event.objects.filter(pk=event.pk).update(
            starts_at=start,
            ends_at=start + timedelta(hours=4),
            registration_opens_at=start - timedelta(days=20),
            registration_closes_at=start - timedelta(days=1),
        )

    ordered = [e.pk for e in queries.published_events()]

    assert ordered == [soon.pk, later.pk, past.pk, older.pk]


def test_event_detail_of_cancelled_or_missing_event_is_not_found():
    event = make_event()
    Event.objects.filter(pk=event.pk).update(cancelled_at=timezone.now())

    for pk in (event.pk, 999999, "abc"):
        with pytest.raises(NotFound):
            queries.event_detail(pk)


def test_waitlist_positions_counts_per_group_in_arrival_order():
    event = make_event(fee="10.00", groups=(("甲组", 0), ("乙组", 0)))
    first, second = EventGroup.objects.filter(event=event).order_by("position")
    a = register(event=event, group=first, user=person(), participant_name="甲", answers={})
    b = register(event=event, group=second, user=person(), participant_name="乙", answers={})
    c = register(event=event, group=first, user=person(), participant_name="丙", answers={})

    positions = queries.waitlist_positions([a, b, c])

    assert positions == {a.pk: 1, b.pk: 1, c.pk: 2}
    assert queries.waitlist_position(c) == 2


def test_active_registration_ignores_closed_ones():
    event = make_event(fee="10.00")
    user = person()
    registration = register(event=event, group=event.groups.first(), user=user, participant_name="甲", answers={})

    assert queries.active_registration(event=event, user=user).pk == registration.pk
    registration.status = "withdrawn"
    registration.closed_at = timezone.now() - timedelta(minutes=1)
    registration.save()
    assert queries.active_registration(event=event, user=user) is None


def test_event_registrations_are_scoped_to_the_organiser():
    organiser, staff = make_organiser()
    _other, other_staff = make_organiser()
    event = make_event(organiser=organiser, fee="10.00")
    register(event=event, group=event.groups.first(), user=person(), participant_name="甲", answers={})

    assert queries.event_registrations(user=staff, event=event).count() == 1
    assert queries.event_registrations(user=other_staff, event=event).count() == 0
