"""Our side of the sandbox gateway (payments/sandbox.py): pay_url, signed asynchronous callbacks,
query, close, refunds and the daily statement — the demo default, shaped like WeChat Pay."""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .. import sandbox as gateway
from ..models import PaymentStatus, RefundStatus, SandboxTradeState
from .base import (
    BillRecord,
    InvalidNotification,
    PaymentProvider,
    PaymentStart,
    ProviderError,
    ProviderPaymentState,
    ProviderRefundState,
    TradeAlreadyPaid,
    VerifiedNotification,
    check_timestamp,
    notify_url,
)
from .headers import header
from .registry import register_provider

_TRADE_STATES = {
    SandboxTradeState.NOTPAY: PaymentStatus.PENDING,
    SandboxTradeState.SUCCESS: PaymentStatus.SUCCEEDED,
    SandboxTradeState.CLOSED: PaymentStatus.CLOSED,
}


@register_provider
class SandboxProvider(PaymentProvider):
    code = "sandbox"
    name = _("Sandbox payment (demo)")
    channels = ("page",)

    def start(self, *, payment, channel: str, request_info: dict) -> PaymentStart:
        from ..domain.pay import payment_description

        try:
            trade = gateway.open_trade(
                out_trade_no=payment.out_trade_no,
                amount=payment.amount,
                description=payment_description(payment.order),
                time_expire=payment.expires_at,
                notify_url=notify_url(self.code),
                return_url=request_info.get("return_url", ""),
            )
        except gateway.SandboxRefused as exc:
            raise ProviderError(code=f"sandbox_{exc.code.lower()}") from None
        path = gateway.cashier_path(trade)
        base = (request_info.get("base_url") or "").rstrip("/")
        return PaymentStart(params={"pay_url": f"{base}{path}"})

    def verify_notification(self, *, headers, body: bytes) -> VerifiedNotification:
        timestamp = header(headers, gateway.HEADER_TIMESTAMP)
        nonce = header(headers, gateway.HEADER_NONCE)
        notification_id = header(headers, gateway.HEADER_ID)
        signature = header(headers, gateway.HEADER_SIGNATURE)
        if not (timestamp and nonce and notification_id and signature):
            raise InvalidNotification(code="invalid_signature")
        try:
            moment = datetime.fromtimestamp(int(timestamp), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise InvalidNotification(code="invalid_signature") from None
        check_timestamp(moment)
        expected = gateway.sign(timestamp=timestamp, nonce=nonce, notification_id=notification_id, body=body)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise InvalidNotification(code="invalid_signature")
        try:
            payload = json.loads(body)
            resource = payload["resource"]
            if payload.get("id") != notification_id:
                raise InvalidNotification(code="invalid_notification")
            if payload["event_type"].startswith("REFUND."):
                return VerifiedNotification(
                    notification_id=notification_id,
                    kind="refund",
                    out_trade_no=resource["out_trade_no"],
                    out_refund_no=resource["out_refund_no"],
                    provider_transaction_id=resource.get("refund_id", ""),
                    status=RefundStatus.SUCCEEDED if resource["refund_status"] == "SUCCESS" else RefundStatus.FAILED,
                    amount=Decimal(resource["amount"]["refund"]) / 100,
                    payload=payload,
                )
            return VerifiedNotification(
                notification_id=notification_id,
                kind="payment",
                out_trade_no=resource["out_trade_no"],
                provider_transaction_id=resource.get("transaction_id", ""),
                status=_TRADE_STATES.get(resource["trade_state"], PaymentStatus.PENDING),
                amount=Decimal(resource["amount"]["total"]) / 100,
                payload=payload,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InvalidNotification(code="invalid_notification") from None

    def acknowledge(self, *, ok: bool) -> tuple[int, str, str]:
        if ok:
            return 200, "application/json", json.dumps({"code": "SUCCESS", "message": "成功"}, ensure_ascii=False)
        return 400, "application/json", json.dumps({"code": "FAIL", "message": "失败"}, ensure_ascii=False)

    def query(self, *, payment) -> ProviderPaymentState:
        trade = gateway.query_trade(out_trade_no=payment.out_trade_no)
        if trade is None:
            return ProviderPaymentState(out_trade_no=payment.out_trade_no, status=PaymentStatus.FAILED)
        return ProviderPaymentState(
            out_trade_no=trade.out_trade_no,
            status=_TRADE_STATES[trade.state],
            amount=trade.amount,
            provider_transaction_id=trade.transaction_id,
            paid_at=trade.paid_at,
        )

    def close(self, *, payment) -> None:
        try:
            gateway.close_trade(out_trade_no=payment.out_trade_no)
        except gateway.SandboxRefused as exc:
            if exc.code == "ORDERPAID":
                raise TradeAlreadyPaid() from None
            raise ProviderError(code=f"sandbox_{exc.code.lower()}") from None

    def refund(self, *, refund) -> ProviderRefundState:
        try:
            done = gateway.refund_trade(
                out_trade_no=refund.payment.out_trade_no, out_refund_no=refund.out_refund_no, amount=refund.amount
            )
        except gateway.SandboxRefused as exc:
            raise ProviderError(code=f"sandbox_{exc.code.lower()}") from None
        return ProviderRefundState(
            out_refund_no=done.out_refund_no,
            status=RefundStatus.SUCCEEDED if done.state == "SUCCESS" else RefundStatus.PENDING,
            provider_refund_id=done.refund_id,
        )

    def bill(self, *, day) -> list[BillRecord]:
        trades, refunds = gateway.statement(day=day)
        records = [
            BillRecord(
                out_trade_no=t.out_trade_no,
                provider_transaction_id=t.transaction_id,
                kind="payment",
                amount=t.amount,
                at=t.paid_at,
            )
            for t in trades
        ]
        records += [
            BillRecord(
                out_trade_no=r.trade.out_trade_no,
                provider_transaction_id=r.refund_id,
                kind="refund",
                amount=r.amount,
                at=r.succeeded_at,
                out_refund_no=r.out_refund_no,
            )
            for r in refunds
        ]
        return records
