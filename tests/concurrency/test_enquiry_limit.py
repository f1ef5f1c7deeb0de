"""Real threads, each with its own database connection, send venue enquiries for one sender at the
same instant (events.domain.enquiries.send_enquiry): the daily limit and the one-open-enquiry rule
hold under the race because the sender's row is locked while counting (SQLite: writers are
serialised by BEGIN IMMEDIATE)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sportsplatform.accounts.domain.users import create_organisation
from sportsplatform.accounts.models import OrganisationKind
from sportsplatform.core.errors import Conflict, RateLimited
from sportsplatform.events.domain.enquiries import DAILY_LIMIT, send_enquiry
from sportsplatform.events.models import VenueEnquiry
from tests.support.accounts import ensure_regions
from tests.venues.factories import make_venue

from .support import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def venue():
    regions = ensure_regions()
    operator = create_organisation(name="武侯场馆运营公司", kind=OrganisationKind.OPERATOR, region=regions["510107"])
    return make_venue(name="武侯体育馆", sports=("badminton",), operator=operator)


def ask(sender, venue, *, days_ahead: int):
    day = timezone.localdate() + timedelta(days=days_ahead)
    return send_enquiry(
        sender=sender,
        venue=venue,
        starts_on=day,
        ends_on=day,
        participants=100,
        message="想租用全部场地举办比赛。",
        contact_phone="13912345678",
    )


def test_senders_racing_past_the_daily_limit_stop_at_it(make_users, venue):
    (sender,) = make_users(1)
    for i in range(DAILY_LIMIT - 2):
        ask(sender, venue, days_ahead=10 + i)

    outcome = race(6, lambda i: ask(sender, venue, days_ahead=40 + i))

    assert outcome.stuck == 0
    assert len(outcome.results) == 2
    assert len(outcome.errors_of(RateLimited)) == 4
    assert VenueEnquiry.objects.filter(sender=sender).count() == DAILY_LIMIT


def test_the_same_enquiry_sent_five_times_at_once_is_stored_once(make_users, venue):
    (sender,) = make_users(1)

    outcome = race(5, lambda i: ask(sender, venue, days_ahead=30))

    assert outcome.stuck == 0
    assert len(outcome.results) == 1
    assert len(outcome.errors_of(Conflict)) == 4
    assert VenueEnquiry.objects.count() == 1
