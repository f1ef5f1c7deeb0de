"""Signing up for an event, the waiting list, withdrawing, and cancelling every sign-up of an
event that is called off.

Places are counted on the EventGroup row (`quota`, `taken`, check constraint taken <= quota).
Every path that changes who holds a place of a group first locks that group's row, then the
registration rows; the order row, when there is one, is locked before the group (cancel_order and
the expiry sweep lock it and then call the handler). One order of locks, so no deadlocks, and the
group lock closes the one race the conditional UPDATE alone leaves open: a sign-up that finds the
group full and joins the waiting list while a withdrawal frees a place and looks for someone to
promote — each waits for the other, so the newcomer either takes the freed place or is on the
list the promotion reads.

A registration holding a place always has an order: PENDING_PAYMENT with an order awaiting
payment (held EVENT_HOLD_MINUTES, or EVENT_PROMOTION_HOLD_HOURS after a promotion), CONFIRMED with
a paid order and an e-ticket (a free entry gets an order of 0 yuan, paid at once, so check-in works
the same for everyone). WAITLISTED has no order. Money moves only through orders and payments:
withdrawing cancels the order (refund per the event's rules), cancelling the event cancels every
order in full; the order handler (handler.py) turns the order's fate into the registration's."""

from __future__ import annotations

import contextvars
import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import Conflict, DomainError, IllegalTransition, NotPermitted, ValidationFailed
from sportsplatform.core.scoping import can_change
from sportsplatform.core.signups import (
    ACTIVE,
    HOLDS_PLACE,
    SignupStatus,
    check_signup_transition,
    free_place,
    take_place,
)
from sportsplatform.notifications.domain.send import notify
from sportsplatform.orders.domain.create import LineSpec, create_order
from sportsplatform.orders.domain.kinds import handler_for
from sportsplatform.orders.domain.transitions import lock_order, transition_order
from sportsplatform.orders.models import Order, OrderKind, OrderStatus

from ..models import Event, EventGroup, Registration
from .fields import clean_answers

log = logging.getLogger(__name__)

# Set by withdraw_registration / cancel_all_registrations around cancel_order, so the order
# handler knows why the order is going away: (registration status, reason).
closing_as: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("event_closing", default=None)


def hold_minutes() -> int:
    return int(getattr(settings, "EVENT_HOLD_MINUTES", 15))


def promotion_hold_hours() -> int:
    return int(getattr(settings, "EVENT_PROMOTION_HOLD_HOURS", 24))


def registration_link(registration: Registration) -> str:
    """The participant's page of the sign-up (the order page while that does not exist)."""
    try:
        return reverse("events:registration", args=[registration.pk])
    except NoReverseMatch:
        if registration.order_id:
            return reverse("orders:detail", args=[registration.order_id])
        return ""


def _check_open(event: Event, now: datetime) -> None:
    if not event.is_published:
        raise Conflict(_("This event is not open for sign-up."), code="registration_closed")
    if now < event.registration_opens_at:
        raise Conflict(
            _("Sign-up opens at %(time)s.")
            % {"time": f"{timezone.localtime(event.registration_opens_at):%Y-%m-%d %H:%M}"},
            code="registration_closed",
        )
    if now >= event.registration_closes_at:
        raise Conflict(_("Sign-up for this event has closed."), code="registration_closed")


def _already_registered() -> Conflict:
    return Conflict(_("You are already signed up for this event."), code="already_registered")


def register(
    *,
    event: Event,
    group: EventGroup,
    user,
    participant_name: str,
    answers: dict,
    team_name: str = "",
    members: list[dict] | tuple = (),
    actor=None,
    idempotency_key: str = "",
) -> Registration:
    """Sign `user` up for `group` of `event`.

    A free place: PENDING_PAYMENT with an order payable within EVENT_HOLD_MINUTES, or CONFIRMED at
    once (with a paid order of 0 and an e-ticket) when the group is free. No place: WAITLISTED
    (no order), unless the group's waiting list is full (Conflict `group_full`). Raises Conflict
    `registration_closed` / `already_registered`, ValidationFailed with per-field messages.
    A retry with the same `idempotency_key` returns the first registration."""
    actor = actor or user
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotPermitted(_("Sign in to sign up."))
    idempotency_key = (idempotency_key or "").strip()[:64]
    if idempotency_key:
        earlier = Registration.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.event_id != event.pk:
                raise Conflict(_("This request key was used for another sign-up."), code="idempotency_key_reused")
            return earlier

    now = timezone.now()
    # Fresh: the caller's copy may predate a cancellation or a change of the window.
    event = Event.objects.select_related("venue").prefetch_related("fields").get(pk=event.pk)
    _check_open(event, now)
    if group.event_id != event.pk:
        raise ValidationFailed(fields={"group": [_("Choose one of this event's groups.")]})
    participant_name = (participant_name or "").strip()
    errors: dict[str, list[str]] = {}
    if not participant_name:
        errors["participant_name"] = [_("Give the participant's name.")]
    elif len(participant_name) > 64:
        errors["participant_name"] = [_("At most %(n)d characters.") % {"n": 64}]
    try:
        answers, members = clean_answers(
            event=event, answers=answers, members=members, group=group, team_name=team_name
        )
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, fields={**errors, **exc.fields}) from None
    if errors:
        raise ValidationFailed(_("Please correct the sign-up form."), fields=errors)
    if Registration.objects.filter(event=event, user=user, status__in=list(ACTIVE)).exists():
        raise _already_registered()

    try:
        with transaction.atomic():
            # The conditional UPDATE row-locks the group only when it takes a place (until commit),
            # so in a rush the sign-ups that find the group full go to the waiting list in
            # parallel instead of queueing behind each other on an explicit group lock. A place
            # freed meanwhile is caught after commit (below).
            placed = take_place(EventGroup, group.pk)
            if placed or group.waitlist_limit:
                # A capped waiting list is counted under the lock so the cap holds.
                locked = EventGroup.objects.select_for_update().get(pk=group.pk)
            else:
                locked = group
            if not placed and locked.waitlist_limit:
                waiting = Registration.objects.filter(group=locked, status=SignupStatus.WAITLISTED).count()
                if waiting >= locked.waitlist_limit:
                    raise Conflict(
                        _("%(group)s is full and so is its waiting list.") % {"group": locked.name}, code="group_full"
                    )
            registration = Registration.objects.create(
                event=event,
                group=locked,
                user=user,
                status=SignupStatus.PENDING_PAYMENT if placed else SignupStatus.WAITLISTED,
                participant_name=participant_name,
                team_name=(team_name or "").strip()[:64],
                members=members,
                answers=answers,
                waitlisted_at=None if placed else now,
                idempotency_key=idempotency_key,
            )
            audit.record(
                action="events.registration.created" if placed else "events.registration.waitlisted",
                actor=actor,
                obj=registration,
                group=locked.name,
            )
            if placed:
                _attach_order(
                    registration=registration,
                    event=event,
                    group=locked,
                    expires_at=now + timedelta(minutes=hold_minutes()),
                    actor=actor,
                )
            else:
                _tell_waitlisted(registration, group=locked)
    except IntegrityError:
        # The partial unique index: a second active sign-up of the same person raced this one.
        if Registration.objects.filter(event=event, user=user, status__in=list(ACTIVE)).exists():
            raise _already_registered() from None
        if idempotency_key:
            earlier = Registration.objects.filter(user=user, idempotency_key=idempotency_key).first()
            if earlier is not None:
                return earlier
        raise
    if not placed and EventGroup.objects.filter(pk=group.pk, taken__lt=F("quota")).exists():
        # A place was freed between our full-group check and our commit, and its promotion ran
        # before it could see us: promote now (first come first served, under the group lock).
        promote_waitlist(group=group, actor=None)
    registration.refresh_from_db()
    return registration


def _attach_order(*, registration: Registration, event: Event, group: EventGroup, expires_at: datetime, actor) -> Order:
    """The order for a registration that just took a place (in the caller's transaction). A free
    group's order of 0 is paid at once: no provider is involved and no money moves, as
    payments.domain.pay does for an order a coupon covers in full."""
    price = group.fee if group.fee is not None else event.fee
    free = price <= Decimal("0")
    order = create_order(
        user=registration.user,
        kind=OrderKind.EVENT,
        venue=event.venue,
        lines=[LineSpec("registration", registration.pk, f"{event.title} · {group.name}", price)],
        expires_at=None if free else expires_at,
        actor=actor,
    )
    registration.order = order
    registration.save(update_fields=["order"])
    if free:
        order = lock_order(order.pk)
        transition_order(order=order, to=OrderStatus.PAID, actor=actor, note="nothing to pay", data={"free": True})
        handler_for(order).on_paid(order=order, actor=actor)
    return order


def promotable(event: Event, now: datetime | None = None) -> bool:
    """Waiting lists move only while the event is published and has not started."""
    return event.is_published and (now or timezone.now()) < event.starts_at


def promote_waitlist(*, group: EventGroup, actor=None) -> list[Registration]:
    """Give the group's free places to the waiting list, first come first served. A promoted
    entry gets an order payable within EVENT_PROMOTION_HOLD_HOURS (never past the start), or is
    confirmed at once when the group is free. Returns the promoted registrations."""
    promoted: list[Registration] = []
    now = timezone.now()
    with transaction.atomic():
        locked = (
            EventGroup.objects.select_for_update(of=("self",)).select_related("event", "event__venue").get(pk=group.pk)
        )
        event = locked.event
        if not promotable(event, now):
            return promoted
        while True:
            waiting = (
                Registration.objects.select_for_update()
                .filter(group=locked, status=SignupStatus.WAITLISTED)
                .order_by("waitlisted_at", "id")
                .first()
            )
            if waiting is None or not take_place(EventGroup, locked.pk):
                break
            check_signup_transition(waiting.status, SignupStatus.PENDING_PAYMENT)
            waiting.status = SignupStatus.PENDING_PAYMENT
            waiting.promoted_at = now
            waiting.save(update_fields=["status", "promoted_at"])
            audit.record(action="events.registration.promoted", actor=actor, obj=waiting, group=locked.name)
            order = _attach_order(
                registration=waiting,
                event=event,
                group=locked,
                expires_at=min(now + timedelta(hours=promotion_hold_hours()), event.starts_at),
                actor=actor,
            )
            if order.status == OrderStatus.PENDING_PAYMENT:
                _tell_promoted(waiting, order=order)
            waiting.refresh_from_db()
            promoted.append(waiting)
    return promoted


def withdraw_registration(*, registration: Registration, actor, reason: str = "") -> Registration:
    """The participant withdraws (from "my events"). A held place is given up by cancelling the
    order: a paid one is refunded per the event's rules (orders.domain.cancel), and the freed
    place goes to the waiting list. A waiting entry simply leaves the list."""
    registration = Registration.objects.select_related("event", "group", "order", "user").get(pk=registration.pk)
    if getattr(actor, "pk", None) != registration.user_id and not can_change(actor, registration):
        raise NotPermitted()
    if registration.status not in ACTIVE:
        raise IllegalTransition(
            _("This sign-up is already closed."), fields={"status": [registration.status, SignupStatus.WITHDRAWN]}
        )
    if timezone.now() >= registration.event.starts_at:
        raise Conflict(_("The event has started; sign-ups can no longer be withdrawn."), code="event_started")
    reason = (reason or "").strip()[:200] or _("Withdrawn by the participant")

    if registration.status == SignupStatus.WAITLISTED:
        _close_waiting(registration, to=SignupStatus.WITHDRAWN, actor=actor, reason=reason)
        promote_waitlist(group=registration.group, actor=actor)
        registration.refresh_from_db()
        return registration

    order = registration.order
    if order is not None and order.status == OrderStatus.USED:
        raise Conflict(_("This entry has been checked in and cannot be withdrawn."), code="checked_in")
    from sportsplatform.orders.domain.cancel import cancel_order

    token = closing_as.set((SignupStatus.WITHDRAWN, reason))
    try:
        cancel_order(order=order, actor=actor, reason=reason)
    finally:
        closing_as.reset(token)
    registration.refresh_from_db()
    return registration


def _close_waiting(registration: Registration, *, to: str, actor, reason: str) -> bool:
    """Close a sign-up that holds no place (waiting). False if it changed meanwhile."""
    with transaction.atomic():
        EventGroup.objects.select_for_update().filter(pk=registration.group_id).first()
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != SignupStatus.WAITLISTED:
            return False
        check_signup_transition(locked.status, to)
        locked.status = to
        locked.closed_at = timezone.now()
        locked.close_reason = reason[:255]
        locked.save(update_fields=["status", "closed_at", "close_reason"])
        audit.record(action=f"events.registration.{to}", actor=actor, obj=locked, reason=reason)
    return True


def cancel_all_registrations(*, event: Event, actor, reason: str) -> int:
    """The event is called off: every active sign-up is cancelled, paid ones refunded in full, and
    each participant told. Each order is cancelled in its own transaction (cancel_order may ask
    a payment provider to close an open payment, which must not happen under a lock). Entries
    already checked in are left as they are. Returns how many sign-ups were cancelled; raises
    Conflict `registrations_left` after doing the rest when some order could not be cancelled
    (a payment provider out of reach): calling it again finishes them."""
    from sportsplatform.orders.domain.cancel import cancel_order

    reason = (reason or "").strip()[:200] or _("The event was cancelled")
    cancelled = left = 0
    token = closing_as.set((SignupStatus.CANCELLED, reason))
    try:
        for registration in (
            Registration.objects.filter(event=event, status__in=list(ACTIVE))
            .select_related("order", "user")
            .order_by("pk")
        ):
            if registration.status == SignupStatus.WAITLISTED or registration.order is None:
                done = _close_waiting(registration, to=SignupStatus.CANCELLED, actor=actor, reason=reason)
            elif registration.order.status == OrderStatus.USED:
                continue
            else:
                try:
                    cancel_order(order=registration.order, actor=actor, reason=reason, full_refund=True)
                except DomainError:
                    # The order moved meanwhile (expired, paid) or the provider could not be
                    # reached: go on with the others; a second run finishes what is left.
                    log.warning("events: sign-up %s of event %s not cancelled yet", registration.pk, event.pk)
                registration.refresh_from_db()
                done = registration.status == SignupStatus.CANCELLED
                if registration.status in ACTIVE:
                    left += 1
            if done:
                cancelled += 1
                notify(
                    user=registration.user,
                    kind="events.registration.cancelled",
                    title=_("Event cancelled"),
                    body=_(
                        "%(event)s has been cancelled (%(reason)s). Your sign-up is cancelled and anything you "
                        "paid is refunded in full."
                    )
                    % {"event": event.title, "reason": reason},
                    link=registration_link(registration),
                )
    finally:
        closing_as.reset(token)
    audit.record(action="events.event.registrations_cancelled", actor=actor, obj=event, count=cancelled, left=left)
    if left:
        raise Conflict(
            _("%(n)d sign-ups could not be cancelled yet (the payment service did not answer). Try again.")
            % {"n": left},
            code="registrations_left",
        )
    return cancelled


# --- what the order handler does with a registration ----------------------------------------


def registration_of(order: Order) -> Registration | None:
    return Registration.objects.filter(order=order).select_related("event", "group", "user").first()


def confirm_paid(*, order: Order, actor=None) -> Registration | None:
    """The registration's order is paid (inside the payment's transaction, the order locked):
    confirmed, with an e-ticket."""
    from sportsplatform.booking.domain.tickets import issue_ticket

    registration = registration_of(order)
    if registration is None:
        return None
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "group", "user")
        .get(pk=registration.pk)
    )
    if registration.status == SignupStatus.PENDING_PAYMENT:
        check_signup_transition(registration.status, SignupStatus.CONFIRMED)
        registration.status = SignupStatus.CONFIRMED
        registration.confirmed_at = timezone.now()
        registration.save(update_fields=["status", "confirmed_at"])
    elif registration.status != SignupStatus.CONFIRMED:
        return registration
    issue_ticket(order=order)
    audit.record(action="events.registration.confirmed", actor=actor, obj=registration, order=order.number)
    notify(
        user=registration.user,
        kind="events.registration.confirmed",
        title=_("Sign-up confirmed"),
        body=_("You are signed up for %(event)s (%(group)s). Show the e-ticket's QR code at check-in.")
        % {"event": registration.event.title, "group": registration.group.name},
        link=_ticket_link(order),
    )
    return registration


def release_place(*, order: Order, actor=None) -> Registration | None:
    """The registration's order expired, was cancelled or refunded (the order locked): the sign-up
    closes, its place is freed and goes to the waiting list in the same transaction."""
    from sportsplatform.booking.models import Ticket

    Ticket.objects.filter(order=order, revoked_at__isnull=True).update(revoked_at=order.closed_at or timezone.now())
    registration = registration_of(order)
    if registration is None or registration.status not in HOLDS_PLACE:
        return registration
    event = registration.event
    intent = closing_as.get()
    if order.status == OrderStatus.EXPIRED:
        to, reason = SignupStatus.EXPIRED, _("Not paid in time")
    elif event.cancelled_at is not None or (intent and intent[0] == SignupStatus.CANCELLED):
        to, reason = SignupStatus.CANCELLED, (intent[1] if intent else event.cancel_reason)
    else:
        to, reason = SignupStatus.WITHDRAWN, (intent[1] if intent else _("The order was cancelled"))

    with transaction.atomic():
        group = EventGroup.objects.select_for_update().get(pk=registration.group_id)
        # of=self: lock the registration row only, not the event, group and user rows it joins.
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event", "group", "user")
            .get(pk=registration.pk)
        )
        if registration.status not in HOLDS_PLACE or registration.order_id != order.pk:
            return registration
        check_signup_transition(registration.status, to)
        registration.status = to
        registration.closed_at = timezone.now()
        registration.close_reason = str(reason)[:255]
        registration.save(update_fields=["status", "closed_at", "close_reason"])
        free_place(EventGroup, group.pk)
        audit.record(action=f"events.registration.{to}", actor=actor, obj=registration, order=order.number)
        if to == SignupStatus.EXPIRED:
            notify(
                user=registration.user,
                kind="events.registration.expired",
                title=_("Sign-up not paid in time"),
                body=_("The time to pay for %(event)s (%(group)s) ran out and the place was given up.")
                % {"event": event.title, "group": group.name},
                link=registration_link(registration),
            )
        elif to == SignupStatus.WITHDRAWN:
            refund = _refund_of(order)
            body = _("Your sign-up for %(event)s (%(group)s) is withdrawn.") % {
                "event": event.title,
                "group": group.name,
            }
            if refund:
                body += " " + _("%(amount)s yuan will be refunded the way you paid.") % {"amount": refund}
            notify(
                user=registration.user,
                kind="events.registration.refunded" if refund else "events.registration.withdrawn",
                title=_("Sign-up withdrawn"),
                body=body,
                link=registration_link(registration),
            )
        if to != SignupStatus.CANCELLED:
            promote_waitlist(group=group, actor=actor)
    return registration


def relive_late(*, order: Order) -> bool:
    """A payment came after the hold lapsed: confirm the sign-up if its group still has a place
    and the person has not signed up again meanwhile (then the payment is refunded instead)."""
    registration = registration_of(order)
    if registration is None or registration.status != SignupStatus.EXPIRED:
        return False
    if not promotable(registration.event):
        return False
    try:
        with transaction.atomic():
            EventGroup.objects.select_for_update().filter(pk=registration.group_id).first()
            locked = Registration.objects.select_for_update().get(pk=registration.pk)
            if locked.status != SignupStatus.EXPIRED or not take_place(EventGroup, locked.group_id):
                return False
            check_signup_transition(locked.status, SignupStatus.CONFIRMED)
            locked.status = SignupStatus.CONFIRMED
            locked.confirmed_at = timezone.now()
            locked.closed_at = None
            locked.close_reason = ""
            locked.save(update_fields=["status", "confirmed_at", "closed_at", "close_reason"])
            audit.record(action="events.registration.confirmed_late", actor=None, obj=locked, order=order.number)
    except IntegrityError:
        return False  # signed up again meanwhile: one active sign-up per person
    return True


def _refund_of(order: Order) -> str:
    event = order.events.filter(to_status=OrderStatus.REFUNDED).order_by("-at", "-id").first()
    return str(event.data.get("refund", "")) if event is not None else ""


def _ticket_link(order: Order) -> str:
    return reverse("orders:ticket", args=[order.pk])


def _tell_waitlisted(registration: Registration, *, group: EventGroup) -> None:
    from ..queries import waitlist_position

    notify(
        user=registration.user,
        kind="events.registration.waitlisted",
        title=_("On the waiting list"),
        body=_(
            "%(group)s of %(event)s is full. You are number %(n)d on the waiting list; we will tell you "
            "as soon as a place is yours."
        )
        % {"group": group.name, "event": registration.event.title, "n": waitlist_position(registration) or 1},
        link=registration_link(registration),
    )


def _tell_promoted(registration: Registration, *, order: Order) -> None:
    notify(
        user=registration.user,
        kind="events.registration.promoted",
        title=_("A place is yours"),
        body=_("A place in %(group)s of %(event)s is free for you. Pay by %(time)s to keep it.")
        % {
            "group": registration.group.name,
            "event": registration.event.title,
            "time": f"{timezone.localtime(order.expires_at):%Y-%m-%d %H:%M}",
        },
        link=reverse("orders:pay", args=[order.pk]),
    )
