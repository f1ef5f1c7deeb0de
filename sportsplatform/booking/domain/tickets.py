"""E-tickets: one per paid booking. The QR carries a token signed with the server's key; the
database keeps only its SHA-256, so neither a guessed token nor a copied database row makes a
valid ticket. Check-in sets `used_at` with a conditional UPDATE, so a ticket is used once even
when two desks scan it at the same moment."""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import NotPermitted
from sportsplatform.orders.domain.kinds import handler_for
from sportsplatform.orders.domain.transitions import lock_order, transition_order
from sportsplatform.orders.models import Order, OrderStatus

from ..models import Ticket
from .errors import TicketInvalid, TicketUsed

SALT = "booking.ticket"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ticket_token(ticket: Ticket) -> str:
    """The QR content. Deterministic for a ticket (derived from its secret nonce), so the page can
    show it again without storing it."""
    # Signer, not signing.dumps: dumps adds a timestamp, so a QR drawn again later would no longer
    # match the hash stored at issue time.
    return signing.Signer(salt=SALT).sign_object({"t": ticket.pk, "o": ticket.order_id})


def issue_ticket(*, order: Order) -> Ticket:
    existing = Ticket.objects.filter(order=order).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        code = f"{secrets.randbelow(10**12):012d}"
        try:
            with transaction.atomic():
                ticket = Ticket.objects.create(order=order, code=code, token_hash=secrets.token_hex(32))
                ticket.token_hash = _hash(ticket_token(ticket))
                ticket.save(update_fields=["token_hash"])
                return ticket
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a unique ticket code")


def find_ticket(*, code_or_token: str) -> Ticket:
    value = (code_or_token or "").strip()
    if not value:
        raise TicketInvalid()
    if value.isdigit():
        ticket = Ticket.objects.select_related("order").filter(code=value).first()
    else:
        try:
            data = signing.Signer(salt=SALT).unsign_object(value)
        except signing.BadSignature as exc:
            raise TicketInvalid() from exc
        ticket = Ticket.objects.select_related("order").filter(pk=data.get("t"), token_hash=_hash(value)).first()
    if ticket is None:
        raise TicketInvalid()
    return ticket


def check_in(*, code_or_token: str, actor, venue=None, now=None) -> Ticket:
    """Mark the ticket used: the operator's desk. Raises TicketInvalid, TicketUsed or NotPermitted."""
    now = now or timezone.now()
    ticket = find_ticket(code_or_token=code_or_token)
    order = ticket.order
    if venue is not None and order.venue_id != venue.pk:
        raise TicketInvalid(_("This ticket is for another venue."))
    handler = handler_for(order)
    if not handler.can_check_in(actor=actor, order=order):
        raise NotPermitted(_("You cannot check in tickets of this venue."))
    if ticket.revoked_at is not None or order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        raise TicketInvalid(_("This booking was cancelled."))
    window = handler.check_in_window(order=order)
    if window is not None:
        opens, ends = window
        if now < opens:
            raise TicketInvalid(_("Check-in opens at %(time)s.") % {"time": f"{timezone.localtime(opens):%m-%d %H:%M}"})
        if now >= ends:
            raise TicketInvalid(_("This booking has ended."))
    with transaction.atomic():
        used = Ticket.objects.filter(pk=ticket.pk, used_at__isnull=True, revoked_at__isnull=True).update(
            used_at=now, checked_in_by=actor
        )
        if not used:
            ticket.refresh_from_db()
            raise TicketUsed(
                _("This ticket was already used at %(time)s.")
                % {"time": f"{timezone.localtime(ticket.used_at):%m-%d %H:%M}" if ticket.used_at else "—"}
            )
        order = lock_order(order.pk)
        handler.on_checked_in(order=order, actor=actor)
        if order.status == OrderStatus.PAID:
            transition_order(order=order, to=OrderStatus.USED, actor=actor, note="check-in")
        audit.record(action="booking.ticket.checked_in", actor=actor, obj=ticket)
    ticket.refresh_from_db()
    return ticket
