"""The buyer's order pages: checkout and payment, my orders, one order (cancel with the refund the
policy gives now), and the e-ticket. Only the order's owner sees them; anyone else gets a 404."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max, Min, Prefetch
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sportsplatform.core.errors import DomainError

from .domain.kinds import handler_for
from .models import Order, OrderKind, OrderStatus

# The coupon engineer's checkout include (coupons app): shown when it exists.
COUPON_INCLUDE = "coupons/includes/checkout_coupon.html"


@dataclass(frozen=True)
class StatusTab:
    key: str
    label: str


STATUS_TABS = [
    StatusTab("", gettext_lazy("All")),
    StatusTab("pending", gettext_lazy("Awaiting payment")),
    StatusTab("upcoming", gettext_lazy("Upcoming")),
    StatusTab("past", gettext_lazy("Past")),
    StatusTab("closed", gettext_lazy("Cancelled and refunded")),
]


def _own_order(request, pk: int, *extra_related: str) -> Order:
    queryset = Order.objects.select_related("venue", *extra_related)
    return get_object_or_404(queryset, pk=pk, user=request.user)


def _first_item_day(order: Order):
    from sportsplatform.booking.models import BookingItem

    first = BookingItem.objects.filter(order=order).order_by("start").values_list("start", flat=True).first()
    return timezone.localtime(first).date() if first else None


def _grid_url(order: Order) -> str:
    """Where the buyer goes back to: the booking grid, or the event or course signed up for."""
    page = _subject_page(order)
    if page is not None:
        return page
    if not order.venue_id:
        return reverse("venues:list")
    day = _first_item_day(order)
    url = reverse("booking:venue", args=[order.venue_id])
    return f"{url}?date={day.isoformat()}" if day else url


def _is_lapsed(order: Order) -> bool:
    if order.status == OrderStatus.EXPIRED:
        return True
    return (
        order.status == OrderStatus.PENDING_PAYMENT
        and order.expires_at is not None
        and order.expires_at <= timezone.now()
    )


def _payment_methods(user) -> list[dict]:
    """What the checkout offers: enabled and configured providers; the card with its balance."""
    from sportsplatform.ledger.models import LedgerAccount
    from sportsplatform.payments.providers.registry import offered_providers

    methods = []
    for provider in offered_providers():
        entry = {"code": provider.code, "name": _method_label(provider.code), "note": "", "disabled": False}
        if provider.code == "card":
            balance = LedgerAccount.objects.filter(key=f"card:{user.pk}").values_list("balance", flat=True).first()
            if balance is None:
                continue  # no sports card: nothing to pay with
            entry["note"] = _("Balance ¥%(balance)s") % {"balance": f"{balance:.2f}"}
            entry["balance"] = balance
        elif provider.code == "wechat":
            entry["note"] = _("Scan the QR code with WeChat")
        elif provider.code == "sandbox":
            entry["note"] = _("Demo payment, no real money")
        methods.append(entry)
    return methods


def _status_label(value: str) -> str:
    try:
        return str(OrderStatus(value).label)
    except ValueError:
        return value


def _method_label(code: str) -> str:
    from .models import PaymentMethod

    try:
        return str(PaymentMethod(code).label)
    except ValueError:
        return code


def _coupon_include() -> str | None:
    try:
        get_template(COUPON_INCLUDE)
    except TemplateDoesNotExist:
        return None
    return COUPON_INCLUDE


def _subject_page(order: Order) -> str | None:
    """The public page of the event or course an order signs up for (None for other kinds)."""
    from django.urls import NoReverseMatch

    if order.kind == OrderKind.EVENT:
        subject_id = order.event_registrations.values_list("event_id", flat=True).first()
        viewname = "events:detail"
    elif order.kind == OrderKind.COURSE:
        subject_id = order.course_enrolments.values_list("course_id", flat=True).first()
        viewname = "training:detail"
    else:
        return None
    if subject_id is None:
        return None
    try:
        return reverse(viewname, args=[subject_id])
    except NoReverseMatch:
        return None


def _back_label(order: Order) -> str:
    if order.kind == OrderKind.EVENT:
        return _("Back to the event")
    if order.kind == OrderKind.COURSE:
        return _("Back to the course")
    return _("Back to the booking grid")


def _refund_policy_text(order: Order) -> str:
    if order.kind in (OrderKind.EVENT, OrderKind.COURSE):
        # The event's or course's own refund rules, as its order handler words them.
        return str(handler_for(order).refund_quote(order=order, now=timezone.now()).rule)
    if order.kind != OrderKind.BOOKING or not order.venue_id:
        return ""
    from sportsplatform.booking.domain.handler import describe_refund_tiers
    from sportsplatform.booking.domain.policy import policy_for

    return describe_refund_tiers(policy_for(order.venue).refund_tiers or [])


def _request_info(request, order: Order) -> dict:
    return {
        "ip": getattr(request, "client_ip", "") or request.META.get("REMOTE_ADDR", ""),
        "user_agent": request.headers.get("User-Agent", "")[:255],
        # Where the payer comes back to after the provider's page; the order page waits for the callback.
        "return_url": reverse("orders:detail", args=[order.pk]),
        "base_url": request.build_absolute_uri("/").rstrip("/"),
    }


def _qr_svg(content: str, *, title: str) -> str:
    """An inline SVG QR code (segno), scaled by CSS."""
    qr = segno.make(content, error="m")
    return qr.svg_inline(scale=1, border=2, title=title, svgclass="qr", lineclass=None, omitsize=True)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def pay(request, pk: int):
    order = _own_order(request, pk)
    if order.status in (OrderStatus.PAID, OrderStatus.USED):
        return redirect("orders:detail", pk=order.pk)
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        messages.info(request, _("This order was cancelled."))
        return redirect("orders:detail", pk=order.pk)
    lapsed = _is_lapsed(order)
    methods = [] if lapsed else _payment_methods(request.user)
    error = None
    if request.method == "POST" and not lapsed:
        method = request.POST.get("method", "")
        if method not in {m["code"] for m in methods}:
            error = _("Choose a payment method.")
        else:
            response, error = _start(request, order, method)
            if response is not None:
                return response
        order.refresh_from_db()
        lapsed = _is_lapsed(order)
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "lapsed": lapsed,
        "grid_url": _grid_url(order),
        "back_label": _back_label(order),
        "methods": methods,
        "selected_method": request.POST.get("method") or (methods[0]["code"] if methods else ""),
        "refund_policy": _refund_policy_text(order),
        "coupon_include": _coupon_include(),
        "error": error,
        "expires_iso": order.expires_at.isoformat() if order.expires_at else "",
    }
    return render(request, "orders/pay.html", context, status=400 if error else 200)


def _start(request, order: Order, method: str):
    """Start the payment; (response, None) to leave the page, or (None, error message)."""
    from sportsplatform.payments.domain.pay import start_payment

    channel = "native" if method == "wechat" else ""
    try:
        payment = start_payment(
            order=order, method=method, channel=channel, actor=request.user, request_info=_request_info(request, order)
        )
    except DomainError as exc:
        return None, str(exc.message)
    if payment is None or payment.status == "succeeded":
        # Free (a coupon paid it all) or the card: paid already.
        messages.success(request, _("Paid. Your e-ticket is ready."))
        return redirect("orders:detail", pk=order.pk), None
    params = payment.params or {}
    if params.get("pay_url"):
        return HttpResponseRedirect(params["pay_url"]), None
    if params.get("code_url"):
        return redirect("orders:wechat_qr", pk=order.pk, payment_id=payment.pk), None
    return None, _("The payment service did not answer as expected. Please try again.")


@login_required
@never_cache
@require_GET
def wechat_qr(request, pk: int, payment_id: int):
    order = _own_order(request, pk)
    payment = get_object_or_404(order.payments, pk=payment_id, provider="wechat")
    code_url = (payment.params or {}).get("code_url", "")
    if not code_url or order.status != OrderStatus.PENDING_PAYMENT:
        return redirect("orders:detail", pk=order.pk)
    context = {
        "order": order,
        "qr_svg": _qr_svg(code_url, title=_("WeChat Pay QR code")),
        "expires_iso": order.expires_at.isoformat() if order.expires_at else "",
    }
    return render(request, "orders/wechat_qr.html", context)


@login_required
@never_cache
@require_GET
def status(request, pk: int):
    """The order's status for the pages that wait on a payment (polled)."""
    order = _own_order(request, pk)
    if _is_lapsed(order) and order.status == OrderStatus.PENDING_PAYMENT:
        # The read-time check: a lapsed hold is expired (closed at the provider first).
        from sportsplatform.orders.domain.expiry import expire_order

        with contextlib.suppress(DomainError):
            expire_order(order_id=order.pk)
        order.refresh_from_db()
    return JsonResponse(
        {
            "status": order.status,
            "paid": order.status in (OrderStatus.PAID, OrderStatus.USED),
            "detail_url": reverse("orders:detail", args=[order.pk]),
        }
    )


def _order_list_queryset(user, tab: str):
    now = timezone.now()
    queryset = (
        Order.objects.filter(user=user)
        .select_related("venue")
        .annotate(first_start=Min("booking_items__start"), last_start=Max("booking_items__start"))
        .prefetch_related(Prefetch("lines"))
        .order_by("-created_at", "-id")
    )
    if tab == "pending":
        queryset = queryset.filter(status=OrderStatus.PENDING_PAYMENT, expires_at__gt=now)
    elif tab == "upcoming":
        queryset = queryset.filter(status=OrderStatus.PAID, last_start__gte=now).order_by("first_start", "id")
    elif tab == "past":
        queryset = queryset.filter(status__in=[OrderStatus.PAID, OrderStatus.USED], last_start__lt=now)
    elif tab == "closed":
        queryset = queryset.filter(status__in=[OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.EXPIRED])
    return queryset


@login_required
@require_GET
def order_list(request):
    tab = request.GET.get("status", "")
    if tab not in {t.key for t in STATUS_TABS}:
        tab = ""
    page = Paginator(_order_list_queryset(request.user, tab), 20).get_page(request.GET.get("page"))
    context = {
        "tabs": STATUS_TABS,
        "tab": tab,
        "page": page,
        "orders": list(page.object_list),
        "now": timezone.now(),
    }
    return render(request, "orders/list.html", context)


@login_required
@never_cache
@require_GET
def order_detail(request, pk: int):
    order = _own_order(request, pk)
    return render(request, "orders/detail.html", _detail_context(order))


def _detail_context(order: Order, *, cancel_error: str | None = None) -> dict:
    from sportsplatform.booking.models import BookingItem, Ticket

    now = timezone.now()
    items = list(BookingItem.objects.filter(order=order).select_related("slot__court").order_by("start"))
    ticket = Ticket.objects.filter(order=order).first()
    quote = None
    if order.status == OrderStatus.PAID and (not items or items[0].start > now):
        quote = handler_for(order).refund_quote(order=order, now=now)
    payments = list(order.payments.all())
    for payment in payments:
        payment.method_label = _method_label(payment.provider)
    waiting = order.status == OrderStatus.PENDING_PAYMENT and any(p.status == "pending" for p in payments)
    return {
        "order": order,
        "lines": list(order.lines.all()),
        "items": items,
        "history": [
            {"at": e.at, "label": _status_label(e.to_status)}
            for e in order.events.order_by("at", "id")
            if e.from_status != e.to_status
        ],
        "payments": payments,
        "refunds": list(order.refunds.all()),
        "ticket": ticket,
        "quote": quote,
        "can_cancel": (order.status == OrderStatus.PENDING_PAYMENT and not _is_lapsed(order)) or quote is not None,
        "lapsed": _is_lapsed(order),
        "waiting_for_payment": waiting and not _is_lapsed(order),
        "grid_url": _grid_url(order),
        "back_label": _back_label(order),
        "refund_policy": _refund_policy_text(order),
        "cancel_error": cancel_error,
    }


@login_required
@require_POST
def cancel(request, pk: int):
    from sportsplatform.orders.domain.cancel import cancel_order

    order = _own_order(request, pk)
    reason = (request.POST.get("reason") or "").strip()[:120] or _("Cancelled by the customer")
    try:
        order = cancel_order(order=order, actor=request.user, reason=reason)
    except DomainError as exc:
        return render(
            request, "orders/detail.html", _detail_context(order, cancel_error=str(exc.message)), status=exc.status
        )
    if order.status == OrderStatus.REFUNDED:
        messages.success(
            request,
            _("Cancelled. ¥%(amount)s will be refunded the way you paid.") % {"amount": f"{order.refunded_amount:.2f}"},
        )
    else:
        messages.success(request, _("Your booking was cancelled."))
    return redirect("orders:detail", pk=order.pk)


@login_required
@never_cache
@require_GET
def ticket(request, pk: int):
    from sportsplatform.booking.domain.tickets import ticket_token
    from sportsplatform.booking.models import BookingItem, Ticket

    order = _own_order(request, pk)
    ticket = Ticket.objects.filter(order=order).select_related("checked_in_by").first()
    if ticket is None:
        messages.info(request, _("The e-ticket appears once the order is paid."))
        return redirect("orders:detail", pk=order.pk)
    subject = _ticket_subject(order)
    items = []
    if subject is None:
        items = list(BookingItem.objects.filter(order=order).select_related("slot__court").order_by("start"))
    if ticket.revoked_at or order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        state = "revoked"
    elif ticket.used_at:
        state = "used"
    else:
        state = "valid"
    context = {
        "order": order,
        "ticket": ticket,
        "items": items,
        "subject": subject,
        "state": state,
        "qr_svg": _qr_svg(ticket_token(ticket), title=_("E-ticket QR code")) if state == "valid" else "",
    }
    return render(request, "orders/ticket.html", context)


@dataclass(frozen=True)
class TicketSubject:
    """What an event or course ticket admits to (a booking ticket lists its courts instead)."""

    title: str
    facts: list[tuple[str, str]]


def _when(start, end) -> str:
    start, end = timezone.localtime(start), timezone.localtime(end)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"


def _place(venue, place: str) -> str:
    if venue is None:
        return place
    return " · ".join(p for p in (venue.name, place or venue.address) if p)


def _ticket_subject(order: Order) -> TicketSubject | None:
    """The event registration or course enrolment behind an order, read through the reverse
    relations those apps put on Order (so this app imports neither)."""
    if order.kind == OrderKind.EVENT:
        entry = order.event_registrations.select_related("event__venue", "group").first()
        if entry is None:
            return None
        event = entry.event
        facts = [
            (_("Participant"), entry.participant_name),
            (_("Group"), entry.group.name),
            (_("Time"), _when(event.starts_at, event.ends_at)),
            (_("Place"), _place(event.venue, event.location)),
        ]
        if entry.team_name:
            facts.insert(1, (_("Team"), entry.team_name))
        if entry.bib:
            facts.append((_("Bib number"), entry.bib))
        return TicketSubject(title=event.title, facts=facts)
    if order.kind == OrderKind.COURSE:
        entry = order.course_enrolments.select_related("course__venue").first()
        if entry is None:
            return None
        course = entry.course
        dates = f"{course.starts_on:%Y-%m-%d} – {course.ends_on:%Y-%m-%d}"
        return TicketSubject(
            title=course.title,
            facts=[
                (_("Student"), entry.student_name),
                (_("Dates"), dates),
                (_("Place"), _place(course.venue, course.place)),
            ],
        )
    return None
