"""Public event pages: the list (events:list), an event (events:detail), signing up
(events:register → pay, confirmation or waiting list), my events (events:mine, withdraw) and the
organiser's check-in desk (events:checkin). Views parse input, call one domain or query function
and render; the rules live in events.domain (registrations, fields) and orders/payments/booking."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sportsplatform.booking.domain.handler import describe_refund_tiers
from sportsplatform.booking.domain.tickets import check_in, find_ticket
from sportsplatform.booking.models import Ticket
from sportsplatform.core.errors import DomainError, NotFound, ValidationFailed
from sportsplatform.core.geo import navigation_links
from sportsplatform.core.scoping import editable_by
from sportsplatform.core.signups import ACTIVE, SignupStatus
from sportsplatform.orders.domain.kinds import handler_for
from sportsplatform.orders.models import OrderStatus
from sportsplatform.venues.page_queries import sport_label

from .domain.registrations import register as register_for_event
from .domain.registrations import withdraw_registration
from .forms import CheckInForm, EventSearchForm, RegistrationForm, WithdrawForm
from .models import Event, Registration
from .queries import active_registration, group_counts, my_registrations, published_events, waitlist_position
from .queries import event_detail as published_event

PAGE_SIZE = 12
RANKING_TEMPLATE = "events/results/_ranking.html"  # results part (C)
SUMMARY_TEMPLATE = "events/results/_summary.html"


# --- what the pages show about an event's sign-up ----------------------------------------------


@dataclass(frozen=True)
class SignupState:
    """The registration window and places of an event, as a badge and a sentence."""

    code: str  # "open", "waitlist", "full", "not_yet", "closed", "cancelled"
    label: str
    badge: str  # css modifier
    places_left: int
    opens_at: datetime | None = None
    closes_at: datetime | None = None


def signup_state(event: Event, groups, now: datetime) -> SignupState:
    left = sum(g.places_left for g in groups)
    if event.cancelled_at is not None:
        return SignupState("cancelled", _("Cancelled"), "error", left)
    if now < event.registration_opens_at:
        return SignupState("not_yet", _("Sign-up not open yet"), "muted", left, opens_at=event.registration_opens_at)
    if now >= event.registration_closes_at:
        return SignupState("closed", _("Sign-up closed"), "muted", left)
    if left > 0:
        return SignupState(
            "open",
            _("%(n)s places left") % {"n": left},
            "success",
            left,
            closes_at=event.registration_closes_at,
        )
    if any(_waitlist_has_room(g) for g in groups):
        return SignupState("waitlist", _("Full: waiting list"), "warning", 0, closes_at=event.registration_closes_at)
    return SignupState("full", _("Full"), "error", 0)


def _waitlist_has_room(group) -> bool:
    if not group.waitlist_limit:
        return True
    waiting = getattr(group, "waitlisted", None)  # annotated by queries.group_counts where known
    return waiting is None or waiting < group.waitlist_limit


def _fee_text(groups, event: Event) -> str:
    prices = sorted({g.price for g in groups}) or [event.fee]
    if prices[-1] == Decimal("0"):
        return _("Free")
    if len(prices) == 1:
        return f"¥{prices[0]:.2f}"
    low = _("Free") if prices[0] == 0 else f"¥{prices[0]:.2f}"
    return f"{low} – ¥{prices[-1]:.2f}"


@dataclass(frozen=True)
class EventCard:
    event: Event
    sport: str
    state: SignupState
    fee: str


# --- list ----------------------------------------------------------------------------------------


@require_GET
def event_list(request):
    form = EventSearchForm(request.GET)
    filters = form.filters()
    now = timezone.now()
    events = published_events(**filters.query_kwargs(), now=now)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    cards = []
    for event in page.object_list:
        groups = list(event.groups.all())
        cards.append(
            EventCard(
                event=event,
                sport=sport_label(event.sport),
                state=signup_state(event, groups, now),
                fee=_fee_text(groups, event),
            )
        )
    context = {"form": form, "filters": filters, "page": page, "cards": cards}
    return render(request, "events/public/list.html", context)


# --- detail --------------------------------------------------------------------------------------


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _url_or_blank(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _published_event(pk: int) -> Event:
    try:
        return published_event(pk)
    except NotFound:
        raise Http404 from None


@require_GET
def event_detail(request, pk: int):
    event = _published_event(pk)
    now = timezone.now()
    groups = list(group_counts(event))
    for group in groups:
        group.event = event  # its price falls back to the event's fee: no query per group
    fee = _fee_text(groups, event)
    mine = None
    if request.user.is_authenticated:
        mine = active_registration(event=event, user=request.user)
    venue = event.venue
    nav = None
    if venue is not None and venue.lat is not None and venue.lng is not None:
        nav = navigation_links(
            lat=float(venue.lat),
            lng=float(venue.lng),
            name=venue.name,
            tencent_key=getattr(settings, "TENCENT_MAP_KEY", ""),
        )
    results_public = event.results_published_at is not None
    # The organiser's staff get a way to their check-in desk from the public page.
    can_check_in = (
        request.user.is_authenticated
        and request.user.is_staff
        and editable_by(request.user, Event.objects.filter(pk=event.pk)).exists()
    )
    context = {
        "event": event,
        "sport": sport_label(event.sport),
        "groups": groups,
        "state": signup_state(event, groups, now),
        "fee": fee,
        "refund_rules": describe_refund_tiers(event.refund_tiers or []) if fee != _("Free") else "",
        "mine": mine,
        "nav": nav,
        "can_check_in": can_check_in,
        "ranking_template": RANKING_TEMPLATE if results_public and _template_exists(RANKING_TEMPLATE) else "",
        "summary_template": SUMMARY_TEMPLATE
        if event.summary_published_at and _template_exists(SUMMARY_TEMPLATE)
        else "",
    }
    return render(request, "events/public/detail.html", context)


# --- sign-up -------------------------------------------------------------------------------------


def _registration_form(event: Event, data=None) -> RegistrationForm:
    groups = list(event.groups.all())
    questions = list(event.fields.all())
    initial = {"idempotency_key": uuid.uuid4().hex}
    return RegistrationForm(data, event=event, groups=groups, questions=questions, initial=initial)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def register(request, pk: int):
    event = _published_event(pk)
    now = timezone.now()
    existing = active_registration(event=event, user=request.user)
    if existing is not None:
        messages.info(request, _("You have already signed up for this event."))
        return redirect("events:registration", pk=existing.pk)
    form = _registration_form(event, request.POST if request.method == "POST" else None)
    error = ""
    if not event.registration_open(now):
        error = _("Sign-up for this event is not open.")
    elif request.method == "POST" and form.is_valid():
        try:
            registration = register_for_event(
                event=event,
                group=form.selected_group(),
                user=request.user,
                participant_name=form.cleaned_data["participant_name"].strip(),
                answers=form.answers(),
                team_name=(form.cleaned_data.get("team_name") or "").strip(),
                members=form.members(),
                actor=request.user,
                idempotency_key=form.cleaned_data.get("idempotency_key") or "",
            )
        except ValidationFailed as exc:
            unplaced = form.add_domain_errors(exc.fields or {})
            error = " ".join(unplaced) or _("Please correct the marked answers.")
        except DomainError as exc:
            error = str(exc.message)
        else:
            return _after_signup(registration)
    elif request.method == "POST":
        error = _("Please correct the marked answers.")
    groups = form.groups
    context = {
        "event": event,
        "form": form,
        "groups": groups,
        "state": signup_state(event, groups, now),
        "error": error,
    }
    return render(
        request, "events/public/register.html", context, status=400 if error and request.method == "POST" else 200
    )


def _after_signup(registration: Registration):
    if registration.status == SignupStatus.PENDING_PAYMENT and registration.order_id:
        return redirect("orders:pay", pk=registration.order_id)
    return redirect("events:registration", pk=registration.pk)


def _own_registration(request, pk: int) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("event__sport", "event__venue", "group", "order"),
        pk=pk,
        user=request.user,
    )


@login_required
@never_cache
@require_GET
def registration_detail(request, pk: int):
    """What came of a sign-up: confirmed, awaiting payment or on the waiting list (position N)."""
    registration = _own_registration(request, pk)
    context = {
        "registration": registration,
        "event": registration.event,
        "position": waitlist_position(registration),
        "ticket": _ticket_of(registration),
    }
    return render(request, "events/public/registration.html", context)


def _ticket_of(registration: Registration):
    if not registration.order_id or registration.status != SignupStatus.CONFIRMED:
        return None
    return Ticket.objects.filter(order_id=registration.order_id, revoked_at__isnull=True).first()


# --- my events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MineRow:
    registration: Registration
    position: int | None
    ticket: object | None
    can_pay: bool
    can_withdraw: bool
    certificates: list


@login_required
@never_cache
@require_GET
def my_events(request):
    registrations = my_registrations(request.user)
    registrations = registrations.select_related("event__sport", "event__venue", "group", "order").prefetch_related(
        "certificates"
    )
    page = Paginator(registrations, 20).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    tickets = {
        t.order_id: t
        for t in Ticket.objects.filter(order_id__in=[r.order_id for r in rows if r.order_id], revoked_at__isnull=True)
    }
    positions = _waitlist_positions(rows)
    now = timezone.now()
    certificate_url = _url_or_blank("events:certificate_pdf", 0)
    out = []
    for registration in rows:
        order = registration.order
        pending = registration.status == SignupStatus.PENDING_PAYMENT and order is not None
        out.append(
            MineRow(
                registration=registration,
                position=positions.get(registration.pk),
                ticket=tickets.get(registration.order_id) if registration.status == SignupStatus.CONFIRMED else None,
                can_pay=pending
                and order.status == OrderStatus.PENDING_PAYMENT
                and (order.expires_at is None or order.expires_at > now),
                can_withdraw=registration.status in ACTIVE and registration.event.starts_at > now,
                certificates=[c for c in registration.certificates.all() if c.revoked_at is None]
                if certificate_url
                else [],
            )
        )
    return render(request, "events/public/mine.html", {"page": page, "rows": out})


def _waitlist_positions(rows: list[Registration]) -> dict[int, int]:
    """Each waiting registration's place in its group's line: one query for the whole page."""
    waiting = [r for r in rows if r.status == SignupStatus.WAITLISTED and r.waitlisted_at]
    if not waiting:
        return {}
    line = (
        Registration.objects.filter(group_id__in={r.group_id for r in waiting}, status=SignupStatus.WAITLISTED)
        .order_by("group_id", "waitlisted_at", "id")
        .values_list("pk", "group_id")
    )
    positions: dict[int, int] = {}
    counters: dict[int, int] = {}
    for pk, group_id in line:
        counters[group_id] = counters.get(group_id, 0) + 1
        positions[pk] = counters[group_id]
    return {r.pk: positions[r.pk] for r in waiting if r.pk in positions}


def refund_quote_for(registration: Registration, now: datetime):
    """What the user gets back if they withdraw now: the order kind's quote (the event's refund
    rules) for a paid entry; None when nothing was paid."""
    order = registration.order
    if registration.status != SignupStatus.CONFIRMED or order is None or order.status != OrderStatus.PAID:
        return None
    if order.amount <= 0:
        return None
    return handler_for(order).refund_quote(order=order, now=now)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    registration = _own_registration(request, pk)
    if registration.status not in ACTIVE:
        messages.info(request, _("This sign-up is no longer active."))
        return redirect("events:mine")
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    error = ""
    quote = refund_quote_for(registration, timezone.now())
    if request.method == "POST" and form.is_valid():
        try:
            registration = withdraw_registration(
                registration=registration, actor=request.user, reason=form.cleaned_data["reason"].strip()
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            # The refund itself is the payment provider's (it may complete later); the amount is
            # the one quoted on the confirmation page, which the order's cancellation applies.
            if quote is not None and quote.amount > 0:
                messages.success(
                    request,
                    _("You have withdrawn. ¥%(amount)s will be refunded the way you paid.")
                    % {"amount": f"{quote.amount:.2f}"},
                )
            else:
                messages.success(request, _("You have withdrawn from the event."))
            return redirect("events:mine")
    context = {
        "registration": registration,
        "event": registration.event,
        "form": form,
        "quote": quote,
        "refund_rules": describe_refund_tiers(registration.event.refund_tiers or []),
        "error": error,
    }
    return render(request, "events/public/withdraw.html", context, status=409 if error else 200)


# --- organiser's check-in desk -------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def _checkin_desk(request, pk: int):
    """Staff of the organiser check entries in by their e-ticket (typed or scanned). Whether the
    person may check this ticket in is the event order kind's answer (booking's check_in asks it)."""
    event = editable_by(request.user, Event.objects.select_related("sport", "venue")).filter(pk=pk).first()
    if event is None:
        raise Http404
    form = CheckInForm(request.POST if request.method == "POST" else None)
    result = refusal = None
    if request.method == "POST" and form.is_valid():
        code = "".join(form.cleaned_data["code"].split())
        try:
            ticket = find_ticket(code_or_token=code)
            registration = Registration.objects.filter(order_id=ticket.order_id, event=event).first()
            if registration is None:
                refusal = _("This ticket is not for this event.")
            else:
                ticket = check_in(code_or_token=code, actor=request.user)
                result = {"ticket": ticket, "registration": registration}
        except DomainError as exc:
            refusal = str(exc.message)
    confirmed = Registration.objects.filter(event=event, status=SignupStatus.CONFIRMED)
    checked_in = (
        Registration.objects.filter(event=event, order__ticket__used_at__isnull=False)
        .select_related("group", "order__ticket")
        .order_by("-order__ticket__used_at")
    )
    context = {
        "event": event,
        "form": CheckInForm() if result else form,
        "result": result,
        "refusal": refusal,
        "total": confirmed.count(),
        "checked_in_count": checked_in.count(),
        "recent": list(checked_in[:20]),
    }
    return render(request, "events/public/checkin.html", context, status=409 if refusal else 200)


# A back-office session (staff, second factor where required), like booking's operator desk.
checkin_desk = admin.site.admin_view(_checkin_desk)
