"""The sandbox payment gateway: the other side of the `sandbox` provider.

It plays a real gateway with its own books (SandboxTrade, SandboxRefund — the provider's
database, not ours), its own cashier page (payments:sandbox-cashier, where the payer taps 确认支付)
and signed asynchronous callbacks shaped like WeChat Pay's: JSON body, headers
Sandbox-Timestamp / -Nonce / -Notification-Id / -Signature, signature =
base64(HMAC-SHA256(key, "{timestamp}\\n{nonce}\\n{notification id}\\n{body}\\n")) with
SANDBOX_PAY_SECRET (or a key derived from SECRET_KEY). Callbacks leave through the task queue after
commit and are POSTed to PAYMENT_NOTIFY_BASE_URL when set; otherwise they are handed, headers and
body bytes unchanged, to the same function the notify view calls.

Our side (providers/sandbox.py) talks to it only through the functions below, as it would talk
to WeChat over HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from datetime import date
from decimal import Decimal

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from .models import SandboxRefund, SandboxRefundState, SandboxTrade, SandboxTradeState

log = logging.getLogger(__name__)

HEADER_TIMESTAMP = "Sandbox-Timestamp"
HEADER_NONCE = "Sandbox-Nonce"
HEADER_ID = "Sandbox-Notification-Id"
HEADER_SIGNATURE = "Sandbox-Signature"


class SandboxRefused(Exception):
    """The gateway said no (as an HTTP 4xx would): `code` says why."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


# --- keys and signatures --------------------------------------------------------------------


def signing_key() -> bytes:
    if settings.SANDBOX_PAY_SECRET:
        return settings.SANDBOX_PAY_SECRET.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"sportsplatform.payments.sandbox", hashlib.sha256).digest()


def sign(*, timestamp: str, nonce: str, notification_id: str, body: bytes, key: bytes | None = None) -> str:
    message = f"{timestamp}\n{nonce}\n{notification_id}\n".encode() + body + b"\n"
    return base64.b64encode(hmac.new(key or signing_key(), message, hashlib.sha256).digest()).decode()


def signed_headers(*, notification_id: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(timezone.now().timestamp()))
    nonce = secrets.token_hex(16)
    return {
        "Content-Type": "application/json",
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_ID: notification_id,
        HEADER_SIGNATURE: sign(timestamp=timestamp, nonce=nonce, notification_id=notification_id, body=body),
    }


def fen(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


# --- the gateway's API ------------------------------------------------------------------------


def open_trade(
    *, out_trade_no: str, amount: Decimal, description: str, time_expire, notify_url: str = "", return_url: str = ""
) -> SandboxTrade:
    """Like WeChat's prepay: registers the trade (idempotent per out_trade_no)."""
    if time_expire is not None and time_expire <= timezone.now():
        raise SandboxRefused("TIME_EXPIRE_INVALID")
    trade, created = SandboxTrade.objects.get_or_create(
        out_trade_no=out_trade_no,
        defaults={
            "transaction_id": f"SBX{timezone.localtime():%Y%m%d}{secrets.randbelow(10**12):012d}",
            "token": secrets.token_urlsafe(24),
            "amount": amount,
            "description": description[:128],
            "time_expire": time_expire,
            "notify_url": notify_url,
            "return_url": return_url,
        },
    )
    if not created and trade.amount != amount:
        raise SandboxRefused("OUT_TRADE_NO_USED")
    return trade


def cashier_path(trade: SandboxTrade) -> str:
    return reverse("payments:sandbox-cashier", args=[trade.token])


def pay_trade(*, token: str) -> SandboxTrade:
    """The payer confirmed on the cashier page. Refused after the deadline or once closed; paying
    twice is harmless. The callback goes out after commit."""
    with transaction.atomic():
        trade = SandboxTrade.objects.select_for_update().get(token=token)
        if trade.state == SandboxTradeState.SUCCESS:
            return trade
        if trade.state == SandboxTradeState.CLOSED:
            raise SandboxRefused("ORDER_CLOSED")
        if trade.time_expire and trade.time_expire <= timezone.now():
            raise SandboxRefused("ORDER_EXPIRED")
        trade.state = SandboxTradeState.SUCCESS
        trade.paid_at = timezone.now()
        trade.notification_id = str(uuid.uuid4())
        trade.save(update_fields=["state", "paid_at", "notification_id"])
        trade_id = trade.pk
        transaction.on_commit(lambda: _send("payment", trade_id))
    return trade


def query_trade(*, out_trade_no: str) -> SandboxTrade | None:
    return SandboxTrade.objects.filter(out_trade_no=out_trade_no).first()


def close_trade(*, out_trade_no: str) -> None:
    """Like WeChat's close: an unknown trade is fine, a paid one is refused with ORDERPAID."""
    with transaction.atomic():
        trade = SandboxTrade.objects.select_for_update().filter(out_trade_no=out_trade_no).first()
        if trade is None or trade.state == SandboxTradeState.CLOSED:
            return
        if trade.state == SandboxTradeState.SUCCESS:
            raise SandboxRefused("ORDERPAID")
        trade.state = SandboxTradeState.CLOSED
        trade.closed_at = timezone.now()
        trade.save(update_fields=["state", "closed_at"])


def refund_trade(*, out_trade_no: str, out_refund_no: str, amount: Decimal) -> SandboxRefund:
    """Refunds at once and answers SUCCESS (a REFUND.SUCCESS callback follows, like WeChat's).
    The same out_refund_no again returns the same refund."""
    with transaction.atomic():
        existing = SandboxRefund.objects.filter(out_refund_no=out_refund_no).select_related("trade").first()
        if existing is not None:
            if existing.amount != amount or existing.trade.out_trade_no != out_trade_no:
                raise SandboxRefused("INVALID_REQUEST")
            return existing
        trade = SandboxTrade.objects.select_for_update().filter(out_trade_no=out_trade_no).first()
        if trade is None:
            raise SandboxRefused("RESOURCE_NOT_EXISTS")
        if trade.state != SandboxTradeState.SUCCESS:
            raise SandboxRefused("TRADE_NOT_PAID")
        refunded = trade.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        if amount <= 0 or refunded + amount > trade.amount:
            raise SandboxRefused("NOT_ENOUGH")
        refund = SandboxRefund.objects.create(
            trade=trade,
            out_refund_no=out_refund_no,
            refund_id=f"SBR{timezone.localtime():%Y%m%d}{secrets.randbelow(10**12):012d}",
            amount=amount,
            state=SandboxRefundState.SUCCESS,
            notification_id=str(uuid.uuid4()),
            succeeded_at=timezone.now(),
        )
        refund_pk = refund.pk
        transaction.on_commit(lambda: _send("refund", refund_pk))
    return refund


def statement(*, day: date) -> tuple[list[SandboxTrade], list[SandboxRefund]]:
    """The day's paid trades and refunds (local day), for the bill."""
    from .domain.reconcile import day_bounds

    start, end = day_bounds(day)
    trades = list(SandboxTrade.objects.filter(paid_at__gte=start, paid_at__lt=end).order_by("paid_at"))
    refunds = list(
        SandboxRefund.objects.filter(succeeded_at__gte=start, succeeded_at__lt=end)
        .select_related("trade")
        .order_by("succeeded_at")
    )
    return trades, refunds


# --- callbacks --------------------------------------------------------------------------------


def notification_body(kind: str, object_id: int) -> tuple[str, bytes, str]:
    """(notification id, JSON body, notify_url) of the payment or refund callback."""
    if kind == "payment":
        trade = SandboxTrade.objects.get(pk=object_id)
        payload = {
            "id": trade.notification_id,
            "create_time": timezone.localtime().isoformat(timespec="seconds"),
            "event_type": "TRANSACTION.SUCCESS",
            "resource": {
                "out_trade_no": trade.out_trade_no,
                "transaction_id": trade.transaction_id,
                "trade_state": "SUCCESS",
                "success_time": timezone.localtime(trade.paid_at).isoformat(timespec="seconds"),
                "amount": {"total": fen(trade.amount), "currency": "CNY"},
            },
        }
        return trade.notification_id, json.dumps(payload, ensure_ascii=False).encode(), trade.notify_url
    refund = SandboxRefund.objects.select_related("trade").get(pk=object_id)
    payload = {
        "id": refund.notification_id,
        "create_time": timezone.localtime().isoformat(timespec="seconds"),
        "event_type": "REFUND.SUCCESS",
        "resource": {
            "out_trade_no": refund.trade.out_trade_no,
            "out_refund_no": refund.out_refund_no,
            "refund_id": refund.refund_id,
            "refund_status": "SUCCESS",
            "success_time": timezone.localtime(refund.succeeded_at).isoformat(timespec="seconds"),
            "amount": {"refund": fen(refund.amount), "total": fen(refund.trade.amount)},
        },
    }
    return refund.notification_id, json.dumps(payload, ensure_ascii=False).encode(), refund.trade.notify_url


def _send(kind: str, object_id: int) -> None:
    from .tasks import deliver_sandbox_notification_task

    deliver_sandbox_notification_task.delay(kind, object_id)


def deliver(kind: str, object_id: int) -> bool:
    """Send one callback: over HTTP to its notify_url, or in-process through the notify view's own
    handling function. Returns whether the receiver acknowledged it (a 2xx)."""
    notification_id, body, notify_url = notification_body(kind, object_id)
    headers = signed_headers(notification_id=notification_id, body=body)
    if notify_url:
        try:
            response = requests.post(notify_url, data=body, headers=headers, timeout=settings.PAYMENT_HTTP_TIMEOUT)
        except requests.RequestException as exc:
            log.warning("sandbox: callback %s to %s failed: %s", notification_id, notify_url, exc)
            return False
        return 200 <= response.status_code < 300
    from .domain.notifications import handle_notification

    answer = handle_notification(provider_code="sandbox", headers=headers, body=body)
    return 200 <= answer.status < 300
