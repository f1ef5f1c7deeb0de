"""Errors of the payment domain (the API answers them with their code)."""

from django.utils.translation import gettext_lazy as _

from sportsplatform.core.errors import Conflict, NotFound, ValidationFailed


class PaymentMethodUnavailable(ValidationFailed):
    code = "payment_method_unavailable"
    default_message = _("This payment method is not available.")


class OrderExpired(Conflict):
    code = "order_expired"
    default_message = _("The time to pay for this order has run out.")


class AmountMismatch(Conflict):
    """The provider reports an amount other than the one we asked for: never applied."""

    code = "amount_mismatch"
    default_message = _("The paid amount does not match the order.")


class UnknownTrade(NotFound):
    code = "unknown_trade"
    default_message = _("No such payment or refund.")


class RefundNotAllowed(Conflict):
    code = "refund_not_allowed"
    default_message = _("This order cannot be refunded.")


class RefundTooLarge(ValidationFailed):
    code = "refund_exceeds_paid"
    default_message = _("The refund is larger than what is left to refund.")
