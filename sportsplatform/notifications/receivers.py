"""Messages about bookings, sent when an order changes status (orders.domain.signals, after
commit) and by the reminder task.

- paid: "booking confirmed" with the times and the ticket;
- cancelled / refunded: not here — orders.domain.cancel.cancel_order, the only way there, tells the
  user with the amount, and payments again when the refund has arrived; an order cancelled because
  the venue closed its slots also gets the closure notice with the reason (booking.domain.closures);
- expired: "payment time is up, the times were released";
- reminder: once per paid booking, REMINDER_BEFORE before its start (recorded as an order event
  "booking.reminder_sent", so it is never sent twice)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sportsplatform.orders.models import Order, OrderKind, OrderStatus

from .domain.send import notify

REMINDER_EVENT = "booking.reminder_sent"


def order_link(order: Order) -> str:
    """The user's order page (orders:detail), when the pages are installed."""
    try:
        return reverse("orders:detail", args=[order.pk])
    except NoReverseMatch:
        return ""


def booking_summary(order: Order) -> str:
    """e.g. "武侯区全民健身中心 1号场 11-23 10:00–12:00" (times of one day joined)."""
    from sportsplatform.booking.models import BookingItem

    items = list(BookingItem.objects.filter(order=order).select_related("slot__court").order_by("start", "id"))
    if not items:
        return str(order.venue or order.number)
    courts = []
    for item in items:
        if item.slot.court.name not in courts:
            courts.append(item.slot.court.name)
    start = timezone.localtime(items[0].slot.start)
    end = timezone.localtime(max(i.slot.end for i in items))
    when = (
        f"{start:%m-%d %H:%M}–{end:%H:%M}" if start.date() == end.date() else f"{start:%m-%d %H:%M}–{end:%m-%d %H:%M}"
    )
    return f"{order.venue} {'、'.join(courts)} {when}"


def on_order_status_changed(sender, *, order: Order, previous: str, actor=None, **kwargs) -> None:
    if order.kind != OrderKind.BOOKING:
        return
    with translation.override(settings.LANGUAGE_CODE):
        status = order.status
        what = booking_summary(order)
        link = order_link(order)
        if status == OrderStatus.PAID:
            notify(
                user=order.user,
                kind="booking.confirmed",
                title=_("Booking confirmed"),
                body=_("%(what)s is booked and paid (%(amount)s yuan). Show the ticket QR code at the desk.")
                % {"what": what, "amount": order.amount},
                link=link,
            )
        elif status == OrderStatus.EXPIRED:
            notify(
                user=order.user,
                kind="booking.expired",
                title=_("Booking not paid in time"),
                body=_("%(what)s was not paid in time; the times were released for others.") % {"what": what},
                link=link,
            )


def send_booking_reminders(*, now: datetime | None = None, before: timedelta | None = None) -> list[int]:
    """Remind users of paid bookings starting within `before` (BOOKING_REMINDER_BEFORE), once per
    order. Returns the ids of the orders reminded."""
    from sportsplatform.booking.models import BookingItem, BookingItemStatus
    from sportsplatform.orders.domain.transitions import lock_order, log_order_event
    from sportsplatform.orders.models import OrderEvent

    now = now or timezone.now()
    before = before or getattr(settings, "BOOKING_REMINDER_BEFORE", timedelta(hours=2))
    due = (
        BookingItem.objects.filter(
            status=BookingItemStatus.CONFIRMED,
            order__status=OrderStatus.PAID,
            order__kind=OrderKind.BOOKING,
        )
        .values("order_id")
        .annotate(first=Min("start"))
        .filter(first__gt=now, first__lte=now + before)
        .exclude(order__events__action=REMINDER_EVENT)
        .values_list("order_id", flat=True)
    )
    sent = []
    for order_id in sorted(set(due)):
        with transaction.atomic():
            order = lock_order(order_id)
            if (
                order.status != OrderStatus.PAID
                or OrderEvent.objects.filter(order=order, action=REMINDER_EVENT).exists()
            ):
                continue
            log_order_event(order=order, action=REMINDER_EVENT)
            order = Order.objects.select_related("user", "venue").get(pk=order.pk)
            with translation.override(settings.LANGUAGE_CODE):
                first = BookingItem.objects.filter(order=order).aggregate(first=Min("start"))["first"]
                notify(
                    user=order.user,
                    kind="booking.reminder",
                    title=_("Your booking starts soon"),
                    body=_("%(what)s starts at %(time)s. Check in at the desk with the ticket QR code.")
                    % {"what": booking_summary(order), "time": f"{timezone.localtime(first):%H:%M}"},
                    link=order_link(order),
                    channels=("sms", "wechat"),
                )
        sent.append(order_id)
    return sent


def connect() -> None:
    from sportsplatform.orders.domain.signals import order_status_changed

    order_status_changed.connect(on_order_status_changed, dispatch_uid="notifications.booking_status")
