"""Alipay through python-alipay-sdk (RSA2): computer-website pay (page) and mobile-website pay (wap).

The pay URL carries the absolute `time_expire` (the order's hold), not a relative timeout. The
asynchronous notify is a signed form POST: verified after removing `sign` (and `sign_type`), the
app_id must be ours, `notify_time` must be within PAYMENT_NOTIFY_MAX_SKEW_SECONDS, and only
TRADE_SUCCESS / TRADE_FINISHED mean paid; the answer is the text "success". The notify_id is
deduped by the domain. ALIPAY_GATEWAY points the SDK at another gateway (Alipay's own sandbox, a
test double)."""

from __future__ import annotations

import csv
import io
import json
import logging
import urllib.error
import zipfile
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import parse_qsl

import requests
from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import PaymentStatus, RefundStatus
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
    parse_local,
)
from .registry import register_provider
from .wechat import pem

log = logging.getLogger(__name__)

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_TRADE_STATES = {
    "TRADE_SUCCESS": PaymentStatus.SUCCEEDED,
    "TRADE_FINISHED": PaymentStatus.SUCCEEDED,
    "WAIT_BUYER_PAY": PaymentStatus.PENDING,
    "TRADE_CLOSED": PaymentStatus.CLOSED,
}


@lru_cache(maxsize=4)
def _client(config: tuple) -> AliPay:
    appid, private_key, public_key, gateway, callback_url = config
    client = AliPay(
        appid=appid,
        app_notify_url=callback_url or None,
        app_private_key_string=private_key,
        alipay_public_key_string=public_key,
        sign_type="RSA2",
        config=AliPayConfig(timeout=settings.PAYMENT_HTTP_TIMEOUT[1]),
    )
    # The SDK picks its gateway from debug=True/False only; ALIPAY_GATEWAY names it exactly.
    client._gateway = gateway
    return client


def local_time(moment) -> str:
    return timezone.localtime(moment).strftime(TIME_FORMAT)


@register_provider
class AlipayProvider(PaymentProvider):
    code = "alipay"
    name = _("Alipay")
    channels = ("page", "wap")

    def is_configured(self) -> bool:
        return all(
            [
                settings.ALIPAY_APPID,
                settings.ALIPAY_APP_PRIVATE_KEY,
                settings.ALIPAY_PUBLIC_KEY,
                # Alipay posts its notify to a public URL.
                settings.PAYMENT_NOTIFY_BASE_URL,
            ]
        )

    def client(self) -> AliPay:
        if not self.is_configured():
            raise ProviderError(code="payment_method_unavailable")
        try:
            return _client(
                (
                    settings.ALIPAY_APPID,
                    pem(settings.ALIPAY_APP_PRIVATE_KEY),
                    pem(settings.ALIPAY_PUBLIC_KEY),
                    settings.ALIPAY_GATEWAY,
                    notify_url(self.code),
                )
            )
        except (ValueError, IndexError, TypeError) as exc:
            log.error("alipay: cannot load the configured keys: %s", exc)
            raise ProviderError(code="payment_method_unavailable") from None

    def default_channel(self, *, request_info: dict) -> str:
        return "wap" if request_info.get("mobile") else "page"

    def _server(self, what: str, method, **kwargs) -> dict:
        """One signed request to the gateway; the answer's signature is checked by the SDK."""
        try:
            return method(**kwargs)
        except AliPayValidationError:
            log.error("alipay: %s answer failed signature verification", what)
            raise ProviderError() from None
        except AliPayException as exc:
            log.warning("alipay: %s refused: %s", what, exc)
            try:
                body = json.loads(exc.message)
            except (TypeError, ValueError):
                body = {}
            answer = next((v for k, v in body.items() if k.endswith("_response") and isinstance(v, dict)), {})
            return answer or {"code": str(exc.code or "0")}
        except (TimeoutError, urllib.error.URLError, ConnectionError, ValueError) as exc:
            log.warning("alipay: %s failed: %s", what, exc)
            raise ProviderError() from None

    # --- paying -----------------------------------------------------------------------------

    def start(self, *, payment, channel: str, request_info: dict) -> PaymentStart:
        from ..domain.pay import payment_description

        client = self.client()
        return_url = request_info.get("return_url") or settings.ALIPAY_RETURN_URL or None
        if return_url and return_url.startswith("/") and request_info.get("base_url"):
            return_url = request_info["base_url"].rstrip("/") + return_url
        kwargs = {
            "subject": payment_description(payment.order),
            "out_trade_no": payment.out_trade_no,
            "total_amount": f"{payment.amount:.2f}",
            "return_url": return_url,
            "notify_url": notify_url(self.code),
        }
        if payment.expires_at:
            kwargs["time_expire"] = local_time(payment.expires_at)
        if channel == "wap":
            order_string = client.api_alipay_trade_wap_pay(**kwargs)
        else:
            order_string = client.api_alipay_trade_page_pay(**kwargs)
        return PaymentStart(params={"pay_url": f"{settings.ALIPAY_GATEWAY}?{order_string}"})

    def verify_notification(self, *, headers, body: bytes) -> VerifiedNotification:
        try:
            data = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError):
            raise InvalidNotification(code="invalid_notification") from None
        signature = data.pop("sign", "")
        if not signature or not data.get("notify_id"):
            raise InvalidNotification(code="invalid_signature")
        if data.get("app_id") != settings.ALIPAY_APPID:
            raise InvalidNotification(code="wrong_app")
        try:
            moment = parse_local(data.get("notify_time", ""), TIME_FORMAT)
        except ValueError:
            raise InvalidNotification(code="invalid_notification") from None
        check_timestamp(moment)
        try:
            valid = self.client().verify(dict(data), signature)
        except ProviderError:
            raise InvalidNotification(code="not_configured") from None
        except (AliPayException, ValueError, TypeError):
            valid = False
        if not valid:
            raise InvalidNotification(code="invalid_signature")
        payload = {**data}
        try:
            if data.get("out_biz_no") and data.get("refund_fee"):
                # A refund's notify (Alipay reports refunds on the trade's notify URL).
                return VerifiedNotification(
                    notification_id=data["notify_id"],
                    kind="refund",
                    out_trade_no=data["out_trade_no"],
                    out_refund_no=data["out_biz_no"],
                    status=RefundStatus.SUCCEEDED,
                    amount=None,  # refund_fee is the trade's refunded total, not this refund's
                    payload=payload,
                )
            return VerifiedNotification(
                notification_id=data["notify_id"],
                kind="payment",
                out_trade_no=data["out_trade_no"],
                provider_transaction_id=data.get("trade_no", ""),
                status=_TRADE_STATES.get(data.get("trade_status", ""), PaymentStatus.PENDING),
                amount=Decimal(data["total_amount"]),
                payload=payload,
            )
        except (KeyError, InvalidOperation):
            raise InvalidNotification(code="invalid_notification") from None

    def acknowledge(self, *, ok: bool) -> tuple[int, str, str]:
        # Alipay wants the text "success"; anything else and it notifies again for about 25 h.
        return (200, "text/plain", "success") if ok else (400, "text/plain", "fail")

    def query(self, *, payment) -> ProviderPaymentState:
        client = self.client()
        answer = self._server("trade query", client.api_alipay_trade_query, out_trade_no=payment.out_trade_no)
        if answer.get("code") != "10000":
            if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                # Alipay creates the trade only when the payer opens the page: still waiting.
                return ProviderPaymentState(out_trade_no=payment.out_trade_no, status=PaymentStatus.PENDING)
            raise ProviderError()
        paid_at = None
        if answer.get("send_pay_date"):
            paid_at = parse_local(answer["send_pay_date"], TIME_FORMAT)
        return ProviderPaymentState(
            out_trade_no=answer.get("out_trade_no", payment.out_trade_no),
            status=_TRADE_STATES.get(answer.get("trade_status", ""), PaymentStatus.PENDING),
            amount=Decimal(answer["total_amount"]) if answer.get("total_amount") else None,
            provider_transaction_id=answer.get("trade_no", ""),
            paid_at=paid_at,
        )

    def close(self, *, payment) -> None:
        client = self.client()
        answer = self._server("trade close", client.api_alipay_trade_close, out_trade_no=payment.out_trade_no)
        if answer.get("code") == "10000" or answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return
        if answer.get("sub_code") == "ACQ.TRADE_STATUS_ERROR":
            # Only a paid (or finished) trade can no longer be closed.
            state = self.query(payment=payment)
            if state.status == PaymentStatus.SUCCEEDED:
                raise TradeAlreadyPaid()
            if state.status == PaymentStatus.CLOSED:
                return
        raise ProviderError()

    def refund(self, *, refund) -> ProviderRefundState:
        client = self.client()
        answer = self._server(
            "refund",
            client.api_alipay_trade_refund,
            refund_amount=f"{refund.amount:.2f}",
            out_trade_no=refund.payment.out_trade_no,
            out_request_no=refund.out_refund_no,
            refund_reason=refund.reason[:80],
        )
        if answer.get("code") != "10000":
            raise ProviderError(answer.get("sub_msg") or None, code="payment_provider_error")
        # Synchronous: code 10000 means refunded (fund_change "N" on a repeated out_request_no).
        return ProviderRefundState(
            out_refund_no=refund.out_refund_no,
            status=RefundStatus.SUCCEEDED,
            provider_refund_id=answer.get("trade_no", ""),
        )

    def query_refund(self, *, refund) -> ProviderRefundState:
        client = self.client()
        answer = self._server(
            "refund query",
            client.api_alipay_trade_fastpay_refund_query,
            out_request_no=refund.out_refund_no,
            out_trade_no=refund.payment.out_trade_no,
        )
        if answer.get("code") != "10000":
            raise ProviderError()
        done = answer.get("refund_status") == "REFUND_SUCCESS"
        return ProviderRefundState(
            out_refund_no=refund.out_refund_no,
            status=RefundStatus.SUCCEEDED if done else RefundStatus.PENDING,
            provider_refund_id=answer.get("trade_no", ""),
        )

    def bill(self, *, day) -> list[BillRecord]:
        client = self.client()
        answer = self._server(
            "bill url",
            client.server_api,
            api_name="alipay.data.dataservice.bill.downloadurl.query",
            biz_content={"bill_type": "trade", "bill_date": day.isoformat()},
        )
        if answer.get("code") != "10000":
            if answer.get("sub_code") == "isp.bill_not_exist":
                return []
            raise ProviderError()
        try:
            response = requests.get(answer["bill_download_url"], timeout=settings.PAYMENT_HTTP_TIMEOUT)
            response.raise_for_status()
            archive = zipfile.ZipFile(io.BytesIO(response.content))
        except (requests.RequestException, zipfile.BadZipFile, KeyError) as exc:
            log.warning("alipay: bill download failed: %s", exc)
            raise ProviderError() from None
        names = [n for n in archive.namelist() if "汇总" not in n]
        records = []
        for name in names:
            records += parse_trade_bill(archive.read(name).decode("gbk", "replace"))
        return records


def parse_trade_bill(text: str) -> list[BillRecord]:
    """Alipay's 业务明细 CSV (GBK): comment lines start with #, then a header line starting with
    支付宝交易号 and one row per payment (业务类型 交易) or refund (退款, negative amount)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines or not lines[0].startswith("支付宝交易号"):
        return []
    rows = list(csv.reader(lines))
    columns = [c.strip() for c in rows[0]]
    records = []
    for row in rows[1:]:
        values = dict(zip(columns, (cell.strip() for cell in row), strict=False))
        kind = values.get("业务类型")
        if kind not in ("交易", "退款"):
            continue
        at = parse_local(values.get("完成时间") or values["创建时间"], TIME_FORMAT)
        amount = abs(Decimal(values["订单金额（元）"]))
        records.append(
            BillRecord(
                out_trade_no=values["商户订单号"],
                provider_transaction_id=values["支付宝交易号"],
                kind="payment" if kind == "交易" else "refund",
                amount=amount,
                at=at,
                out_refund_no=values.get("退款批次号/请求号", "") if kind == "退款" else "",
            )
        )
    return records
