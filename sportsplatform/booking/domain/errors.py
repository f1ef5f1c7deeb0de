from django.utils.translation import gettext_lazy as _

from sportsplatform.core.errors import Conflict, NotPermitted, ValidationFailed


class SlotTaken(Conflict):
    code = "slot_taken"
    default_message = _("One of the chosen times has just been booked by someone else. Nothing was booked.")


class SlotUnavailable(ValidationFailed):
    code = "slot_unavailable"
    default_message = _("One of the chosen times cannot be booked.")


class LimitExceeded(ValidationFailed):
    code = "booking_limit"
    default_message = _("This would exceed the venue's booking limit per person.")


class BookingSuspended(NotPermitted):
    code = "booking_suspended"
    default_message = _("Your booking is suspended.")


class TicketInvalid(ValidationFailed):
    code = "ticket_invalid"
    default_message = _("This ticket is not valid.")


class TicketUsed(Conflict):
    code = "ticket_used"
    default_message = _("This ticket has already been used.")
