"""Real threads race for the places of an event group through events.domain.registrations — on
whichever database the suite runs on (SQLite, then PostgreSQL in `make test`): never more holders
than places, the rest on the waiting list in order, and a place freed while others sign up goes
to the head of the waiting list, never to a newcomer and never lost."""

from __future__ import annotations

import pytest

from sportsplatform.core.errors import Conflict
from sportsplatform.core.signups import HOLDS_PLACE, SignupStatus
from sportsplatform.events.domain.registrations import register, withdraw_registration
from sportsplatform.events.models import EventGroup, Registration
from sportsplatform.orders.models import Order, OrderStatus
from sportsplatform.venues.models import Sport
from tests.events.factories import make_event

from .support import race

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20
PLACES = 5


@pytest.fixture(autouse=True)
def _athletics(_reference_data):
    Sport.objects.get_or_create(code="athletics", defaults={"name": "田径", "name_en": "Athletics", "order": 9})


def sign_up(event, user):
    return register(event=event, group=event.groups.first(), user=user, participant_name="选手", answers={})


def assert_consistent(group: EventGroup) -> None:
    group.refresh_from_db()
    holders = Registration.objects.filter(group=group, status__in=list(HOLDS_PLACE)).count()
    assert group.taken == holders <= group.quota
    # Nobody waits while a place is free.
    if Registration.objects.filter(group=group, status=SignupStatus.WAITLISTED).exists():
        assert group.taken == group.quota
    # Every holder has its own order; waiting entries have none.
    for registration in Registration.objects.filter(group=group, status__in=list(HOLDS_PLACE)):
        assert registration.order is not None
        assert registration.order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)
    assert not Registration.objects.filter(group=group, status=SignupStatus.WAITLISTED, order__isnull=False).exists()


@pytest.mark.parametrize("fee", ["35.00", "0.00"], ids=["paid", "free"])
def test_twenty_people_racing_for_five_places_five_hold_the_rest_wait(make_users, fee):
    event = make_event(fee=fee, quota=PLACES)
    group = event.groups.get()
    users = make_users(THREADS)

    outcome = race(THREADS, lambda i: sign_up(event, users[i]))

    assert outcome.stuck == 0
    assert outcome.unexpected == []
    statuses = sorted(r.status for r in outcome.results)
    holding = SignupStatus.PENDING_PAYMENT if fee != "0.00" else SignupStatus.CONFIRMED
    assert statuses.count(holding) == PLACES
    assert statuses.count(SignupStatus.WAITLISTED) == THREADS - PLACES
    group.refresh_from_db()
    assert group.taken == PLACES
    assert Order.objects.count() == PLACES
    assert_consistent(group)


def test_same_person_signing_up_from_many_devices_gets_one_registration(make_users):
    event = make_event(fee="35.00", quota=PLACES)
    (user,) = make_users(1)

    outcome = race(10, lambda i: sign_up(event, user))

    assert outcome.stuck == 0
    assert len(outcome.results) == 1
    refused = outcome.errors_of(Conflict)
    assert len(refused) == 9 == len(outcome.unexpected)
    assert {e.code for e in refused} == {"already_registered"}
    assert Registration.objects.count() == 1
    assert event.groups.get().taken == 1


def test_places_freed_during_a_rush_go_to_the_head_of_the_waiting_list(make_users):
    """The group is full with 5 holders and 5 waiting. Three holders withdraw while ten newcomers
    sign up, all at once: the three freed places go to the first three waiting (in their order),
    every newcomer waits behind them, and the counter matches the holders."""
    event = make_event(fee="35.00", quota=PLACES, starts_in_days=20)
    group = event.groups.get()
    holders_users = make_users(PLACES)
    waiting_users = make_users(PLACES, first=100)
    newcomers = make_users(10, first=200)
    holders = [sign_up(event, u) for u in holders_users]
    waiting = [sign_up(event, u) for u in waiting_users]
    assert {r.status for r in waiting} == {SignupStatus.WAITLISTED}

    def work(i):
        if i < 3:
            return withdraw_registration(registration=holders[i], actor=holders_users[i])
        return sign_up(event, newcomers[i - 3])

    outcome = race(13, work)

    assert outcome.stuck == 0
    assert outcome.unexpected == []
    for registration in waiting:
        registration.refresh_from_db()
    assert [r.status for r in waiting] == [SignupStatus.PENDING_PAYMENT] * 3 + [SignupStatus.WAITLISTED] * 2
    assert all(r.promoted_at is not None for r in waiting[:3])
    late = Registration.objects.filter(user__in=newcomers)
    assert late.count() == 10
    assert set(late.values_list("status", flat=True)) == {SignupStatus.WAITLISTED}
    group.refresh_from_db()
    assert group.taken == PLACES
    assert_consistent(group)


def test_withdrawals_racing_each_other_promote_each_waiting_person_once(make_users):
    event = make_event(fee="35.00", quota=PLACES, starts_in_days=20)
    group = event.groups.get()
    holders_users = make_users(PLACES)
    holders = [sign_up(event, u) for u in holders_users]
    waiting = [sign_up(event, u) for u in make_users(3, first=100)]

    outcome = race(PLACES, lambda i: withdraw_registration(registration=holders[i], actor=holders_users[i]))

    assert outcome.stuck == 0
    assert outcome.unexpected == []
    for registration in waiting:
        registration.refresh_from_db()
        assert registration.status == SignupStatus.PENDING_PAYMENT
        assert Order.objects.filter(event_registrations=registration).count() == 1
    group.refresh_from_db()
    assert group.taken == 3
    assert_consistent(group)


def test_places_freed_while_newcomers_find_the_group_full_are_never_left_empty(make_users):
    """Full group, nobody waiting yet: five holders withdraw while fifteen newcomers sign up. A
    newcomer who found the group full must not join the waiting list after the withdrawal looked
    for someone to promote (the group row lock orders them): every freed place is taken again."""
    event = make_event(fee="35.00", quota=PLACES, starts_in_days=20)
    group = event.groups.get()
    holders_users = make_users(PLACES)
    newcomers = make_users(15, first=200)
    holders = [sign_up(event, u) for u in holders_users]

    def work(i):
        if i < PLACES:
            return withdraw_registration(registration=holders[i], actor=holders_users[i])
        return sign_up(event, newcomers[i - PLACES])

    outcome = race(PLACES + 15, work)

    assert outcome.stuck == 0
    assert outcome.unexpected == []
    group.refresh_from_db()
    assert group.taken == PLACES
    assert Registration.objects.filter(user__in=newcomers, status=SignupStatus.PENDING_PAYMENT).count() == PLACES
    assert_consistent(group)
