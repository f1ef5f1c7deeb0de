"""Payments, booking and money settings (imported by base.py). Values come from the environment;
see README, "Configuration", and docs/payments.md."""

import os
from datetime import timedelta

from celery.schedules import crontab

from .base_env import env_list

# Enabled payment methods, in the order the checkout offers them. wechat and alipay need their
# keys below (a provider without them reports is_configured() false and is not offered); sandbox
# behaves like a real gateway and is the demo default; card is the stored-value sports card.
PAYMENT_PROVIDERS = env_list("PAYMENT_PROVIDERS", "sandbox,card")
# Public base URL the providers call back (https://… in production), e.g. https://venues.example.gov.cn.
# The sandbox delivers its callbacks over HTTP to it when set, otherwise in-process.
PAYMENT_NOTIFY_BASE_URL = os.environ.get("PAYMENT_NOTIFY_BASE_URL", "").rstrip("/")
# Callbacks older or newer than this many seconds are refused as replays.
PAYMENT_NOTIFY_MAX_SKEW_SECONDS = int(os.environ.get("PAYMENT_NOTIFY_MAX_SKEW_SECONDS", "300"))
# Unpaid payments older than this are asked about at the provider when no callback came.
PAYMENT_QUERY_AFTER_SECONDS = int(os.environ.get("PAYMENT_QUERY_AFTER_SECONDS", "60"))
# Failed and stuck refunds are tried again this often, at most this many times.
PAYMENT_REFUND_RETRY_MINUTES = int(os.environ.get("PAYMENT_REFUND_RETRY_MINUTES", "10"))
PAYMENT_REFUND_MAX_ATTEMPTS = int(os.environ.get("PAYMENT_REFUND_MAX_ATTEMPTS", "20"))
# Outbound calls to WeChat Pay / Alipay: (connect, read) seconds.
PAYMENT_HTTP_TIMEOUT = (5, 15)
BOOKING_HOLD_MINUTES = int(os.environ.get("BOOKING_HOLD_MINUTES", "15"))

# --- sandbox -----------------------------------------------------------------------------------
# The key the sandbox signs its callbacks with (HMAC-SHA256). Empty: derived from SECRET_KEY.
SANDBOX_PAY_SECRET = os.environ.get("SANDBOX_PAY_SECRET", "")

# --- WeChat Pay API v3 (wechatpayv3) -------------------------------------------------------------
WECHATPAY_MCHID = os.environ.get("WECHATPAY_MCHID", "")
WECHATPAY_APPID = os.environ.get("WECHATPAY_APPID", "")  # the mini-program's or official account's appid
WECHATPAY_APIV3_KEY = os.environ.get("WECHATPAY_APIV3_KEY", "")
WECHATPAY_CERT_SERIAL_NO = os.environ.get("WECHATPAY_CERT_SERIAL_NO", "")
# PEM text, or a path to a PEM file.
WECHATPAY_PRIVATE_KEY = os.environ.get("WECHATPAY_PRIVATE_KEY", "")
# WeChat Pay public key (the current verification mode) and its id (PUB_KEY_ID_…); PEM text or a path.
WECHATPAY_PUBLIC_KEY = os.environ.get("WECHATPAY_PUBLIC_KEY", "")
WECHATPAY_PUBLIC_KEY_ID = os.environ.get("WECHATPAY_PUBLIC_KEY_ID", "")
# Only for a gateway other than WeChat's own (a test double or an egress proxy inside the network).
WECHATPAY_API_BASE = os.environ.get("WECHATPAY_API_BASE", "https://api.mch.weixin.qq.com").rstrip("/")

# --- Alipay (python-alipay-sdk, RSA2) ------------------------------------------------------------
ALIPAY_APPID = os.environ.get("ALIPAY_APPID", "")
ALIPAY_APP_PRIVATE_KEY = os.environ.get("ALIPAY_APP_PRIVATE_KEY", "")  # PEM text or a path
ALIPAY_PUBLIC_KEY = os.environ.get("ALIPAY_PUBLIC_KEY", "")  # Alipay's public key: PEM text or a path
ALIPAY_GATEWAY = os.environ.get("ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do")
# Where the payer's browser returns after paying (the order page is appended); empty: none.
ALIPAY_RETURN_URL = os.environ.get("ALIPAY_RETURN_URL", "")

# --- periodic jobs (celery beat) ---------------------------------------------------------------
PAYMENTS_BEAT_SCHEDULE = {
    # Unpaid orders past their deadline: closed at the provider, then their slots freed.
    "orders-expire-due": {
        "task": "sportsplatform.orders.tasks.expire_due_orders_task",
        "schedule": timedelta(minutes=1),
    },
    # Payments without a callback after a minute: asked at the provider.
    "payments-query-pending": {
        "task": "sportsplatform.payments.tasks.query_pending_payments_task",
        "schedule": timedelta(minutes=1),
    },
    "payments-retry-refunds": {
        "task": "sportsplatform.payments.tasks.retry_refunds_task",
        "schedule": timedelta(minutes=5),
    },
    # Yesterday's statements: WeChat publishes them from 10:00, Alipay from about 09:00.
    "payments-reconcile-daily": {
        "task": "sportsplatform.payments.tasks.reconcile_payments_task",
        "schedule": crontab(hour=10, minute=30),
    },
}


def _merge_beat_schedule() -> None:
    # base.py imports this module at its end, after defining CELERY_BEAT_SCHEDULE: add ours to it
    # (the same dict every settings module that star-imports base ends up with).
    from . import base

    base.CELERY_BEAT_SCHEDULE.update(PAYMENTS_BEAT_SCHEDULE)


_merge_beat_schedule()


# --- booking operations (slot upkeep, no-shows, reminders, message channels) ---------------------
# Paid bookings get a reminder this long before they start (in-site, SMS, WeChat).
BOOKING_REMINDER_BEFORE = timedelta(minutes=int(os.environ.get("BOOKING_REMINDER_MINUTES", "120")))
BOOKING_BEAT_SCHEDULE = {
    # Fill every bookable venue's window; before the usual 08:00 release.
    "booking-generate-slots": {
        "task": "sportsplatform.booking.tasks.generate_slots_task",
        "schedule": crontab(hour=0, minute=20),
    },
    "booking-mark-no-shows": {
        "task": "sportsplatform.booking.tasks.mark_no_shows_task",
        "schedule": timedelta(minutes=5),
    },
    "booking-send-reminders": {
        "task": "sportsplatform.booking.tasks.send_booking_reminders_task",
        "schedule": timedelta(minutes=5),
    },
}
# Extra message channels: name → function taking the Notification (notifications.channels).
NOTIFICATION_CHANNELS = {
    "sms": "sportsplatform.notifications.channels.send_sms",
    "wechat": "sportsplatform.notifications.channels.send_wechat_template",
}
# SMS notices go through SMS_BACKEND with this approved template: two variables, the title and a
# short text (Tencent "{1}：{2}", Aliyun "${title}：${content}"). Empty: no SMS notices (console: logged).
SMS_TEMPLATE_NOTIFICATION = os.environ.get("SMS_TEMPLATE_NOTIFICATION", "")
# WeChat official account template messages; unset: skipped.
WECHAT_MP_APPID = os.environ.get("WECHAT_MP_APPID", "")
WECHAT_MP_SECRET = os.environ.get("WECHAT_MP_SECRET", "")
WECHAT_MP_API_BASE = os.environ.get("WECHAT_MP_API_BASE", "https://api.weixin.qq.com").rstrip("/")
WECHAT_TEMPLATE_NOTIFICATION = os.environ.get("WECHAT_TEMPLATE_NOTIFICATION", "")
# The template's keys for the title, the text and the time (each value ≤ 20 characters).
WECHAT_TEMPLATE_FIELDS = {"title": "thing1", "body": "thing2", "time": "time3"}
# Where a tapped message leads: this base URL + the message's link (e.g. https://venues.example.gov.cn).
WECHAT_LINK_BASE_URL = os.environ.get("WECHAT_LINK_BASE_URL", "").rstrip("/")
# user → openid of the official account ("" when unknown): dotted path.
NOTIFICATION_WECHAT_OPENID = "sportsplatform.notifications.channels.default_openid"
WECHAT_HTTP_TIMEOUT = (5, 10)


def _merge_booking_beat_schedule() -> None:
    from . import base

    base.CELERY_BEAT_SCHEDULE.update(BOOKING_BEAT_SCHEDULE)


_merge_booking_beat_schedule()
