"""WeChat Pay API v3 through the wechatpayv3 SDK: JSAPI (mini-program / official account, the
payer's openid) and Native (a QR code_url for the website).

Keys come from settings (config/settings/payments.py); verification uses the WeChat Pay public key
(WECHATPAY_PUBLIC_KEY + _ID), so the SDK never downloads platform certificates. Callbacks: the SDK
checks the RSA signature and decrypts the AES-256-GCM resource; it does not look at the time, so
the timestamp is held to PAYMENT_NOTIFY_MAX_SKEW_SECONDS here, the serial must be our key's, and
mchid/appid must be ours (the amount is compared with the payment by the domain; the notification
id is deduped there). Amounts are in fen; time_expire is the order's hold in RFC 3339."""

from __future__ import annotations

import gzip
import io
import json
import logging
import secrets
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wechatpayv3 import WeChatPay, WeChatPayType

from sportsplatform.core.errors import ValidationFailed

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
from .headers import header
from .registry import register_provider

log = logging.getLogger(__name__)

_TRADE_STATES = {
    "SUCCESS": PaymentStatus.SUCCEEDED,
    "REFUND": PaymentStatus.SUCCEEDED,  # paid, then (partly) refunded
    "NOTPAY": PaymentStatus.PENDING,
    "USERPAYING": PaymentStatus.PENDING,
    "CLOSED": PaymentStatus.CLOSED,
    "REVOKED": PaymentStatus.CLOSED,
    "PAYERROR": PaymentStatus.FAILED,
}
_REFUND_STATES = {
    "SUCCESS": RefundStatus.SUCCEEDED,
    "PROCESSING": RefundStatus.PENDING,
    "CLOSED": RefundStatus.FAILED,
    "ABNORMAL": RefundStatus.FAILED,
}


def pem(value: str) -> str:
    """A key given as PEM text or as the path of a PEM file."""
    value = (value or "").strip()
    if value and not value.startswith("-----") and "\n" not in value and Path(value).is_file():
        return Path(value).read_text()
    return value


def fen(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def yuan(fen_amount) -> Decimal:
    return (Decimal(int(fen_amount)) / 100).quantize(Decimal("0.01"))


def rfc3339(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


@lru_cache(maxsize=4)
def _client(config: tuple) -> WeChatPay:
    mchid, appid, apiv3_key, serial, private_key, public_key, public_key_id, base, callback_url = config
    client = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=mchid,
        private_key=private_key,
        cert_serial_no=serial,
        appid=appid,
        apiv3_key=apiv3_key,
        notify_url=callback_url or None,
        public_key=public_key,
        public_key_id=public_key_id,
        timeout=settings.PAYMENT_HTTP_TIMEOUT,
        logger=log,
    )
    # The SDK has no parameter for its gateway; WECHATPAY_API_BASE points it elsewhere (a test
    # double, an egress proxy). Production leaves it at https://api.mch.weixin.qq.com.
    client._core._gate_way = base
    return client


@register_provider
class WeChatPayProvider(PaymentProvider):
    code = "wechat"
    name = _("WeChat Pay")
    channels = ("native", "jsapi")

    # --- configuration ----------------------------------------------------------------------

    def is_configured(self) -> bool:
        return all(
            [
                settings.WECHATPAY_MCHID,
                settings.WECHATPAY_APPID,
                settings.WECHATPAY_APIV3_KEY,
                settings.WECHATPAY_CERT_SERIAL_NO,
                settings.WECHATPAY_PRIVATE_KEY,
                settings.WECHATPAY_PUBLIC_KEY,
                settings.WECHATPAY_PUBLIC_KEY_ID,
                # WeChat posts its callbacks to a public https URL: no base URL, no WeChat Pay.
                settings.PAYMENT_NOTIFY_BASE_URL,
            ]
        )

    def client(self) -> WeChatPay:
        if not self.is_configured():
            raise ProviderError(code="payment_method_unavailable")
        try:
            return _client(
                (
                    settings.WECHATPAY_MCHID,
                    settings.WECHATPAY_APPID,
                    settings.WECHATPAY_APIV3_KEY,
                    settings.WECHATPAY_CERT_SERIAL_NO,
                    pem(settings.WECHATPAY_PRIVATE_KEY),
                    pem(settings.WECHATPAY_PUBLIC_KEY),
                    settings.WECHATPAY_PUBLIC_KEY_ID,
                    settings.WECHATPAY_API_BASE,
                    notify_url(self.code),
                )
            )
        except Exception as exc:  # the SDK raises bare Exception for unreadable keys
            log.error("wechat: cannot load the configured keys: %s", exc)
            raise ProviderError(code="payment_method_unavailable") from None

    def default_channel(self, *, request_info: dict) -> str:
        return "jsapi" if request_info.get("openid") else "native"

    # --- calls ------------------------------------------------------------------------------

    def _call(self, method, **kwargs) -> tuple[int, object]:
        """One SDK call; network trouble and bad response signatures become ProviderError."""
        try:
            code, message = method(**kwargs)
        except requests.RequestException as exc:
            log.warning("wechat: %s failed: %s", method.__name__, exc)
            raise ProviderError() from None
        except Exception as exc:  # the SDK raises bare Exception, e.g. for a bad response signature
            log.error("wechat: %s failed: %s", method.__name__, exc)
            raise ProviderError() from None
        return code, message

    @staticmethod
    def _json(message) -> dict:
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        try:
            data = json.loads(message) if message else {}
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _refused(self, what: str, code: int, message) -> ProviderError:
        data = self._json(message)
        log.warning("wechat: %s answered %s %s: %s", what, code, data.get("code"), data.get("message"))
        return ProviderError(code="payment_provider_error")

    def start(self, *, payment, channel: str, request_info: dict) -> PaymentStart:
        from ..domain.pay import payment_description

        client = self.client()
        kwargs = {
            "description": payment_description(payment.order),
            "out_trade_no": payment.out_trade_no,
            "amount": {"total": fen(payment.amount), "currency": "CNY"},
            "time_expire": rfc3339(payment.expires_at) if payment.expires_at else None,
            "notify_url": notify_url(self.code) or None,
        }
        if channel == "jsapi":
            openid = (request_info.get("openid") or "").strip()
            if not openid:
                raise ValidationFailed(
                    _("Paying with WeChat inside WeChat needs the payer's openid."),
                    code="openid_required",
                    fields={"openid": [_("Required for WeChat JSAPI / mini-program payments.")]},
                )
            kwargs.update(payer={"openid": openid}, pay_type=WeChatPayType.JSAPI)
        else:
            kwargs.update(pay_type=WeChatPayType.NATIVE)
        code, message = self._call(client.pay, **kwargs)
        if code != 200:
            raise self._refused("prepay", code, message)
        data = self._json(message)
        if channel == "jsapi":
            package = f"prepay_id={data['prepay_id']}"
            timestamp = str(int(timezone.now().timestamp()))
            nonce = secrets.token_hex(16)
            return PaymentStart(
                params={
                    "appId": settings.WECHATPAY_APPID,
                    "timeStamp": timestamp,
                    "nonceStr": nonce,
                    "package": package,
                    "signType": "RSA",
                    "paySign": client.sign([settings.WECHATPAY_APPID, timestamp, nonce, package]),
                }
            )
        return PaymentStart(params={"code_url": data["code_url"]})

    def verify_notification(self, *, headers, body: bytes) -> VerifiedNotification:
        serial = header(headers, "Wechatpay-Serial")
        timestamp = header(headers, "Wechatpay-Timestamp")
        if not (serial and timestamp and header(headers, "Wechatpay-Signature")):
            raise InvalidNotification(code="invalid_signature")
        # Another serial would make the SDK fetch platform certificates over the network.
        if serial != settings.WECHATPAY_PUBLIC_KEY_ID:
            raise InvalidNotification(code="invalid_signature")
        try:
            moment = datetime.fromtimestamp(int(timestamp), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise InvalidNotification(code="invalid_signature") from None
        check_timestamp(moment)
        canonical = {
            name: header(headers, name)
            for name in (
                "Wechatpay-Signature",
                "Wechatpay-Timestamp",
                "Wechatpay-Nonce",
                "Wechatpay-Serial",
                "Wechatpay-Signature-Type",
            )
        }
        canonical["Wechatpay-Signature-Type"] = canonical["Wechatpay-Signature-Type"] or "WECHATPAY2-SHA256-RSA2048"
        try:
            text = body.decode("utf-8")
            result = self.client().callback(headers=canonical, body=text)
        except (UnicodeDecodeError, ValueError):
            raise InvalidNotification(code="invalid_notification") from None
        except ProviderError:
            raise InvalidNotification(code="not_configured") from None
        except Exception:  # the SDK raises bare Exception for an unsupported algorithm
            raise InvalidNotification(code="invalid_signature") from None
        if not result:
            raise InvalidNotification(code="invalid_signature")
        try:
            return self._notification(result)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InvalidNotification(code="invalid_notification") from None

    def _notification(self, result: dict) -> VerifiedNotification:
        resource = result["resource"]
        event = result["event_type"]
        if resource.get("mchid") != settings.WECHATPAY_MCHID:
            raise InvalidNotification(code="wrong_merchant")
        payload = {"id": result["id"], "event_type": event, "resource": resource}
        if event.startswith("REFUND."):
            return VerifiedNotification(
                notification_id=result["id"],
                kind="refund",
                out_trade_no=resource["out_trade_no"],
                out_refund_no=resource["out_refund_no"],
                provider_transaction_id=resource.get("refund_id", ""),
                status=_REFUND_STATES.get(resource.get("refund_status", ""), RefundStatus.PENDING),
                amount=yuan(resource["amount"]["refund"]),
                payload=payload,
            )
        if resource.get("appid") != settings.WECHATPAY_APPID:
            raise InvalidNotification(code="wrong_app")
        return VerifiedNotification(
            notification_id=result["id"],
            kind="payment",
            out_trade_no=resource["out_trade_no"],
            provider_transaction_id=resource.get("transaction_id", ""),
            status=_TRADE_STATES.get(resource.get("trade_state", ""), PaymentStatus.PENDING),
            amount=yuan(resource["amount"]["total"]),
            payload=payload,
        )

    def acknowledge(self, *, ok: bool) -> tuple[int, str, str]:
        # WeChat: 200/204 means received; anything else (with {"code": "FAIL"}) makes it retry.
        if ok:
            return 200, "application/json", json.dumps({"code": "SUCCESS", "message": "成功"}, ensure_ascii=False)
        return 400, "application/json", json.dumps({"code": "FAIL", "message": "失败"}, ensure_ascii=False)

    def query(self, *, payment) -> ProviderPaymentState:
        code, message = self._call(self.client().query, out_trade_no=payment.out_trade_no)
        data = self._json(message)
        if code == 404 or data.get("code") == "ORDER_NOT_EXIST":
            return ProviderPaymentState(out_trade_no=payment.out_trade_no, status=PaymentStatus.FAILED)
        if code != 200:
            raise self._refused("query", code, message)
        paid_at = None
        if data.get("success_time"):
            paid_at = datetime.fromisoformat(data["success_time"])
        amount = data.get("amount") or {}
        return ProviderPaymentState(
            out_trade_no=data.get("out_trade_no", payment.out_trade_no),
            status=_TRADE_STATES.get(data.get("trade_state", ""), PaymentStatus.PENDING),
            amount=yuan(amount["total"]) if "total" in amount else None,
            provider_transaction_id=data.get("transaction_id", ""),
            paid_at=paid_at,
        )

    def close(self, *, payment) -> None:
        code, message = self._call(self.client().close, out_trade_no=payment.out_trade_no)
        if code in (200, 204):
            return
        data = self._json(message)
        if data.get("code") == "ORDERPAID":
            raise TradeAlreadyPaid()
        if code == 404 or data.get("code") in ("ORDER_NOT_EXIST", "ORDERNOTEXIST", "ORDER_CLOSED"):
            return
        raise self._refused("close", code, message)

    def refund(self, *, refund) -> ProviderRefundState:
        payment = refund.payment
        code, message = self._call(
            self.client().refund,
            out_refund_no=refund.out_refund_no,
            amount={"refund": fen(refund.amount), "total": fen(payment.amount), "currency": "CNY"},
            transaction_id=payment.provider_transaction_id or None,
            out_trade_no=payment.out_trade_no,
            reason=refund.reason[:80] or None,
            notify_url=notify_url(self.code) or None,
        )
        if code != 200:
            raise self._refused("refund", code, message)
        return self._refund_state(refund, self._json(message))

    def query_refund(self, *, refund) -> ProviderRefundState:
        code, message = self._call(self.client().query_refund, out_refund_no=refund.out_refund_no)
        if code != 200:
            raise self._refused("refund query", code, message)
        return self._refund_state(refund, self._json(message))

    @staticmethod
    def _refund_state(refund, data: dict) -> ProviderRefundState:
        return ProviderRefundState(
            out_refund_no=data.get("out_refund_no", refund.out_refund_no),
            status=_REFUND_STATES.get(data.get("status", ""), RefundStatus.PENDING),
            provider_refund_id=data.get("refund_id", ""),
        )

    def bill(self, *, day) -> list[BillRecord]:
        client = self.client()
        code, message = self._call(client.trade_bill, bill_date=day.isoformat(), bill_type="ALL", tar_type="GZIP")
        data = self._json(message)
        if code == 400 and data.get("code") == "NO_STATEMENT_EXIST":
            return []  # nothing happened that day
        if code != 200 or "download_url" not in data:
            raise self._refused("trade bill", code, message)
        code, content = self._call(client.download_bill, url=data["download_url"])
        if code != 200:
            raise self._refused("bill download", code, content)
        if isinstance(content, str):
            content = content.encode("utf-8")
        try:
            if content[:2] == b"\x1f\x8b":
                content = gzip.decompress(content)
        except OSError:
            raise ProviderError() from None
        return parse_trade_bill(content.decode("utf-8-sig", "replace"))


def parse_trade_bill(text: str) -> list[BillRecord]:
    """WeChat's trade statement (交易账单, bill_type ALL): a CSV whose first line names the columns
    and whose values start with a backtick, followed by a summary block from the line starting
    总交易单数. Successful payments are rows with 交易状态 SUCCESS; refunds are rows with REFUND."""
    import csv

    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    columns = [name.strip().lstrip("\ufeff") for name in rows[0]]
    records = []
    for row in rows[1:]:
        if not row or row[0].startswith("总"):
            break
        values = dict(zip(columns, (cell.strip().lstrip("`") for cell in row), strict=False))
        at = parse_local(values["交易时间"], "%Y-%m-%d %H:%M:%S")
        if values.get("交易状态") == "REFUND":
            records.append(
                BillRecord(
                    out_trade_no=values["商户订单号"],
                    provider_transaction_id=values.get("微信退款单号", ""),
                    kind="refund",
                    amount=Decimal(values.get("申请退款金额") or values["退款金额"]),
                    at=at,
                    out_refund_no=values["商户退款单号"],
                )
            )
        elif values.get("交易状态") == "SUCCESS":
            records.append(
                BillRecord(
                    out_trade_no=values["商户订单号"],
                    provider_transaction_id=values.get("微信订单号", ""),
                    kind="payment",
                    amount=Decimal(values.get("订单金额") or values["应结订单金额"]),
                    at=at,
                )
            )
    return records
