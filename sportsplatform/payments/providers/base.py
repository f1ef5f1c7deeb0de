"""The one interface every payment provider implements (sandbox, wechat, alipay, card).

The payment domain (payments.domain) calls these methods outside any database transaction that
holds locks: reserve → commit → call the provider → record the answer (Saleor #11069).

What the domain expects of a provider:
- `start` registers the payment at the provider with its deadline (`payment.expires_at`, the
  order's hold) and returns what the payer's client needs. A provider that pays at once (the sports
  card) returns `PaymentStart(succeeded=True, provider_transaction_id=...)`: the domain then
  captures the payment in the same call, and the capture's ledger posting — (source_account,
  −amount) — is the debit itself, so an empty card refuses it (InsufficientFunds, nothing written).
- `verify_notification` checks a callback's signature AND its freshness (`check_timestamp`) and
  that it is addressed to us (merchant and app ids); it raises InvalidNotification otherwise. The
  domain dedupes on `notification_id` and compares the amount with the payment's.
- `close` closes an unpaid trade so it can no longer be paid; closing a trade the provider does
  not know is fine; a trade already paid raises TradeAlreadyPaid (the domain then captures it).
- `refund` asks for a refund keyed by `refund.out_refund_no` (the provider's idempotency key:
  asking again returns the same refund) and answers its state; SUCCEEDED is final, PENDING waits
  for the refund callback or the next `refund` call, FAILED is shown in the back office and tried
  again. The money goes back the way it came: the card provider credits the card.
- `bill(day)` lists the provider's successful payments and refunds of that local day for
  reconciliation; a provider with nothing to reconcile against (the card: it is our own ledger)
  sets `reconcile = False`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
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


class TradeAlreadyPaid(ProviderError):
    """`close` found the trade paid: the payer was faster than the deadline."""

    code = "trade_already_paid"
    status = 409
    default_message = _("The payment has already been made.")


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


def notify_url(code: str) -> str:
    """Where a provider should POST its callbacks: absolute under PAYMENT_NOTIFY_BASE_URL, or ""."""
    from django.urls import reverse

    if not settings.PAYMENT_NOTIFY_BASE_URL:
        return ""
    return settings.PAYMENT_NOTIFY_BASE_URL + reverse("api:payments-notify", args=[code])


def parse_local(text: str, fmt: str) -> datetime:
    """A provider's wall-clock time (Beijing time, as WeChat's and Alipay's statements and Alipay's
    notify_time are written) as an aware datetime. Raises ValueError for anything else."""
    return datetime.strptime(text, fmt).replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def check_timestamp(moment: datetime | None) -> None:
    """Refuse a callback stamped too far from now (PAYMENT_NOTIFY_MAX_SKEW_SECONDS): a replay of
    an old, genuinely signed callback, or a clock far off."""
    if moment is None:
        raise InvalidNotification(code="notification_stale")
    skew = abs((timezone.now() - moment).total_seconds())
    if skew > settings.PAYMENT_NOTIFY_MAX_SKEW_SECONDS:
        raise InvalidNotification(code="notification_stale")


class PaymentProvider:
    code: str = ""
    name = ""
    # Channels the provider offers; the first is the default. "" for a provider without channels.
    channels: tuple[str, ...] = ()
    # Whether reconciliation compares our records with this provider's daily statement.
    reconcile = True

    def is_configured(self) -> bool:
        return True

    def default_channel(self, *, request_info: dict) -> str:
        return self.channels[0] if self.channels else ""

    def source_account(self, *, payment):
        """The ledger account the payer's money comes from: the provider's clearing account, where
        it sits until settlement (the card provider: the payer's card)."""
        from sportsplatform.ledger.domain.posting import provider_account

        return provider_account(self.code)

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

    def query_refund(self, *, refund) -> ProviderRefundState:
        """The state of a refund asked for before; by default the same idempotent request again."""
        return self.refund(refund=refund)

    def bill(self, *, day) -> list[BillRecord]:
        return []
