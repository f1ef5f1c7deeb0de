"""The one interface every payment provider implements (sandbox, wechat, alipay, card).

The payment domain (payments.domain) calls these methods outside any database transaction that
holds locks: reserve → commit → call the provider → record the answer (Saleor #11069)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from sportsplatform.core.errors import DomainError


class ProviderError(DomainError):
    """The provider refused or could not be reached."""

    code = "payment_provider_error"
    status = 502
    default_message = _("The payment service is not available. Please try again.")


class InvalidNotification(DomainError):
    """A callback whose signature, timestamp or content does not check out. Nothing is applied."""

    code = "invalid_notification"
    status = 400
    default_message = _("The notification could not be verified.")


@dataclass(frozen=True)
class PaymentStart:
    """What the payer's client needs: a URL to open, QR content, or JSAPI/mini-program parameters."""

    params: dict
    provider_transaction_id: str = ""
    succeeded: bool = False  # the card pays at once


@dataclass(frozen=True)
class ProviderPaymentState:
    out_trade_no: str
    status: str  # one of payments.models.PaymentStatus values
    amount: Decimal | None = None
    provider_transaction_id: str = ""
    paid_at: datetime | None = None


@dataclass(frozen=True)
class ProviderRefundState:
    out_refund_no: str
    status: str  # one of payments.models.RefundStatus values
    provider_refund_id: str = ""


@dataclass(frozen=True)
class VerifiedNotification:
    notification_id: str
    kind: str  # "payment" or "refund"
    out_trade_no: str
    status: str  # PaymentStatus / RefundStatus value
    amount: Decimal | None
    provider_transaction_id: str = ""
    out_refund_no: str = ""
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BillRecord:
    """One line of the provider's daily statement, for reconciliation."""

    out_trade_no: str
    provider_transaction_id: str
    kind: str  # "payment" or "refund"
    amount: Decimal
    at: datetime
    out_refund_no: str = ""


class PaymentProvider:
    code: str = ""
    name = ""
    channels: tuple[str, ...] = ()

    def is_configured(self) -> bool:
        return True

    def start(self, *, payment, channel: str, request_info: dict) -> PaymentStart:
        raise ProviderError()

    def verify_notification(self, *, headers: dict, body: bytes) -> VerifiedNotification:
        raise InvalidNotification()

    def acknowledge(self, *, ok: bool) -> tuple[int, str, str]:
        """(status, content type, body) the provider expects in answer to its callback."""
        return (200 if ok else 400, "application/json", "{}")

    def query(self, *, payment) -> ProviderPaymentState:
        raise ProviderError()

    def close(self, *, payment) -> None:
        raise ProviderError()

    def refund(self, *, refund) -> ProviderRefundState:
        raise ProviderError()

    def bill(self, *, day) -> list[BillRecord]:
        return []
