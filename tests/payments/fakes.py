"""Local HTTP servers that play WeChat Pay API v3 and the Alipay open API for the provider tests.

They are the providers' side of the wire, written from the providers' documentation: they check
the merchant's request signatures with the merchant's public key, keep their own trades and
refunds, sign every answer with the platform key (WeChat: Wechatpay-* headers over
"timestamp\\nnonce\\nbody\\n"; Alipay: RSA2 over the *_response JSON), and build callbacks exactly
as the providers send them (WeChat: resource encrypted with AEAD_AES_256_GCM under the APIv3 key;
Alipay: a signed form). Keys are RSA 2048, generated per test session."""

from __future__ import annotations

import base64
import gzip
import io
import json
import secrets
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils import timezone


@dataclass(frozen=True)
class KeyPair:
    private: rsa.RSAPrivateKey

    @property
    def private_pem(self) -> str:
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    @property
    def public_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()

    def verify(self, message: bytes, signature: str) -> bool:
        try:
            self.private.public_key().verify(base64.b64decode(signature), message, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return False
        return True


@cache
def keypair(name: str) -> KeyPair:
    """One RSA 2048 key per role and test session (generation takes a moment)."""
    return KeyPair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


class _Server:
    """A ThreadingHTTPServer on a free loopback port whose handler calls `self.route`."""

    def __init__(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = outer.route(self.command, self.path, dict(self.headers), body)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.requests: list[tuple[str, str, bytes]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, method, path, headers, body):  # each fake answers its own paths
        return 500, {}, b""


# --- WeChat Pay ---------------------------------------------------------------------------------


@dataclass
class WxTrade:
    out_trade_no: str
    total: int
    appid: str
    mchid: str
    description: str
    time_expire: str
    notify_url: str
    openid: str = ""
    state: str = "NOTPAY"
    transaction_id: str = field(default_factory=lambda: f"4200{secrets.randbelow(10**24):024d}")
    success_time: str = ""


class FakeWeChatPay(_Server):
    MCHID = "1900000109"
    APPID = "wx8888888888888888"
    APIV3_KEY = "0123456789abcdefghijklmnopqrstuv"  # 32 bytes
    PUBLIC_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000"
    SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"

    def __init__(self):
        super().__init__()
        self.merchant = keypair("wechat-merchant")
        self.platform = keypair("wechat-platform")
        self.trades: dict[str, WxTrade] = {}
        self.refunds: dict[str, dict] = {}
        self.refund_status = "SUCCESS"  # what a new refund answers: SUCCESS or PROCESSING
        self.fail_refunds = False
        self.bill_day_rows: list[str] | None = None

    def settings(self) -> dict:
        return {
            "WECHATPAY_MCHID": self.MCHID,
            "WECHATPAY_APPID": self.APPID,
            "WECHATPAY_APIV3_KEY": self.APIV3_KEY,
            "WECHATPAY_CERT_SERIAL_NO": self.SERIAL,
            "WECHATPAY_PRIVATE_KEY": self.merchant.private_pem,
            "WECHATPAY_PUBLIC_KEY": self.platform.public_pem,
            "WECHATPAY_PUBLIC_KEY_ID": self.PUBLIC_KEY_ID,
            "WECHATPAY_API_BASE": self.base_url,
        }

    # -- the wire
    def _signed(self, status: int, payload: dict | None = None, *, raw: bytes | None = None, ctype="application/json"):
        body = raw if raw is not None else (json.dumps(payload, ensure_ascii=False).encode() if payload else b"")
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {"Content-Type": ctype}
        if 200 <= status < 300:
            text = body.decode("utf-8") if raw is None else ""
            headers.update(
                {
                    "Wechatpay-Timestamp": timestamp,
                    "Wechatpay-Nonce": nonce,
                    "Wechatpay-Serial": self.PUBLIC_KEY_ID,
                    "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
                    "Wechatpay-Signature": self.platform.sign(f"{timestamp}\n{nonce}\n{text}\n".encode()),
                }
            )
        return status, headers, body

    def _authorised(self, method: str, path: str, headers: dict, body: bytes) -> bool:
        auth = headers.get("Authorization", "")
        scheme, _, params = auth.partition(" ")
        if scheme != "WECHATPAY2-SHA256-RSA2048":
            return False
        fields = dict(part.split("=", 1) for part in params.split(","))
        fields = {k: v.strip('"') for k, v in fields.items()}
        message = f"{method}\n{path}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body.decode()}\n".encode()
        return fields.get("mchid") == self.MCHID and self.merchant.verify(message, fields["signature"])

    def route(self, method, path, headers, body):
        self.requests.append((method, path, body))
        if path.startswith("/v3/billdownload/"):
            return self._signed(200, raw=self._bill_file(), ctype="application/octet-stream")
        if not self._authorised(method, path, headers, body):
            return self._signed(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        url = urlsplit(path)
        data = json.loads(body) if body else {}
        parts = url.path.split("/")
        if method == "POST" and url.path in ("/v3/pay/transactions/native", "/v3/pay/transactions/jsapi"):
            jsapi = url.path.endswith("jsapi")
            if jsapi and not data.get("payer", {}).get("openid"):
                return self._signed(400, {"code": "PARAM_ERROR", "message": "缺少 openid"})
            trade = WxTrade(
                out_trade_no=data["out_trade_no"],
                total=data["amount"]["total"],
                appid=data["appid"],
                mchid=data["mchid"],
                description=data["description"],
                time_expire=data.get("time_expire", ""),
                notify_url=data["notify_url"],
                openid=data.get("payer", {}).get("openid", ""),
            )
            self.trades.setdefault(trade.out_trade_no, trade)
            if jsapi:
                return self._signed(200, {"prepay_id": f"wx{secrets.token_hex(14)}"})
            return self._signed(200, {"code_url": f"weixin://wxpay/bizpayurl?pr={secrets.token_urlsafe(6)}"})
        if url.path.startswith("/v3/pay/transactions/out-trade-no/"):
            trade = self.trades.get(parts[5])
            if method == "POST" and url.path.endswith("/close"):
                if trade is None:
                    return self._signed(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
                if trade.state in ("SUCCESS", "REFUND"):
                    return self._signed(400, {"code": "ORDERPAID", "message": "订单已支付"})
                trade.state = "CLOSED"
                return self._signed(204)
            if trade is None:
                return self._signed(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
            return self._signed(200, self._trade_json(trade))
        if method == "POST" and url.path == "/v3/refund/domestic/refunds":
            if self.fail_refunds:
                return self._signed(500, {"code": "SYSTEM_ERROR", "message": "系统繁忙"})
            existing = self.refunds.get(data["out_refund_no"])
            if existing is None:
                trade = self.trades[data.get("out_trade_no") or self._by_transaction(data["transaction_id"])]
                existing = {
                    "refund_id": f"5030{secrets.randbelow(10**24):024d}",
                    "out_refund_no": data["out_refund_no"],
                    "out_trade_no": trade.out_trade_no,
                    "transaction_id": trade.transaction_id,
                    "status": self.refund_status,
                    "amount": {"refund": data["amount"]["refund"], "total": data["amount"]["total"]},
                    "success_time": timezone.localtime().isoformat(timespec="seconds"),
                }
                self.refunds[data["out_refund_no"]] = existing
                trade.state = "REFUND"
            return self._signed(200, existing)
        if method == "GET" and url.path.startswith("/v3/refund/domestic/refunds/"):
            refund = self.refunds.get(parts[-1])
            if refund is None:
                return self._signed(404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"})
            return self._signed(200, refund)
        if method == "GET" and url.path == "/v3/bill/tradebill":
            return self._signed(
                200,
                {
                    "hash_type": "SHA1",
                    "hash_value": "0",
                    "download_url": f"{self.base_url}/v3/billdownload/file?token={secrets.token_hex(8)}",
                },
            )
        return self._signed(404, {"code": "NOT_FOUND", "message": path})

    def _by_transaction(self, transaction_id: str) -> str:
        return next(t.out_trade_no for t in self.trades.values() if t.transaction_id == transaction_id)

    def _trade_json(self, trade: WxTrade) -> dict:
        out = {
            "appid": trade.appid,
            "mchid": trade.mchid,
            "out_trade_no": trade.out_trade_no,
            "transaction_id": trade.transaction_id,
            "trade_type": "JSAPI" if trade.openid else "NATIVE",
            "trade_state": trade.state,
            "trade_state_desc": trade.state,
            "amount": {"total": trade.total, "payer_total": trade.total, "currency": "CNY", "payer_currency": "CNY"},
        }
        if trade.success_time:
            out["success_time"] = trade.success_time
        return out

    def _bill_file(self) -> bytes:
        header = (
            "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
            "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
            "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
        )
        lines = [header, *(self.bill_day_rows or [])]
        lines.append("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额")
        lines.append("`0,`0.00,`0.00,`0.00,`0.00,`0.00,`0.00")
        return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"))

    def bill_row(self, *, kind: str, out_trade_no: str, amount: Decimal, at: datetime, out_refund_no: str = "") -> str:
        stamp = timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")
        refund = kind == "refund"
        cells = [
            stamp, self.APPID, self.MCHID, "0", "", "4200000001", out_trade_no, "oUser", "NATIVE",
            "REFUND" if refund else "SUCCESS", "OTHERS", "CNY", "0.00" if refund else f"{amount:.2f}", "0.00",
            "5030000001" if refund else "0", out_refund_no or "0", f"{amount:.2f}" if refund else "0.00", "0.00",
            "ORIGINAL" if refund else "", "SUCCESS" if refund else "", "场馆预订", "", "0.00", "0.60%",
            "0.00" if refund else f"{amount:.2f}", f"{amount:.2f}" if refund else "0.00", "",
        ]  # fmt: skip
        return ",".join("`" + c for c in cells)

    # -- the payer pays; WeChat calls back
    def pay(self, out_trade_no: str) -> WxTrade:
        trade = self.trades[out_trade_no]
        trade.state = "SUCCESS"
        trade.success_time = timezone.localtime().isoformat(timespec="seconds")
        return trade

    def payment_callback(
        self, out_trade_no: str, *, notification_id: str | None = None, **overrides
    ) -> tuple[dict, bytes]:
        trade = self.trades[out_trade_no]
        resource = {**self._trade_json(trade), **overrides}
        return self.callback(
            "TRANSACTION.SUCCESS", resource, notification_id=notification_id, original_type="transaction"
        )

    def refund_callback(self, out_refund_no: str, *, status: str = "SUCCESS") -> tuple[dict, bytes]:
        refund = self.refunds[out_refund_no]
        refund["status"] = status
        resource = {
            "mchid": self.MCHID,
            "out_trade_no": refund["out_trade_no"],
            "transaction_id": refund["transaction_id"],
            "out_refund_no": out_refund_no,
            "refund_id": refund["refund_id"],
            "refund_status": status,
            "success_time": refund["success_time"],
            "amount": {
                "total": refund["amount"]["total"],
                "refund": refund["amount"]["refund"],
                "payer_total": refund["amount"]["total"],
                "payer_refund": refund["amount"]["refund"],
            },
        }
        return self.callback(f"REFUND.{status}", resource, original_type="refund")

    def callback(
        self,
        event_type: str,
        resource: dict,
        *,
        notification_id: str | None = None,
        original_type: str = "transaction",
        timestamp: int | None = None,
        signer: KeyPair | None = None,
    ) -> tuple[dict, bytes]:
        nonce = secrets.token_hex(6)  # 12 characters, as AEAD_AES_256_GCM wants
        plaintext = json.dumps(resource, ensure_ascii=False).encode()
        ciphertext = AESGCM(self.APIV3_KEY.encode()).encrypt(nonce.encode(), plaintext, original_type.encode())
        body = json.dumps(
            {
                "id": notification_id or str(uuid.uuid4()),
                "create_time": timezone.localtime().isoformat(timespec="seconds"),
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": "支付成功",
                "resource": {
                    "original_type": original_type,
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": base64.b64encode(ciphertext).decode(),
                    "associated_data": original_type,
                    "nonce": nonce,
                },
            },
            ensure_ascii=False,
        ).encode()
        return self.sign_callback(body, timestamp=timestamp, signer=signer), body

    def sign_callback(self, body: bytes, *, timestamp: int | None = None, signer: KeyPair | None = None) -> dict:
        stamp, nonce = str(timestamp or int(time.time())), secrets.token_hex(16)
        return {
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Serial": self.PUBLIC_KEY_ID,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
            "Wechatpay-Signature": (signer or self.platform).sign(f"{stamp}\n{nonce}\n{body.decode()}\n".encode()),
        }


# --- Alipay -------------------------------------------------------------------------------------


@dataclass
class AliTrade:
    out_trade_no: str
    total_amount: str
    subject: str
    time_expire: str
    notify_url: str
    trade_status: str = "WAIT_BUYER_PAY"
    trade_no: str = field(default_factory=lambda: f"2026{secrets.randbelow(10**24):024d}")
    send_pay_date: str = ""
    refunds: dict = field(default_factory=dict)


class FakeAlipay(_Server):
    APPID = "2021000000000001"

    def __init__(self):
        super().__init__()
        self.app = keypair("alipay-app")
        self.alipay = keypair("alipay-platform")
        self.trades: dict[str, AliTrade] = {}
        self.bill_rows: list[str] = []

    @property
    def gateway(self) -> str:
        return f"{self.base_url}/gateway.do"

    def settings(self) -> dict:
        return {
            "ALIPAY_APPID": self.APPID,
            "ALIPAY_APP_PRIVATE_KEY": self.app.private_pem,
            "ALIPAY_PUBLIC_KEY": self.alipay.public_pem,
            "ALIPAY_GATEWAY": self.gateway,
        }

    @staticmethod
    def signing_string(params: dict) -> str:
        return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("sign", "sign_type"))

    def verify_request(self, params: dict) -> bool:
        unsigned = {k: v for k, v in params.items() if k != "sign"}
        message = "&".join(f"{k}={v}" for k, v in sorted(unsigned.items()))
        return self.app.verify(message.encode(), params.get("sign", ""))

    def open_page(self, pay_url: str) -> AliTrade:
        """The payer's browser opens the pay_url: Alipay checks it and creates the trade."""
        params = dict(parse_qsl(urlsplit(pay_url).query))
        assert self.verify_request(params), "pay_url signature"
        biz = json.loads(params["biz_content"])
        trade = AliTrade(
            out_trade_no=biz["out_trade_no"],
            total_amount=biz["total_amount"],
            subject=biz["subject"],
            time_expire=biz.get("time_expire", ""),
            notify_url=params.get("notify_url", ""),
        )
        return self.trades.setdefault(trade.out_trade_no, trade)

    def _respond(self, method_name: str, inner: dict):
        response_type = method_name.replace(".", "_") + "_response"
        inner_json = json.dumps(inner, ensure_ascii=False, separators=(",", ":"))
        sign = self.alipay.sign(inner_json.encode())
        raw = f'{{"{response_type}":{inner_json},"sign":"{sign}"}}'
        return 200, {"Content-Type": "application/json;charset=utf-8"}, raw.encode()

    def route(self, method, path, headers, body):
        self.requests.append((method, path, body))
        url = urlsplit(path)
        if url.path == "/bill.zip":
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                text = "\n".join(
                    [
                        "#支付宝业务明细查询",
                        f"#账号：[{self.APPID}]",
                        "#-----------------------------------------业务明细列表----------------------------------------",
                        "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
                        "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
                        "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注",
                        *self.bill_rows,
                        "#-----------------------------------------业务明细列表结束------------------------------------",
                    ]
                )
                archive.writestr("20880000_20260101_业务明细.csv", text.encode("gbk"))
                archive.writestr("20880000_20260101_业务明细(汇总).csv", "#汇总".encode("gbk"))
            return 200, {"Content-Type": "application/zip"}, buffer.getvalue()
        params = dict(parse_qsl(url.query))
        if not self.verify_request(params):
            raw = '{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature"}}'
            return 200, {"Content-Type": "application/json"}, raw.encode()
        name = params["method"]
        biz = json.loads(params.get("biz_content") or "{}")
        trade = self.trades.get(biz.get("out_trade_no", ""))
        failed = {"code": "40004", "msg": "Business Failed"}
        not_exist = {
            "code": "40004",
            "msg": "Business Failed",
            "sub_code": "ACQ.TRADE_NOT_EXIST",
            "sub_msg": "交易不存在",
        }
        if name == "alipay.trade.query":
            if trade is None:
                return self._respond(name, not_exist)
            inner = {
                "code": "10000",
                "msg": "Success",
                "out_trade_no": trade.out_trade_no,
                "trade_no": trade.trade_no,
                "trade_status": trade.trade_status,
                "total_amount": trade.total_amount,
            }
            if trade.send_pay_date:
                inner["send_pay_date"] = trade.send_pay_date
            return self._respond(name, inner)
        if name == "alipay.trade.close":
            if trade is None:
                return self._respond(name, not_exist)
            if trade.trade_status in ("TRADE_SUCCESS", "TRADE_FINISHED"):
                return self._respond(
                    name, {**failed, "sub_code": "ACQ.TRADE_STATUS_ERROR", "sub_msg": "交易状态不合法"}
                )
            trade.trade_status = "TRADE_CLOSED"
            return self._respond(name, {"code": "10000", "msg": "Success", "out_trade_no": trade.out_trade_no})
        if name == "alipay.trade.refund":
            if trade is None:
                return self._respond(name, not_exist)
            request_no = biz["out_request_no"]
            change = "N" if request_no in trade.refunds else "Y"
            trade.refunds.setdefault(request_no, biz["refund_amount"])
            refunded = sum(Decimal(v) for v in trade.refunds.values())
            return self._respond(
                name,
                {"code": "10000", "msg": "Success", "trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
                 "refund_fee": f"{refunded:.2f}", "fund_change": change},
            )  # fmt: skip
        if name == "alipay.trade.fastpay.refund.query":
            amount = trade.refunds.get(biz["out_request_no"]) if trade else None
            inner = {"code": "10000", "msg": "Success", "out_request_no": biz["out_request_no"]}
            if amount:
                inner.update(refund_status="REFUND_SUCCESS", refund_amount=amount, trade_no=trade.trade_no)
            return self._respond(name, inner)
        if name == "alipay.data.dataservice.bill.downloadurl.query":
            return self._respond(
                name, {"code": "10000", "msg": "Success", "bill_download_url": f"{self.base_url}/bill.zip"}
            )
        return self._respond(name, {"code": "40004", "msg": "Business Failed", "sub_code": "UNKNOWN_METHOD"})

    # -- the payer pays; Alipay notifies
    def pay(self, out_trade_no: str) -> AliTrade:
        trade = self.trades[out_trade_no]
        trade.trade_status = "TRADE_SUCCESS"
        trade.send_pay_date = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        return trade

    def notify(self, out_trade_no: str, *, signer: KeyPair | None = None, **overrides) -> bytes:
        trade = self.trades[out_trade_no]
        params = {
            "notify_time": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
            "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16),
            "app_id": self.APPID,
            "charset": "utf-8",
            "version": "1.0",
            "sign_type": "RSA2",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "trade_status": trade.trade_status,
            "total_amount": trade.total_amount,
            "receipt_amount": trade.total_amount,
            "buyer_pay_amount": trade.total_amount,
            "subject": trade.subject,
            "gmt_create": trade.send_pay_date or timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
            "gmt_payment": trade.send_pay_date,
        }
        params.update(overrides)
        params["sign"] = (signer or self.alipay).sign(self.signing_string(params).encode())
        return urlencode(params).encode()

    def bill_row(self, *, kind: str, out_trade_no: str, amount: Decimal, at: datetime, out_refund_no: str = "") -> str:
        stamp = timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")
        refund = kind == "refund"
        value = f"-{amount:.2f}" if refund else f"{amount:.2f}"
        cells = ["2026000001", out_trade_no, "退款" if refund else "交易", "场馆预订", stamp, stamp]
        cells += ["", "", "", "", "买家", value, value, "0.00", "0.00", "0.00", "0.00", "0.00", ""]
        cells += ["0.00", "0.00", out_refund_no, "0.00", "0.00", ""]
        return ",".join(cells)
