"""Provider callbacks: verify → dedupe → apply, and the answer the provider expects.

The view POST /api/v1/payments/notify/<provider> and the sandbox's in-process delivery both call
`handle_notification` with the raw headers and body bytes.

- Forged (bad signature), stale (timestamp outside PAYMENT_NOTIFY_MAX_SKEW_SECONDS) or misaddressed
  callbacks: nothing is stored or changed, the provider gets an error answer, a warning is logged.
- Authentic ones are stored as ProviderNotification (unique per provider and notification id) in
  the same transaction that applies them, so a replayed or concurrent duplicate of the same id
  changes nothing. It is answered like the first: a provider retrying a callback whose answer it
  lost must hear "received", or it retries for a day.
- Authentic but wrong for us (another amount, an unknown trade): stored as REJECTED, logged as an
  error, answered with an error — nothing applied."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from sportsplatform.core.errors import NotFound

from ..models import NotificationOutcome, Payment, PaymentStatus, ProviderNotification, Refund
from ..models import RefundStatus as RS
from ..providers.base import InvalidNotification, ProviderError, VerifiedNotification
from ..providers.registry import get_provider
from .capture import mark_payment_closed, record_capture
from .errors import AmountMismatch, UnknownTrade
from .refunds import complete_refund, fail_refund

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotifyAnswer:
    status: int
    content_type: str
    body: str


def handle_notification(*, provider_code: str, headers: Mapping[str, str], body: bytes) -> NotifyAnswer:
    """Verify and apply one callback. Raises NotFound for a provider that is not enabled."""
    try:
        provider = get_provider(provider_code)
    except (ProviderError, ImportError):
        raise NotFound() from None

    def answer(ok: bool) -> NotifyAnswer:
        return NotifyAnswer(*provider.acknowledge(ok=ok))

    try:
        note = provider.verify_notification(headers=headers, body=body)
    except InvalidNotification as exc:
        log.warning("payments: refused a %s callback (%s)", provider_code, exc.code)
        return answer(False)

    seen = ProviderNotification.objects.filter(provider=provider_code, notification_id=note.notification_id).first()
    if seen is not None:
        log.info("payments: %s callback %s seen before; ignored", provider_code, note.notification_id)
        return answer(seen.outcome != NotificationOutcome.REJECTED)

    try:
        with transaction.atomic():
            record = ProviderNotification.objects.create(
                provider=provider_code,
                notification_id=note.notification_id,
                kind=note.kind,
                out_trade_no=note.out_trade_no,
                payload=note.payload,
                outcome=NotificationOutcome.APPLIED,
            )
            outcome = _apply(provider_code, note)
            if outcome != NotificationOutcome.APPLIED:
                record.outcome = outcome
                record.save(update_fields=["outcome"])
    except IntegrityError:
        if ProviderNotification.objects.filter(provider=provider_code, notification_id=note.notification_id).exists():
            # The same callback, delivered twice at once: the other delivery applied it.
            return answer(True)
        raise
    except (AmountMismatch, UnknownTrade) as exc:
        log.error(
            "payments: %s callback %s for %s rejected: %s %s",
            provider_code,
            note.notification_id,
            note.out_refund_no or note.out_trade_no,
            exc.code,
            exc.fields,
        )
        ProviderNotification.objects.get_or_create(
            provider=provider_code,
            notification_id=note.notification_id,
            defaults={
                "kind": note.kind,
                "out_trade_no": note.out_trade_no,
                "payload": {**note.payload, "rejected": exc.code},
                "outcome": NotificationOutcome.REJECTED,
            },
        )
        return answer(False)
    return answer(True)


def _apply(provider_code: str, note: VerifiedNotification) -> str:
    if note.kind == "refund":
        return _apply_refund(note)
    payment = Payment.objects.filter(provider=provider_code, out_trade_no=note.out_trade_no).first()
    if payment is None:
        raise UnknownTrade(fields={"out_trade_no": [note.out_trade_no]})
    if note.status == PaymentStatus.SUCCEEDED:
        if note.amount is not None and note.amount != payment.amount:
            raise AmountMismatch(fields={"amount": [str(note.amount), str(payment.amount)]})
        _payment, captured = record_capture(
            payment=payment,
            provider_transaction_id=note.provider_transaction_id,
            amount=note.amount if note.amount is not None else payment.amount,
        )
        return NotificationOutcome.APPLIED if captured else NotificationOutcome.DUPLICATE
    if note.status in (PaymentStatus.CLOSED, PaymentStatus.FAILED):
        return (
            NotificationOutcome.APPLIED
            if mark_payment_closed(payment=payment, status=note.status)
            else (NotificationOutcome.DUPLICATE)
        )
    return NotificationOutcome.DUPLICATE


def _apply_refund(note: VerifiedNotification) -> str:
    refund = Refund.objects.filter(out_refund_no=note.out_refund_no).select_related("payment").first()
    if refund is None:
        raise UnknownTrade(fields={"out_refund_no": [note.out_refund_no]})
    if note.amount is not None and note.amount != refund.amount:
        raise AmountMismatch(fields={"amount": [str(note.amount), str(refund.amount)]})
    if note.status == RS.SUCCEEDED:
        done = complete_refund(refund=refund, provider_refund_id=note.provider_transaction_id)
        return NotificationOutcome.APPLIED if done else NotificationOutcome.DUPLICATE
    if note.status == RS.FAILED:
        fail_refund(refund=refund, failure="refused by the provider", provider_refund_id=note.provider_transaction_id)
        return NotificationOutcome.APPLIED
    return NotificationOutcome.DUPLICATE
