"""Signing up for events: places, the waiting list and its promotion, withdrawal with refunds,
cancelling an event, and the order's fate turned into the registration's."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone

from sportsplatform.booking.models import Ticket
from sportsplatform.core.errors import Conflict, IllegalTransition, NotPermitted, ValidationFailed
from sportsplatform.core.signups import SignupStatus
from sportsplatform.events.domain.registrations import (
    cancel_all_registrations,
    promote_waitlist,
    register,
    withdraw_registration,
)
from sportsplatform.events.models import Event, EventGroup, Registration
from sportsplatform.ledger.domain.posting import organiser_account
from sportsplatform.notifications.models import Notification
from sportsplatform.orders.domain.expiry import expire_order
from sportsplatform.orders.models import Order, OrderKind, OrderStatus
from sportsplatform.payments.models import PaymentStatus
from tests.events.factories import make_event
from tests.payments.helpers import overdue, pay_with_sandbox, start_sandbox, tap_confirm
from tests.support.accounts import make_public_user

pytestmark = pytest.mark.django_db

_phones = count(13700000001)


def person(name: str = ""):
    return make_public_user(phone=str(next(_phones)), display_name=name)


def sign_up(event, user=None, *, group=None, **kwargs):
    user = user or person()
    return register(
        event=event,
        group=group or event.groups.first(),
        user=user,
        participant_name=kwargs.pop("participant_name", "李雷"),
        answers=kwargs.pop("answers", {}),
        **kwargs,
    )


def paid_up(event, user=None, capture=None, **kwargs):
    registration = sign_up(event, user, **kwargs)
    pay_with_sandbox(registration.order, capture)
    registration.refresh_from_db()
    return registration


def group_of(event) -> EventGroup:
    return EventGroup.objects.get(event=event)


# --- signing up -------------------------------------------------------------------------------


def test_register_paid_event_holds_place_with_order_awaiting_payment(settings):
    settings.EVENT_HOLD_MINUTES = 15
    event = make_event(fee="35.00", quota=3, title="成都马拉松")
    before = timezone.now()

    registration = sign_up(event)

    assert registration.status == SignupStatus.PENDING_PAYMENT
    order = registration.order
    assert order.kind == OrderKind.EVENT
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.amount == Decimal("35.00")
    assert before + timedelta(minutes=14) < order.expires_at <= timezone.now() + timedelta(minutes=15)
    line = order.lines.get()
    assert (line.kind, line.object_id) == ("registration", registration.pk)
    assert line.description == "成都马拉松 · 公开组"
    assert group_of(event).taken == 1


def test_register_group_fee_overrides_event_fee():
    event = make_event(fee="35.00", quota=3)
    EventGroup.objects.filter(event=event).update(fee=Decimal("12.50"))

    registration = sign_up(event)

    assert registration.order.amount == Decimal("12.50")


def test_register_free_event_confirms_at_once_with_paid_order_and_ticket(django_capture_on_commit_callbacks):
    event = make_event(fee="0.00", quota=3)
    user = person()

    with django_capture_on_commit_callbacks(execute=True):
        registration = sign_up(event, user)

    assert registration.status == SignupStatus.CONFIRMED
    assert registration.confirmed_at is not None
    assert registration.order.status == OrderStatus.PAID
    assert registration.order.amount == Decimal("0.00")
    assert Ticket.objects.filter(order=registration.order, revoked_at__isnull=True).exists()
    assert Notification.objects.filter(user=user, kind="events.registration.confirmed").exists()


def test_register_paid_event_confirmed_when_paid_through_sandbox(django_capture_on_commit_callbacks):
    event = make_event(fee="35.00", quota=3)
    user = person()
    registration = sign_up(event, user)

    payment = pay_with_sandbox(registration.order, django_capture_on_commit_callbacks)

    registration.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert registration.status == SignupStatus.CONFIRMED
    assert registration.order.status == OrderStatus.PAID
    assert Ticket.objects.filter(order=registration.order).count() == 1
    assert organiser_account(event.organiser).balance == Decimal("35.00")
    assert Notification.objects.filter(user=user, kind="events.registration.confirmed").exists()


def test_register_full_group_puts_person_on_waiting_list_without_order(django_capture_on_commit_callbacks):
    event = make_event(fee="35.00", quota=1)
    sign_up(event)
    late = person()

    with django_capture_on_commit_callbacks(execute=True):
        waiting = sign_up(event, late)

    assert waiting.status == SignupStatus.WAITLISTED
    assert waiting.order is None
    assert waiting.waitlisted_at is not None
    assert group_of(event).taken == 1
    note = Notification.objects.get(user=late, kind="events.registration.waitlisted")
    assert "1" in note.body


def test_register_waiting_list_full_is_refused_and_nothing_created():
    event = make_event(fee="35.00", quota=1)
    EventGroup.objects.filter(event=event).update(waitlist_limit=1)
    sign_up(event)
    sign_up(event)

    with pytest.raises(Conflict) as caught:
        sign_up(event)

    assert caught.value.code == "group_full"
    assert Registration.objects.filter(event=event).count() == 2
    assert Order.objects.filter(kind=OrderKind.EVENT).count() == 1


def test_register_twice_is_refused_as_already_registered():
    event = make_event(fee="35.00", quota=5)
    user = person()
    sign_up(event, user)

    with pytest.raises(Conflict) as caught:
        sign_up(event, user)

    assert caught.value.code == "already_registered"
    assert group_of(event).taken == 1


def test_register_again_after_withdrawing_is_allowed():
    event = make_event(fee="35.00", quota=5)
    user = person()
    first = sign_up(event, user)
    withdraw_registration(registration=first, actor=user)

    second = sign_up(event, user)

    assert second.pk != first.pk
    assert second.status == SignupStatus.PENDING_PAYMENT
    assert group_of(event).taken == 1


@pytest.mark.parametrize(
    "change",
    [
        {"registration_opens_at": timezone.now() + timedelta(days=1)},
        {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
        {"status": "submitted"},
        {"cancelled_at": timezone.now()},
    ],
    ids=["not-open-yet", "closed", "not-approved", "cancelled"],
)
def test_register_outside_open_window_is_refused(change):
    event = make_event(fee="35.00", quota=5)
    if "registration_closes_at" in change:
        Event.objects.filter(pk=event.pk).update(registration_opens_at=timezone.now() - timedelta(days=2))
    Event.objects.filter(pk=event.pk).update(**change)

    with pytest.raises(Conflict) as caught:
        sign_up(event)

    assert caught.value.code == "registration_closed"
    assert not Registration.objects.exists()
    assert group_of(event).taken == 0


def test_register_group_of_another_event_is_refused():
    event = make_event(quota=5)
    other = make_event(quota=5)

    with pytest.raises(ValidationFailed) as caught:
        sign_up(event, group=other.groups.first())

    assert "group" in caught.value.fields
    assert not Registration.objects.exists()


def test_register_without_participant_name_names_the_field():
    event = make_event(quota=5)

    with pytest.raises(ValidationFailed) as caught:
        sign_up(event, participant_name="  ")

    assert "participant_name" in caught.value.fields
    assert group_of(event).taken == 0


def test_register_same_idempotency_key_returns_first_registration():
    event = make_event(fee="35.00", quota=5)
    user = person()
    first = sign_up(event, user, idempotency_key="k-1")

    again = sign_up(event, user, idempotency_key="k-1")

    assert again.pk == first.pk
    assert Registration.objects.count() == 1
    assert group_of(event).taken == 1


def test_register_idempotency_key_of_another_event_is_refused():
    user = person()
    sign_up(make_event(quota=5), user, idempotency_key="k-2")

    with pytest.raises(Conflict) as caught:
        sign_up(make_event(quota=5), user, idempotency_key="k-2")

    assert caught.value.code == "idempotency_key_reused"


# --- withdrawing and the waiting list ---------------------------------------------------------


def test_withdraw_paid_entry_refunds_per_event_rules_and_promotes_next(django_capture_on_commit_callbacks, settings):
    settings.EVENT_PROMOTION_HOLD_HOURS = 24
    event = make_event(fee="40.00", quota=1, starts_in_days=10, refund_tiers=[{"hours_before": 72, "percent": 50}])
    first_user, next_user = person(), person()
    first = paid_up(event, first_user, django_capture_on_commit_callbacks)
    waiting = sign_up(event, next_user)
    assert waiting.status == SignupStatus.WAITLISTED

    with django_capture_on_commit_callbacks(execute=True):
        first = withdraw_registration(registration=first, actor=first_user, reason="受伤")

    assert first.status == SignupStatus.WITHDRAWN
    assert first.close_reason == "受伤"
    first.order.refresh_from_db()
    assert first.order.status == OrderStatus.REFUNDED
    assert first.order.refunded_amount == Decimal("20.00")
    assert Ticket.objects.get(order=first.order).revoked_at is not None
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.PENDING_PAYMENT
    assert waiting.promoted_at is not None
    assert waiting.order.amount == Decimal("40.00")
    hold = waiting.order.expires_at - timezone.now()
    assert timedelta(hours=23) < hold <= timedelta(hours=24)
    assert group_of(event).taken == 1
    assert Notification.objects.filter(user=next_user, kind="events.registration.promoted").exists()
    assert Notification.objects.filter(user=first_user, kind="events.registration.refunded").exists()


def test_withdraw_without_refund_rules_refunds_nothing(django_capture_on_commit_callbacks):
    event = make_event(fee="40.00", quota=2)
    user = person()
    registration = paid_up(event, user, django_capture_on_commit_callbacks)

    registration = withdraw_registration(registration=registration, actor=user)

    registration.order.refresh_from_db()
    assert registration.status == SignupStatus.WITHDRAWN
    assert registration.order.status == OrderStatus.CANCELLED
    assert registration.order.refunded_amount == Decimal("0.00")
    assert group_of(event).taken == 0


def test_withdraw_unpaid_entry_cancels_order_and_frees_place():
    event = make_event(fee="40.00", quota=1)
    user = person()
    registration = sign_up(event, user)

    registration = withdraw_registration(registration=registration, actor=user)

    assert registration.status == SignupStatus.WITHDRAWN
    assert registration.order.status == OrderStatus.CANCELLED
    assert group_of(event).taken == 0


def test_withdraw_waiting_entry_leaves_the_list_and_places_unchanged():
    event = make_event(fee="40.00", quota=1)
    holder = sign_up(event)
    user = person()
    waiting = sign_up(event, user)

    waiting = withdraw_registration(registration=waiting, actor=user)

    assert waiting.status == SignupStatus.WITHDRAWN
    assert waiting.closed_at is not None
    holder.refresh_from_db()
    assert holder.status == SignupStatus.PENDING_PAYMENT
    assert group_of(event).taken == 1


def test_withdraw_someone_elses_entry_is_refused():
    event = make_event(fee="40.00", quota=1)
    registration = sign_up(event)

    with pytest.raises(NotPermitted):
        withdraw_registration(registration=registration, actor=person())

    registration.refresh_from_db()
    assert registration.status == SignupStatus.PENDING_PAYMENT


def test_withdraw_closed_entry_is_an_illegal_transition():
    event = make_event(fee="40.00", quota=1)
    user = person()
    registration = withdraw_registration(registration=sign_up(event, user), actor=user)

    with pytest.raises(IllegalTransition):
        withdraw_registration(registration=registration, actor=user)


def test_withdraw_after_event_started_is_refused():
    event = make_event(fee="40.00", quota=1)
    user = person()
    registration = sign_up(event, user)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))

    with pytest.raises(Conflict) as caught:
        withdraw_registration(registration=registration, actor=user)

    assert caught.value.code == "event_started"
    assert group_of(event).taken == 1


def test_promotion_of_free_event_confirms_at_once(django_capture_on_commit_callbacks):
    event = make_event(fee="0.00", quota=1)
    first_user, next_user = person(), person()
    first = sign_up(event, first_user)
    waiting = sign_up(event, next_user)

    with django_capture_on_commit_callbacks(execute=True):
        withdraw_registration(registration=first, actor=first_user)

    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.CONFIRMED
    assert waiting.order.status == OrderStatus.PAID
    assert Ticket.objects.filter(order=waiting.order).exists()
    assert Notification.objects.filter(user=next_user, kind="events.registration.confirmed").exists()


def test_promotion_follows_waiting_order():
    event = make_event(fee="40.00", quota=2)
    sign_up(event)
    sign_up(event)
    early, later = sign_up(event), sign_up(event)
    EventGroup.objects.filter(event=event).update(quota=3)

    promoted = promote_waitlist(group=group_of(event))

    assert [r.pk for r in promoted] == [early.pk]
    later.refresh_from_db()
    assert later.status == SignupStatus.WAITLISTED


def test_promotion_after_event_started_does_nothing():
    event = make_event(fee="40.00", quota=1)
    sign_up(event)
    waiting = sign_up(event)
    EventGroup.objects.filter(event=event).update(quota=2)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=1))

    assert promote_waitlist(group=group_of(event)) == []
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.WAITLISTED


def test_promotion_hold_never_runs_past_the_start(settings):
    settings.EVENT_PROMOTION_HOLD_HOURS = 24
    event = make_event(fee="40.00", quota=1)
    user = person()
    first = sign_up(event, user)
    waiting = sign_up(event)
    soon = timezone.now() + timedelta(hours=3)
    Event.objects.filter(pk=event.pk).update(starts_at=soon)

    withdraw_registration(registration=first, actor=user)

    waiting.refresh_from_db()
    assert waiting.order.expires_at == soon


# --- the order's fate -------------------------------------------------------------------------


def test_unpaid_order_expiry_expires_entry_and_promotes_next(django_capture_on_commit_callbacks):
    event = make_event(fee="40.00", quota=1)
    user = person()
    registration = sign_up(event, user)
    waiting = sign_up(event)

    with django_capture_on_commit_callbacks(execute=True):
        expire_order(order_id=overdue(registration.order).pk)

    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.status == SignupStatus.EXPIRED
    assert registration.order.status == OrderStatus.EXPIRED
    assert waiting.status == SignupStatus.PENDING_PAYMENT
    assert group_of(event).taken == 1
    assert Notification.objects.filter(user=user, kind="events.registration.expired").exists()


def test_late_payment_with_place_still_free_confirms_entry(django_capture_on_commit_callbacks):
    event = make_event(fee="40.00", quota=1)
    registration = sign_up(event)
    payment = start_sandbox(registration.order)
    Order.objects.filter(pk=registration.order_id).update(
        status=OrderStatus.EXPIRED, expires_at=timezone.now() - timedelta(minutes=1)
    )
    from sportsplatform.events.domain.registrations import release_place

    release_place(order=Order.objects.get(pk=registration.order_id))
    registration.refresh_from_db()
    assert registration.status == SignupStatus.EXPIRED
    assert group_of(event).taken == 0

    with django_capture_on_commit_callbacks(execute=True):
        tap_confirm(payment)

    registration.refresh_from_db()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert registration.status == SignupStatus.CONFIRMED
    assert registration.order.status == OrderStatus.PAID
    assert group_of(event).taken == 1
    assert Ticket.objects.filter(order=registration.order).exists()


def test_late_payment_after_place_given_away_is_refunded(django_capture_on_commit_callbacks):
    event = make_event(fee="40.00", quota=1)
    registration = sign_up(event)
    waiting = sign_up(event)
    payment = start_sandbox(registration.order)
    Order.objects.filter(pk=registration.order_id).update(expires_at=timezone.now() - timedelta(minutes=1))
    Order.objects.filter(pk=registration.order_id).update(status=OrderStatus.EXPIRED)
    from sportsplatform.events.domain.registrations import release_place

    release_place(order=Order.objects.get(pk=registration.order_id))
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.PENDING_PAYMENT

    with django_capture_on_commit_callbacks(execute=True):
        tap_confirm(payment)

    registration.refresh_from_db()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.UNMATCHED
    assert registration.status == SignupStatus.EXPIRED
    assert group_of(event).taken == 1


# --- cancelling the event ---------------------------------------------------------------------


def test_cancel_all_registrations_refunds_in_full_and_promotes_nobody(django_capture_on_commit_callbacks):
    event = make_event(fee="40.00", quota=2, refund_tiers=[{"hours_before": 720, "percent": 10}], starts_in_days=5)
    paid_user, pending_user, waiting_user = person(), person(), person()
    paid = paid_up(event, paid_user, django_capture_on_commit_callbacks)
    pending = sign_up(event, pending_user)
    waiting = sign_up(event, waiting_user)
    official = person()
    Event.objects.filter(pk=event.pk).update(cancelled_at=timezone.now(), cancel_reason="暴雨")
    event.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        count = cancel_all_registrations(event=event, actor=official, reason="暴雨")

    assert count == 3
    for registration in (paid, pending, waiting):
        registration.refresh_from_db()
        assert registration.status == SignupStatus.CANCELLED
    paid.order.refresh_from_db()
    assert paid.order.status == OrderStatus.REFUNDED
    assert paid.order.refunded_amount == Decimal("40.00")
    assert pending.order.status == OrderStatus.CANCELLED
    assert group_of(event).taken == 0
    for user in (paid_user, pending_user, waiting_user):
        assert Notification.objects.filter(user=user, kind="events.registration.cancelled").exists()


def test_cancel_all_registrations_marks_cancelled_even_before_event_flag(django_capture_on_commit_callbacks):
    event = make_event(fee="40.00", quota=1)
    user = person()
    registration = paid_up(event, user, django_capture_on_commit_callbacks)
    waiting = sign_up(event)

    with django_capture_on_commit_callbacks(execute=True):
        count = cancel_all_registrations(event=event, actor=person(), reason="场地维修")

    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert count == 2
    assert registration.status == SignupStatus.CANCELLED
    assert registration.order.refunded_amount == Decimal("40.00")
    assert waiting.status == SignupStatus.CANCELLED


def test_cancel_all_registrations_goes_on_past_an_order_it_cannot_cancel_and_says_so(
    django_capture_on_commit_callbacks,
):
    event = make_event(fee="40.00", quota=3)
    stuck = sign_up(event)
    others = [sign_up(event), sign_up(event)]
    # An order that changed under the sweep (here: closed without its handler having run).
    Order.objects.filter(pk=stuck.order_id).update(status=OrderStatus.CANCELLED)

    with pytest.raises(Conflict) as caught:
        cancel_all_registrations(event=event, actor=person(), reason="暴雨")

    assert caught.value.code == "registrations_left"
    for registration in others:
        registration.refresh_from_db()
        assert registration.status == SignupStatus.CANCELLED
    stuck.refresh_from_db()
    assert stuck.status == SignupStatus.PENDING_PAYMENT
