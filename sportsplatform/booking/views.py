"""Booking pages: the public booking grid of a venue (choose times, hold them), and the operator's
desk (per-court calendar, check-in, refunds). Views parse input, call one domain function and
render; the rules live in booking.domain and orders/payments.domain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sportsplatform.core.errors import DomainError
from sportsplatform.venues.models import Venue

from .domain.availability import venue_availability
from .domain.errors import SlotTaken
from .domain.holds import active_suspension, create_booking
from .domain.policy import policy_for
from .forms import HoldForm


@dataclass(frozen=True)
class DayTab:
    day: date
    selected: bool
    opens_at: datetime | None  # set when the day is not yet open for booking


@dataclass
class GridCell:
    court_id: int
    slot: object | None  # availability.SlotView
    session: bool


@dataclass
class GridRow:
    start: datetime
    end: datetime
    cells: list[GridCell]


def _parse_day(raw: str | None, today: date, last_day: date) -> date:
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return today
    return min(max(day, today), last_day)


def _day_tabs(*, venue, selected: date, today: date, now: datetime) -> list[DayTab]:
    policy = policy_for(venue)
    tabs = []
    for offset in range(policy.window_days + 1):
        day = today + timedelta(days=offset)
        opens = timezone.make_aware(datetime.combine(day - timedelta(days=policy.window_days), policy.release_time))
        tabs.append(DayTab(day=day, selected=day == selected, opens_at=opens if opens > now else None))
    return tabs


def _grid_rows(day_view) -> list[GridRow]:
    """Courts across, times down: one row per start time; a court without that time gets an empty cell."""
    by_start: dict[datetime, dict[int, object]] = {}
    ends: dict[datetime, datetime] = {}
    for court in day_view.courts:
        for slot in court.slots:
            by_start.setdefault(slot.start, {})[court.id] = slot
            ends.setdefault(slot.start, slot.end)
    rows = []
    for start in sorted(by_start):
        cells = [
            GridCell(court_id=court.id, slot=by_start[start].get(court.id), session=court.kind == "session")
            for court in day_view.courts
        ]
        rows.append(GridRow(start=start, end=ends[start], cells=cells))
    return rows


def _picked(raw: str) -> set[int]:
    out = set()
    for part in (raw or "").split(","):
        if part.strip().isdecimal():
            out.add(int(part))
    return out


def _grid_context(request, venue: Venue, day: date, *, picked: set[int], quantities: dict[int, int], error=None):
    now = timezone.now()
    today = timezone.localdate(now)
    day_view = venue_availability(venue=venue, day=day, user=request.user, now=now)
    free_ids = {s.id for c in day_view.courts for s in c.slots if s.status == "free"}
    suspension = active_suspension(request.user, now) if request.user.is_authenticated else None
    policy = policy_for(venue)
    return {
        "venue": venue,
        "day": day,
        "day_view": day_view,
        "tabs": _day_tabs(venue=venue, selected=day, today=today, now=now),
        "rows": _grid_rows(day_view),
        "picked": picked & free_ids,
        "quantities": quantities,
        "error": error,
        "suspension": suspension,
        "policy": policy,
        "day_opens_at": day_view.bookable_from if day_view.bookable_from and day_view.bookable_from > now else None,
        "has_free": bool(free_ids),
        "idempotency_key": uuid.uuid4().hex,
        "form_action": reverse("booking:venue", args=[venue.pk]),
    }


def _published_venue(pk: int) -> Venue:
    return get_object_or_404(Venue.objects.select_related("booking_policy", "region"), pk=pk, is_published=True)


@never_cache
@require_http_methods(["GET", "POST"])
def venue_grid(request, pk: int):
    """The booking grid of one venue and day; POST holds the chosen times and goes to payment."""
    venue = _published_venue(pk)
    today = timezone.localdate()
    last_day = today + timedelta(days=policy_for(venue).window_days)
    if request.method == "POST":
        return _hold(request, venue, today=today, last_day=last_day)
    day = _parse_day(request.GET.get("date"), today, last_day)
    context = _grid_context(request, venue, day, picked=_picked(request.GET.get("slots", "")), quantities={})
    return render(request, "booking/venue_grid.html", context)


def _hold(request, venue: Venue, *, today: date, last_day: date):
    form = HoldForm(request.POST)
    day = _parse_day(request.POST.get("date"), today, last_day)
    if not form.is_valid():
        context = _grid_context(
            request,
            venue,
            day,
            picked=set(form.slot_ids()),
            quantities=form.quantities(),
            error=_("Choose at least one free time."),
        )
        return render(request, "booking/venue_grid.html", context, status=400)
    slot_ids = form.cleaned_data["slot"]
    if not request.user.is_authenticated:
        # Back to the grid after logging in, with the same times ticked.
        back = (
            reverse("booking:venue", args=[venue.pk])
            + "?"
            + urlencode({"date": day.isoformat(), "slots": ",".join(str(pk) for pk in slot_ids)})
        )
        return HttpResponseRedirect(reverse("accounts:login") + "?" + urlencode({"next": back}))
    quantities = form.quantities()
    user = _real_user(request)
    try:
        order = create_booking(
            user=user,
            slot_ids=slot_ids,
            quantities={pk: quantities.get(pk, 1) for pk in slot_ids},
            idempotency_key=form.cleaned_data.get("idempotency_key") or "",
            actor=user,
        )
    except SlotTaken:
        # The grid below is fresh: the lost time shows as taken and drops out; the rest stays ticked.
        context = _grid_context(
            request,
            venue,
            day,
            picked=set(slot_ids),
            quantities=quantities,
            error=_(
                "Sorry, a time you chose was just booked by someone else, so nothing was booked. "
                "The grid below is up to date: check your choice and try again."
            ),
        )
        context["taken_error"] = True
        return render(request, "booking/venue_grid.html", context, status=409)
    except DomainError as exc:
        context = _grid_context(
            request, venue, day, picked=set(slot_ids), quantities=quantities, error=str(exc.message)
        )
        return render(request, "booking/venue_grid.html", context, status=exc.status)
    return redirect("orders:pay", pk=order.pk)


def _real_user(request):
    """The User itself: the domain locks the user's row through type(user), and request.user is a
    lazy wrapper (twice: the auth and OTP middlewares each wrap it)."""
    user = request.user
    while isinstance(user, SimpleLazyObject):
        user.is_authenticated  # noqa: B018 - evaluates the lazy object
        user = user._wrapped
    return user


def booking_index(request):
    """The header's 预订场馆 entry: the venue search, showing only venues bookable online."""
    return HttpResponseRedirect(reverse("venues:list") + "?bookable=1")
