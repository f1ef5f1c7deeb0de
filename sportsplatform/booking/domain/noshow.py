"""No-shows and the booking suspensions they lead to.

A paid booking nobody checked in by its start + policy.no_show_after_minutes is a no-show: its
items become NO_SHOW (the order stays paid: the place was held and is not refunded). Each no-show
order counts once. When a user reaches policy.no_show_limit no-shows within
policy.no_show_window_days (of the venue where the last one happened), booking is suspended for
policy.suspension_days, with the reason shown to them at booking time (booking.domain.holds).
No-shows before the user's last suspension do not count again."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sportsplatform.core import audit
from sportsplatform.core.errors import NotPermitted, ValidationFailed
from sportsplatform.orders.domain.transitions import log_order_event
from sportsplatform.orders.models import Order, OrderKind, OrderStatus

from ..models import BookingItem, BookingItemStatus, BookingSuspension
from .policy import policy_for

# The sweep looks back this far for unmarked bookings (a task that did not run for a while catches up).
LOOKBACK = timedelta(days=3)


@dataclass
class NoShowResult:
    orders: list[int] = field(default_factory=list)
    suspensions: list[BookingSuspension] = field(default_factory=list)


def no_show_reason(*, count: int, days: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return ngettext(
            "%(count)d booking not attended within %(days)d days",
            "%(count)d bookings not attended within %(days)d days",
            count,
        ) % {"count": count, "days": days}


def mark_no_shows(*, now: datetime | None = None) -> NoShowResult:
    """The periodic sweep: mark due no-shows and suspend users who reached the limit."""
    now = now or timezone.now()
    result = NoShowResult()
    candidates = (
        BookingItem.objects.filter(
            status=BookingItemStatus.CONFIRMED,
            order__status=OrderStatus.PAID,
            order__kind=OrderKind.BOOKING,
            start__lte=now,
            start__gte=now - LOOKBACK,
        )
        .select_related("order__venue__booking_policy")
        .order_by("order_id", "start")
    )
    first_start: dict[int, datetime] = {}
    orders: dict[int, Order] = {}
    for item in candidates:
        first_start.setdefault(item.order_id, item.start)
        orders[item.order_id] = item.order
    due = []
    for order_id, start in first_start.items():
        policy = policy_for(orders[order_id].venue)
        if start + timedelta(minutes=policy.no_show_after_minutes) <= now:
            due.append(orders[order_id])
    by_user = defaultdict(list)
    for order in due:
        with transaction.atomic():
            # Conditional: a check-in at this very moment wins.
            marked = BookingItem.objects.filter(order=order, status=BookingItemStatus.CONFIRMED).update(
                status=BookingItemStatus.NO_SHOW
            )
            if not marked:
                continue
            log_order_event(order=order, action="booking.no_show", note="no check-in")
            audit.record(action="booking.order.no_show", obj=order)
        result.orders.append(order.pk)
        by_user[order.user_id].append(order)
    for orders_of_user in by_user.values():
        last = orders_of_user[-1]
        _notify_no_show(order=last)
        suspension = suspend_if_due(user=last.user, venue=last.venue, now=now)
        if suspension is not None:
            result.suspensions.append(suspension)
    return result


def no_show_count(*, user, since: datetime) -> int:
    return (
        BookingItem.objects.filter(user=user, status=BookingItemStatus.NO_SHOW, start__gte=since)
        .values("order_id")
        .distinct()
        .count()
    )


def suspend_if_due(*, user, venue, now: datetime | None = None) -> BookingSuspension | None:
    """Suspend `user` if their no-shows reached the limit of `venue`'s policy. Idempotent: an
    active suspension is not doubled, and no-shows before the last suspension do not count."""
    now = now or timezone.now()
    policy = policy_for(venue)
    if not policy.no_show_limit or not policy.suspension_days:
        return None
    with transaction.atomic():
        type(user).objects.select_for_update().filter(pk=user.pk).exists()
        if BookingSuspension.objects.filter(user=user, until__gt=now, lifted_at__isnull=True).exists():
            return None
        since = now - timedelta(days=policy.no_show_window_days)
        last = BookingSuspension.objects.filter(user=user).order_by("-starts_at").first()
        if last is not None and last.starts_at > since:
            since = last.starts_at
        count = no_show_count(user=user, since=since)
        if count < policy.no_show_limit:
            return None
        suspension = BookingSuspension.objects.create(
            user=user,
            starts_at=now,
            until=now + timedelta(days=policy.suspension_days),
            reason=no_show_reason(count=count, days=policy.no_show_window_days),
        )
        audit.record(action="booking.suspension.created", obj=suspension, user_id=user.pk, no_shows=count)
        _notify_suspension(suspension)
    return suspension


def lift_suspension(*, suspension: BookingSuspension, actor, note: str = "") -> BookingSuspension:
    """End a suspension early (the back office), audited with who and why."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm("booking.change_bookingsuspension"):
        raise NotPermitted(_("You cannot lift booking suspensions."))
    with transaction.atomic():
        locked = BookingSuspension.objects.select_for_update().get(pk=suspension.pk)
        if locked.lifted_at is not None:
            raise ValidationFailed(_("This suspension was already lifted."))
        if locked.until <= timezone.now():
            raise ValidationFailed(_("This suspension has already ended."))
        locked.lifted_at = timezone.now()
        locked.lifted_by = actor
        locked.save(update_fields=["lifted_at", "lifted_by"])
        audit.record(action="booking.suspension.lifted", actor=actor, obj=locked, note=note[:255])
        from sportsplatform.notifications.domain.send import notify

        with translation.override(settings.LANGUAGE_CODE):
            notify(
                user=locked.user,
                kind="booking.suspension_lifted",
                title=_("You can book again"),
                body=_("Your booking suspension was lifted."),
            )
    return locked


def _notify_no_show(*, order: Order) -> None:
    from sportsplatform.notifications.domain.send import notify
    from sportsplatform.notifications.receivers import booking_summary, order_link

    with translation.override(settings.LANGUAGE_CODE):
        notify(
            user=order.user,
            kind="booking.no_show",
            title=_("Booking not attended"),
            body=_(
                "%(what)s was not checked in and is recorded as not attended. Repeated no-shows suspend "
                "online booking for a while; cancel in time if you cannot come."
            )
            % {"what": booking_summary(order)},
            link=order_link(order),
        )


def _notify_suspension(suspension: BookingSuspension) -> None:
    from sportsplatform.notifications.domain.send import notify

    until = timezone.localtime(suspension.until)
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            user=suspension.user,
            kind="booking.suspended",
            title=_("Online booking suspended"),
            body=_("You cannot book online until %(until)s: %(reason)s.")
            % {"until": f"{until:%Y-%m-%d %H:%M}", "reason": suspension.reason},
            channels=("sms", "wechat"),
        )
