"""The operator's desk in the back office: a venue's per-court calendar, ticket check-in (phone
camera or typed code) and refunds. Behind the back-office gate (admin_view: staff session with a
password, second factor where required); what a user sees goes through core.scoping, so an
operator sees only its own venues. Officials of a bureau see their region read-only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Min
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.accounts.models import Role
from sportsplatform.core.errors import DomainError, NotFound
from sportsplatform.core.scoping import editable_by, require_visible, scope_for, visible_to
from sportsplatform.orders.domain.kinds import handler_for
from sportsplatform.orders.models import Order, OrderKind, OrderStatus
from sportsplatform.venues.models import Venue

from .domain.policy import policy_for
from .domain.slots import generate_slots
from .domain.tickets import check_in
from .models import BookingItem, BookingItemStatus, Slot, SlotStatus


def can_act(user) -> bool:
    """Operators (and platform admins) check tickets in and refund; bureau officials only look."""
    scope = scope_for(user)
    return scope.everything or Role.OPERATOR_STAFF in scope.roles


def can_view(user) -> bool:
    scope = scope_for(user)
    return can_act(user) or Role.BUREAU_OFFICIAL in scope.roles


def _desk_view(view, *, act: bool = False):
    def wrapped(request, *args, **kwargs):
        if not (can_act(request.user) if act else can_view(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return admin.site.admin_view(wrapped)


def _bookable_venues(user):
    return (
        visible_to(user, Venue.objects.filter(courts__is_bookable=True))
        .distinct()
        .select_related("region")
        .order_by("name", "id")
    )


def _context(request, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, "can_act": can_act(request.user), **extra}


# --- venues ---------------------------------------------------------------------------------


def _venue_list(request):
    venues = list(_bookable_venues(request.user)[:200])
    return TemplateResponse(
        request,
        "booking/operator/venues.html",
        _context(request, _("Bookings by venue"), venues=venues, desk_tab="venues"),
    )


venue_list = _desk_view(_venue_list)


# --- calendar -------------------------------------------------------------------------------


@dataclass
class CalendarCell:
    slot: Slot | None
    bookings: list


@dataclass
class CalendarRow:
    start: datetime
    end: datetime
    cells: list[CalendarCell]


def _calendar(request, pk: int):
    try:
        venue = require_visible(request.user, Venue.objects.all(), pk=pk)
    except NotFound:
        raise PermissionDenied from None
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = today
    policy = policy_for(venue)
    if (
        today <= day <= today + timedelta(days=policy.window_days)
        and not Slot.objects.filter(venue=venue, date=day).exists()
    ):
        generate_slots(venue=venue, start=day, days=1)
    slots = list(
        Slot.objects.filter(venue=venue, date=day).select_related("court").order_by("court__order", "court_id", "start")
    )
    items = (
        BookingItem.objects.filter(slot__in=[s.pk for s in slots])
        .exclude(status=BookingItemStatus.RELEASED)
        .select_related("order", "user")
        .order_by("start", "id")
    )
    by_slot = defaultdict(list)
    for item in items:
        by_slot[item.slot_id].append(item)
    courts = []
    seen = set()
    for slot in slots:
        if slot.court_id not in seen:
            seen.add(slot.court_id)
            courts.append(slot.court)
    grid: dict[datetime, dict[int, Slot]] = defaultdict(dict)
    ends = {}
    for slot in slots:
        grid[slot.start][slot.court_id] = slot
        ends.setdefault(slot.start, slot.end)
    rows = [
        CalendarRow(
            start=start,
            end=ends[start],
            cells=[
                CalendarCell(
                    slot=grid[start].get(c.pk), bookings=by_slot.get(getattr(grid[start].get(c.pk), "pk", None), [])
                )
                for c in courts
            ],
        )
        for start in sorted(grid)
    ]
    days = [today + timedelta(days=i) for i in range(-1, policy.window_days + 1)]
    context = _context(
        request,
        _("Booking calendar"),
        desk_tab="venues",
        venue=venue,
        day=day,
        days=days,
        courts=courts,
        rows=rows,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        closed=SlotStatus.CLOSED,
    )
    return TemplateResponse(request, "booking/operator/calendar.html", context)


calendar = _desk_view(_calendar)


# --- check-in -------------------------------------------------------------------------------


def _check_in_desk(request):
    venues = list(editable_by(request.user, Venue.objects.filter(courts__is_bookable=True)).distinct().order_by("name"))
    venue = None
    raw_venue = request.POST.get("venue") or request.GET.get("venue") or ""
    if raw_venue.isdecimal():
        venue = next((v for v in venues if v.pk == int(raw_venue)), None)
    result = None
    refusal = None
    if request.method == "POST":
        code = "".join((request.POST.get("code") or "").split())
        try:
            ticket = check_in(code_or_token=code, venue=venue, actor=request.user)
        except DomainError as exc:
            refusal = str(exc.message)
        else:
            result = _ticket_facts(ticket)
    context = _context(
        request,
        _("Ticket check-in"),
        desk_tab="check_in",
        venues=venues,
        venue=venue,
        result=result,
        refusal=refusal,
        code=request.POST.get("code", "") if refusal else "",
    )
    return TemplateResponse(request, "booking/operator/check_in.html", context, status=409 if refusal else 200)


def _ticket_facts(ticket) -> dict:
    order = Order.objects.select_related("user", "venue").get(pk=ticket.order_id)
    items = list(BookingItem.objects.filter(order=order).select_related("slot__court").order_by("start"))
    return {
        "ticket": ticket,
        "order": order,
        "who": order.user.display_name or "",
        "phone": order.user.masked_phone,
        "items": items,
    }


check_in_desk = _desk_view(_check_in_desk, act=True)


# --- refunds --------------------------------------------------------------------------------


def _refunds(request):
    user = request.user
    venues = list(_bookable_venues(user)[:200])
    venue = None
    raw_venue = request.GET.get("venue", "")
    if raw_venue.isdecimal():
        venue = next((v for v in venues if v.pk == int(raw_venue)), None)
    if request.method == "POST":
        if not can_act(user):
            raise PermissionDenied
        return _refund_one(request)
    orders = visible_to(user, Order.objects.filter(kind=OrderKind.BOOKING, status=OrderStatus.PAID))
    if venue is not None:
        orders = orders.filter(venue=venue)
    orders = (
        orders.select_related("user", "venue")
        .annotate(first_start=Min("booking_items__start"))
        .order_by("first_start", "id")
    )
    page = Paginator(orders, 30).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = []
    for order in page.object_list:
        quote = handler_for(order).refund_quote(order=order, now=now)
        rows.append({"order": order, "quote": quote})
    context = _context(request, _("Refunds"), desk_tab="refunds", venues=venues, venue=venue, rows=rows, page=page)
    return TemplateResponse(request, "booking/operator/refunds.html", context)


def _refund_one(request):
    from sportsplatform.orders.domain.cancel import cancel_order

    back = reverse("booking:operator_refunds")
    if request.POST.get("venue", "").isdecimal():
        back += f"?venue={request.POST['venue']}"
    raw = request.POST.get("order", "")
    order = (
        editable_by(request.user, Order.objects.filter(kind=OrderKind.BOOKING))
        .filter(pk=int(raw) if raw.isdecimal() else 0)
        .first()
    )
    if order is None:
        messages.error(request, _("No such order."))
        return redirect(back)
    reason = (request.POST.get("reason") or "").strip()
    if not reason:
        messages.error(request, _("Give a reason for the refund (the customer sees it)."))
        return redirect(back)
    full = request.POST.get("full") == "1"
    try:
        order = cancel_order(order=order, actor=request.user, reason=reason[:120], full_refund=full)
    except DomainError as exc:
        messages.error(request, _("Order %(number)s: %(error)s") % {"number": order.number, "error": exc.message})
        return redirect(back)
    amount = order.refunded_amount or Decimal("0.00")
    messages.success(
        request,
        _("Order %(number)s cancelled; ¥%(amount)s refunded.") % {"number": order.number, "amount": f"{amount:.2f}"},
    )
    return redirect(back)


refunds = _desk_view(_refunds)
