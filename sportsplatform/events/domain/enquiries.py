"""Enquiries from the venue finder: an organiser asks a venue's operator about hosting an event
there (dates, participants, budget, a message and a phone), the operator's staff answer in the
back office, and the sender reads the answer on their enquiries page.

One state machine (EnquiryStatus): sent → replied → closed, or sent → closed. The operator
replies (again while it is open, the newer answer replaces the older); either side closes. A
sender may send at most DAILY_LIMIT enquiries in 24 hours and one open enquiry per venue and dates:
the sender's user row is locked while counting, so two requests cannot both pass the count."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sportsplatform.accounts.models import Membership, Organisation, OrganisationKind, Role
from sportsplatform.accounts.phones import MAINLAND_PHONE, normalise_phone
from sportsplatform.core import audit
from sportsplatform.core.errors import Conflict, IllegalTransition, NotPermitted, RateLimited, ValidationFailed
from sportsplatform.core.scoping import scope_for
from sportsplatform.notifications.domain.send import notify
from sportsplatform.venues.models import Sport, Venue

from ..models import EnquiryStatus, VenueEnquiry

DAILY_LIMIT = 10
MESSAGE_MAX = 2000
REPLY_MAX = 2000
# A fixed line with an area code (028-8888 8888) is as good a contact as a mobile.
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")

TRANSITIONS = {
    EnquiryStatus.SENT: {EnquiryStatus.REPLIED, EnquiryStatus.CLOSED},
    EnquiryStatus.REPLIED: {EnquiryStatus.REPLIED, EnquiryStatus.CLOSED},
    EnquiryStatus.CLOSED: set(),
}


def _check_transition(enquiry: VenueEnquiry, to: str) -> None:
    if to not in TRANSITIONS.get(enquiry.status, set()):
        raise IllegalTransition(
            _("This enquiry is %(status)s and cannot be changed so.") % {"status": enquiry.get_status_display()}
        )


def clean_contact_phone(value: str) -> str:
    phone = normalise_phone(value)
    if MAINLAND_PHONE.match(phone) or LANDLINE.match(phone):
        return phone
    raise ValidationFailed(
        fields={"contact_phone": [_("Enter a mobile number (11 digits) or a landline with its area code.")]}
    )


def sender_organisations(user) -> list[Organisation]:
    """Organisations the user may send enquiries for: those they work for, apart from bureaus."""
    return list(
        Organisation.objects.filter(memberships__user=user, memberships__is_active=True, is_active=True)
        .exclude(kind=OrganisationKind.BUREAU)
        .distinct()
        .order_by("name", "id")
    )


def operator_staff(venue: Venue):
    """Active staff of the venue's operating organisation: who receives its enquiries."""
    from sportsplatform.accounts.models import User

    if not venue.operator_id:
        return User.objects.none()
    members = Membership.objects.filter(
        organisation_id=venue.operator_id, is_active=True, role=Role.OPERATOR_STAFF
    ).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("pk")


def send_enquiry(
    *,
    sender,
    venue: Venue,
    starts_on: date,
    ends_on: date,
    participants: int,
    message: str,
    contact_phone: str,
    sport: Sport | None = None,
    budget: Decimal | None = None,
    organisation: Organisation | None = None,
) -> VenueEnquiry:
    """Send an enquiry from `sender` (who acts) to `venue`'s operator, whose staff are told after
    commit. Raises ValidationFailed (per field), NotPermitted (an organisation the sender does not
    work for), Conflict (the same enquiry is already open) or RateLimited."""
    if sender is None or not getattr(sender, "is_authenticated", False):
        raise NotPermitted(_("Log in to send an enquiry."))
    message = (message or "").strip()
    errors: dict[str, list[str]] = {}
    if not message:
        errors["message"] = [_("Write what you would like to ask the venue.")]
    elif len(message) > MESSAGE_MAX:
        errors["message"] = [_("Keep the message under %(n)d characters.") % {"n": MESSAGE_MAX}]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The last day must be on or after the first day.")]
    if starts_on < timezone.localdate():
        errors["starts_on"] = [_("The first day cannot be in the past.")]
    if not participants or participants < 1:
        errors["participants"] = [_("Give the number of participants.")]
    if budget is not None and budget < 0:
        errors["budget"] = [_("The budget cannot be negative.")]
    try:
        contact_phone = clean_contact_phone(contact_phone)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if not venue.is_published:
        errors["venue"] = [_("This venue is not on the platform.")]
    elif not venue.operator_id:
        errors["venue"] = [_("This venue has no operator on the platform to answer; call the venue instead.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if organisation is not None and organisation.pk not in {o.pk for o in sender_organisations(sender)}:
        raise NotPermitted(_("You can only send enquiries for an organisation you work for."))

    with transaction.atomic():
        # Serialises one sender's sends (PostgreSQL: row lock; SQLite: writers are serialised).
        type(sender).objects.select_for_update().only("pk").get(pk=sender.pk)
        now = timezone.now()
        recent = VenueEnquiry.objects.filter(sender=sender, created_at__gt=now - timedelta(days=1)).count()
        if recent >= DAILY_LIMIT:
            raise RateLimited(
                _("You have sent %(n)d enquiries in the last 24 hours; please wait for answers before sending more.")
                % {"n": recent}
            )
        duplicate = VenueEnquiry.objects.filter(
            sender=sender,
            venue=venue,
            starts_on=starts_on,
            ends_on=ends_on,
            status__in=[EnquiryStatus.SENT, EnquiryStatus.REPLIED],
        ).exists()
        if duplicate:
            raise Conflict(
                _(
                    "You have already asked this venue about these dates; "
                    "its answer will appear on your enquiries page."
                ),
                code="enquiry_exists",
            )
        enquiry = VenueEnquiry.objects.create(
            organisation=organisation,
            sender=sender,
            venue=venue,
            sport=sport,
            starts_on=starts_on,
            ends_on=ends_on,
            participants=participants,
            budget=budget,
            message=message,
            contact_phone=contact_phone,
        )
        audit.record(action="events.enquiry.sent", actor=sender, obj=enquiry, venue=venue.pk)
        recipients = list(operator_staff(venue))
        link = reverse("admin:events_venueenquiry_change", args=[enquiry.pk])
        # Staff read the back office in the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            title = _("New enquiry about %(venue)s") % {"venue": venue.name}
            body = _("%(who)s asks about %(start)s to %(end)s for %(n)d people.") % {
                "who": organisation.name if organisation else sender.get_display_name(),
                "start": starts_on.isoformat(),
                "end": ends_on.isoformat(),
                "n": participants,
            }
        for user in recipients:
            notify(user=user, kind="events.enquiry.received", title=title, body=body, link=link)
    return enquiry


def can_answer(actor, enquiry: VenueEnquiry) -> bool:
    """The venue operator's staff and platform admins answer; bureaus only read."""
    scope = scope_for(actor)
    return scope.everything or scope.allows_organisation(enquiry.venue.operator_id)


def reply_enquiry(*, enquiry: VenueEnquiry, actor, reply: str) -> VenueEnquiry:
    """The operator answers; the sender is told after commit. Answering again while the enquiry is
    open replaces the answer (and tells the sender again)."""
    reply = (reply or "").strip()
    if not can_answer(actor, enquiry):
        raise NotPermitted(_("Only the venue's operator can answer this enquiry."))
    if not reply:
        raise ValidationFailed(fields={"reply": [_("Write an answer.")]})
    if len(reply) > REPLY_MAX:
        raise ValidationFailed(fields={"reply": [_("Keep the answer under %(n)d characters.") % {"n": REPLY_MAX}]})
    with transaction.atomic():
        locked = VenueEnquiry.objects.select_for_update().select_related("venue", "sender").get(pk=enquiry.pk)
        _check_transition(locked, EnquiryStatus.REPLIED)
        locked.status = EnquiryStatus.REPLIED
        locked.reply = reply
        locked.replied_at = timezone.now()
        locked.replied_by = actor
        locked.save(update_fields=["status", "reply", "replied_at", "replied_by"])
        audit.record(action="events.enquiry.replied", actor=actor, obj=locked)
        notify(
            user=locked.sender,
            kind="events.enquiry.replied",
            title=_("%(venue)s answered your enquiry") % {"venue": locked.venue.name},
            body=reply[:200],
            link=reverse("events:enquiries"),
        )
    enquiry.refresh_from_db()
    return enquiry


def close_enquiry(*, enquiry: VenueEnquiry, actor) -> VenueEnquiry:
    """The sender (no longer needed) or the operator (cannot host) closes the enquiry."""
    if not (actor is not None and actor.pk == enquiry.sender_id) and not can_answer(actor, enquiry):
        raise NotPermitted(_("Only the sender or the venue's operator can close this enquiry."))
    with transaction.atomic():
        locked = VenueEnquiry.objects.select_for_update().get(pk=enquiry.pk)
        _check_transition(locked, EnquiryStatus.CLOSED)
        locked.status = EnquiryStatus.CLOSED
        locked.save(update_fields=["status"])
        audit.record(action="events.enquiry.closed", actor=actor, obj=locked)
    enquiry.refresh_from_db()
    return enquiry


# --- reads -----------------------------------------------------------------------------------


def enquiries_sent_by(user):
    """The user's enquiries, newest first, with what their list shows."""
    return (
        VenueEnquiry.objects.filter(sender=user)
        .select_related("venue__region", "sport", "organisation", "replied_by")
        .order_by("-created_at", "-id")
    )
