"""The event order handler: refunds by the event's rules, money owed to the organiser, and check-in
with the booking e-ticket (who may scan it, and when)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from sportsplatform.accounts.domain.users import create_organisation, create_user, grant_membership
from sportsplatform.accounts.models import OrganisationKind
from sportsplatform.booking.domain.errors import TicketInvalid
from sportsplatform.booking.domain.tickets import check_in
from sportsplatform.booking.models import Ticket
from sportsplatform.core.errors import Conflict, NotPermitted
from sportsplatform.core.signups import SignupStatus
from sportsplatform.events.domain.handler import EventOrderHandler
from sportsplatform.events.domain.registrations import register, withdraw_registration
from sportsplatform.events.models import Event
from sportsplatform.ledger.domain.posting import organiser_account
from sportsplatform.orders.domain.cancel import refund_preview
from sportsplatform.orders.domain.kinds import handler_for
from sportsplatform.orders.models import Order, OrderStatus
from sportsplatform.venues.models import Sport
from tests.events.factories import make_event, make_organiser
from tests.payments.helpers import pay_with_sandbox
from tests.support.accounts import ensure_regions, make_official, make_public_user
from tests.venues.factories import make_venue

pytestmark = pytest.mark.django_db

_phones = count(13600000001)
ENGLISH = {"Accept-Language": "en"}
TIERS = [{"hours_before": 72, "percent": 100}, {"hours_before": 24, "percent": 50}]


def person():
    return make_public_user(phone=str(next(_phones)))


def confirmed_entry(event, capture, user=None):
    user = user or person()
    registration = register(event=event, group=event.groups.first(), user=user, participant_name="李雷", answers={})
    if registration.order.status == OrderStatus.PENDING_PAYMENT:
        pay_with_sandbox(registration.order, capture)
    registration.refresh_from_db()
    return registration


def starting_in(event, hours: float):
    start = timezone.now() + timedelta(hours=hours)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=3))
    event.refresh_from_db()
    return event


def test_handler_is_registered_for_event_orders():
    event = make_event(fee="30.00")
    registration = register(event=event, group=event.groups.first(), user=person(), participant_name="李雷", answers={})

    assert isinstance(handler_for(registration.order), EventOrderHandler)


@pytest.mark.parametrize(("hours", "percent", "amount"), [(100, 100, "30.00"), (48, 50, "15.00"), (10, 0, "0.00")])
def test_refund_quote_follows_event_tiers_by_hours_before_start(
    hours, percent, amount, django_capture_on_commit_callbacks
):
    event = make_event(fee="30.00", refund_tiers=TIERS, starts_in_days=10)
    registration = confirmed_entry(event, django_capture_on_commit_callbacks)
    starting_in(event, hours)

    quote = refund_preview(order=registration.order)

    assert quote.percent == percent
    assert quote.amount == Decimal(amount)
    assert "72" in quote.rule


def test_refund_quote_without_tiers_gives_nothing_back(django_capture_on_commit_callbacks):
    event = make_event(fee="30.00")
    registration = confirmed_entry(event, django_capture_on_commit_callbacks)

    quote = refund_preview(order=registration.order)

    assert (quote.percent, quote.amount) == (0, Decimal("0.00"))


def test_refund_full_when_event_cancelled_ignores_tiers(django_capture_on_commit_callbacks):
    event = make_event(fee="30.00")
    registration = confirmed_entry(event, django_capture_on_commit_callbacks)

    quote = refund_preview(order=registration.order, full_refund=True)

    assert quote.amount == Decimal("30.00")


def test_paid_entry_money_is_owed_to_the_organiser_not_the_venue(django_capture_on_commit_callbacks):
    operator = create_organisation(
        name="体育中心运营", kind=OrganisationKind.OPERATOR, region=ensure_regions()["510107"]
    )
    venue = make_venue(operator=operator)
    event = make_event(fee="30.00", venue=venue)

    registration = confirmed_entry(event, django_capture_on_commit_callbacks)

    assert handler_for(registration.order).destination_account(order=registration.order) == organiser_account(
        event.organiser
    )
    assert organiser_account(event.organiser).balance == Decimal("30.00")


# --- check-in ---------------------------------------------------------------------------------


@pytest.fixture
def desk():
    """An event at a venue about to start, its organiser's staff and the venue's operator staff."""
    regions = ensure_regions()
    operator = create_organisation(name="体育中心运营", kind=OrganisationKind.OPERATOR, region=regions["510107"])
    operator_staff = create_user(username="desk-operator", password="x-Pass-12345", display_name="场馆前台")
    grant_membership(user=operator_staff, organisation=operator)
    organiser, organiser_staff = make_organiser()
    event = make_event(fee="0.00", organiser=organiser, venue=make_venue(operator=operator))
    starting_in(event, 1)
    return event, organiser_staff, operator_staff


def ticket_of(registration) -> Ticket:
    return Ticket.objects.get(order=registration.order)


def test_check_in_by_organiser_staff_uses_the_ticket(desk, django_capture_on_commit_callbacks):
    event, organiser_staff, _operator_staff = desk
    registration = confirmed_entry(event, django_capture_on_commit_callbacks)

    ticket = check_in(code_or_token=ticket_of(registration).code, actor=organiser_staff)

    assert ticket.used_at is not None
    registration.refresh_from_db()
    assert registration.order.status == OrderStatus.USED
    assert registration.status == SignupStatus.CONFIRMED


def test_check_in_by_venue_operator_is_allowed(desk, django_capture_on_commit_callbacks):
    event, _organiser_staff, operator_staff = desk
    registration = confirmed_entry(event, django_capture_on_commit_callbacks)

    ticket = check_in(code_or_token=ticket_of(registration).code, actor=operator_staff, venue=event.venue)

    assert ticket.used_at is not None


def test_check_in_by_other_organisation_or_public_or_bureau_is_refused(desk, django_capture_on_commit_callbacks):
    event, _organiser_staff, _operator_staff = desk
    registration = confirmed_entry(event, django_capture_on_commit_callbacks)
    _other_org, other_staff = make_organiser()
    code = ticket_of(registration).code

    for outsider in (other_staff, person(), make_official(region_code="510107")):
        with pytest.raises(NotPermitted):
            check_in(code_or_token=code, actor=outsider)

    assert ticket_of(registration).used_at is None


def test_check_in_window_opens_two_hours_before_start(desk, django_capture_on_commit_callbacks):
    event, organiser_staff, _operator_staff = desk
    registration = confirmed_entry(event, django_capture_on_commit_callbacks)
    starting_in(event, 3)

    with pytest.raises(TicketInvalid):
        check_in(code_or_token=ticket_of(registration).code, actor=organiser_staff)
    opens, ends = handler_for(registration.order).check_in_window(order=registration.order)

    assert opens == event.starts_at - timedelta(hours=2)
    assert ends == event.ends_at
    assert ticket_of(registration).used_at is None


def test_check_in_after_event_ended_is_refused(desk, django_capture_on_commit_callbacks):
    event, organiser_staff, _operator_staff = desk
    registration = confirmed_entry(event, django_capture_on_commit_callbacks)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=5), ends_at=timezone.now() - timedelta(hours=1)
    )

    with pytest.raises(TicketInvalid):
        check_in(code_or_token=ticket_of(registration).code, actor=organiser_staff)


def test_checked_in_entry_cannot_be_withdrawn(desk, django_capture_on_commit_callbacks):
    event, organiser_staff, _operator_staff = desk
    user = person()
    registration = confirmed_entry(event, django_capture_on_commit_callbacks, user=user)
    check_in(code_or_token=ticket_of(registration).code, actor=organiser_staff)

    with pytest.raises(Conflict) as caught:
        withdraw_registration(registration=registration, actor=user)

    assert caught.value.code == "checked_in"
    registration.refresh_from_db()
    assert registration.status == SignupStatus.CONFIRMED


def test_withdrawn_entry_ticket_is_revoked_for_check_in(desk, django_capture_on_commit_callbacks):
    event, organiser_staff, _operator_staff = desk
    starting_in(event, 30)
    user = person()
    registration = confirmed_entry(event, django_capture_on_commit_callbacks, user=user)
    withdraw_registration(registration=registration, actor=user)
    starting_in(event, 1)

    with pytest.raises(TicketInvalid):
        check_in(code_or_token=ticket_of(registration).code, actor=organiser_staff)


# --- the e-ticket page (orders:ticket) for event and course orders -----------------------------


def test_ticket_page_of_event_order_shows_qr_and_event(client, django_capture_on_commit_callbacks):
    event = make_event(fee="30.00", title="锦江夜跑", location="锦江绿道")
    user = person()
    registration = confirmed_entry(event, django_capture_on_commit_callbacks, user=user)
    client.force_login(user)

    response = client.get(reverse("orders:ticket", args=[registration.order_id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-ticket-state="valid"' in page
    assert "<svg" in page
    assert "锦江夜跑" in page and "锦江绿道" in page and "公开组" in page and "李雷" in page
    assert ticket_of(registration).code[:4] in page


def test_ticket_page_of_withdrawn_event_entry_is_void(client, django_capture_on_commit_callbacks):
    event = make_event(fee="0.00", title="锦江夜跑")
    user = person()
    registration = confirmed_entry(event, django_capture_on_commit_callbacks, user=user)
    withdraw_registration(registration=registration, actor=user)
    client.force_login(user)

    page = client.get(reverse("orders:ticket", args=[registration.order_id])).content.decode()

    assert 'data-ticket-state="revoked"' in page
    assert "<svg" not in page.split("ticket-code")[0].split("ticket-title")[1]


def test_ticket_page_of_course_order_shows_course(client, django_capture_on_commit_callbacks):
    from sportsplatform.training.domain.enrolments import enrol
    from tests.training.factories import make_course

    Sport.objects.get_or_create(code="swimming", defaults={"name": "游泳", "name_en": "Swimming", "order": 1})
    course = make_course(fee="0.00", title="少儿游泳暑期班", place="市游泳馆")
    user = person()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrol(course=course, user=user, student_name="小明")
    client.force_login(user)

    response = client.get(reverse("orders:ticket", args=[enrolment.order_id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-ticket-state="valid"' in page
    assert "少儿游泳暑期班" in page and "市游泳馆" in page and "小明" in page


def test_ticket_page_of_someone_elses_event_order_is_404(client, django_capture_on_commit_callbacks):
    registration = confirmed_entry(make_event(fee="0.00"), django_capture_on_commit_callbacks)
    client.force_login(person())

    assert client.get(reverse("orders:ticket", args=[registration.order_id])).status_code == 404


def test_pay_page_of_event_order_shows_event_refund_rules(client):
    event = make_event(fee="30.00", refund_tiers=TIERS)
    user = person()
    registration = register(event=event, group=event.groups.first(), user=user, participant_name="李雷", answers={})
    client.force_login(user)

    page = client.get(reverse("orders:pay", args=[registration.order_id]), headers=ENGLISH).content.decode()

    assert "100% refund until 72 h before the start" in page


def test_lapsed_event_order_links_back_to_the_event(client):
    event = make_event(fee="30.00")
    user = person()
    registration = register(event=event, group=event.groups.first(), user=user, participant_name="李雷", answers={})
    Order.objects.filter(pk=registration.order_id).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(user)

    page = client.get(reverse("orders:pay", args=[registration.order_id]), headers=ENGLISH).content.decode()

    assert f'href="{reverse("events:detail", args=[event.pk])}"' in page
    assert "Back to the event" in page
