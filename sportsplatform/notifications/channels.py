"""Extra delivery channels for messages: SMS (the accounts SMS backend) and WeChat template
messages. Each is pluggable by settings (NOTIFICATION_CHANNELS maps a channel name to the dotted
path of a function taking the Notification); an unconfigured channel is skipped and recorded as
such, so the in-site message always stands.

SMS: one approved notification template (SMS_TEMPLATE_NOTIFICATION) with two variables, the
title and a shortened text — Tencent positional {1} {2}, Aliyun ${title} ${content} — sent
through the provider selected by SMS_BACKEND with that backend's own client and error handling.

WeChat: the official account's template message API (cgi-bin/message/template/send) with an
access token from WECHAT_MP_APPID / WECHAT_MP_SECRET (cached until shortly before it expires, and
fetched again once when WeChat says it is invalid). The recipient's openid comes from
NOTIFICATION_WECHAT_OPENID (dotted path of a function user → openid or ""); users without one are
skipped. Template fields are at most 20 characters (WeChat cuts longer values)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification

log = logging.getLogger(__name__)

WECHAT_FIELD_MAX = 20
SMS_CONTENT_MAX = 60


class ChannelSkipped(Exception):
    """The channel does not apply to this message (not configured, no phone, no openid)."""


class ChannelFailed(Exception):
    """The provider refused or could not be reached."""


def deliver(*, notification_id: int, channels: list[str]) -> dict:
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        return {}
    configured = getattr(settings, "NOTIFICATION_CHANNELS", {})
    outcome = {}
    for channel in channels:
        path = configured.get(channel)
        if not path:
            outcome[channel] = "not configured"
            continue
        try:
            import_string(path)(notification)
            outcome[channel] = "sent"
        except ChannelSkipped as exc:
            outcome[channel] = f"skipped: {exc}"[:200]
        except Exception as exc:  # one channel failing must not lose the message or the others
            log.warning("notification %s via %s failed: %s", notification_id, channel, exc)
            outcome[channel] = f"failed: {exc}"[:200]
    Notification.objects.filter(pk=notification_id).update(deliveries={**notification.deliveries, **outcome})
    return outcome


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- SMS -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentNotificationSms:
    phone: str
    title: str
    content: str


# The console backend's notices, for development logs and tests.
sms_outbox: list[SentNotificationSms] = []


def sms_params(notification: Notification) -> tuple[str, str]:
    return _shorten(notification.title, WECHAT_FIELD_MAX), _shorten(notification.body, SMS_CONTENT_MAX)


def build_sms_backend(name: str | None = None):
    """The SMS_BACKEND provider, sending the notification template instead of the login code.
    The providers' backends build their request in `build_request(phone=, code=, ttl_minutes=)` and
    handle the answer and errors in `send_login_code`; this reuses both with another template."""
    from sportsplatform.accounts.sms.base import BACKENDS

    name = name or settings.SMS_BACKEND
    if name == "console":
        return None
    template = getattr(settings, "SMS_TEMPLATE_NOTIFICATION", "")
    if not template:
        raise ChannelSkipped("SMS_TEMPLATE_NOTIFICATION not set")
    if name not in BACKENDS:
        raise ChannelSkipped(f"unknown SMS backend {name}")
    base = import_string(BACKENDS[name])

    class NotificationBackend(base):
        params: tuple[str, str] = ("", "")

        def build_request(self, *, phone: str, code: str, ttl_minutes: int):
            request = super().build_request(phone=phone, code=code, ttl_minutes=ttl_minutes)
            title, content = self.params
            if hasattr(request, "TemplateParamSet"):  # Tencent: positional {1} {2}
                request.TemplateId = template
                request.TemplateParamSet = [title, content]
            else:  # Aliyun: named ${title} ${content}
                import json

                request.template_code = template
                request.template_param = json.dumps({"title": title, "content": content}, ensure_ascii=False)
            return request

    return NotificationBackend()


def send_sms(notification: Notification) -> None:
    phone = getattr(notification.user, "phone", "") or ""
    if not phone:
        raise ChannelSkipped("no phone number")
    title, content = sms_params(notification)
    backend = build_sms_backend()
    if backend is None:
        from sportsplatform.accounts.phones import mask_phone

        logging.getLogger("sportsplatform.sms").warning("SMS to %s: %s %s", mask_phone(phone), title, content)
        sms_outbox.append(SentNotificationSms(phone=phone, title=title, content=content))
        return
    backend.params = (title, content)
    backend.send_login_code(phone=phone, code="", ttl_minutes=0)


# --- WeChat template messages ----------------------------------------------------------------------

TOKEN_CACHE_KEY = "notifications:wechat:access_token"  # noqa: S105 - a cache key, not a secret
INVALID_TOKEN_CODES = {40001, 40014, 42001}


def wechat_configured() -> bool:
    return bool(
        getattr(settings, "WECHAT_MP_APPID", "")
        and getattr(settings, "WECHAT_MP_SECRET", "")
        and getattr(settings, "WECHAT_TEMPLATE_NOTIFICATION", "")
    )


def _api(path: str) -> str:
    return getattr(settings, "WECHAT_MP_API_BASE", "https://api.weixin.qq.com").rstrip("/") + path


def _timeout():
    return getattr(settings, "WECHAT_HTTP_TIMEOUT", (5, 10))


def wechat_access_token(*, refresh: bool = False) -> str:
    if not refresh:
        token = cache.get(TOKEN_CACHE_KEY)
        if token:
            return token
    try:
        response = requests.get(
            _api("/cgi-bin/token"),
            params={
                "grant_type": "client_credential",
                "appid": settings.WECHAT_MP_APPID,
                "secret": settings.WECHAT_MP_SECRET,
            },
            timeout=_timeout(),
        )
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ChannelFailed(f"WeChat token: {exc}") from exc
    token = data.get("access_token")
    if not token:
        raise ChannelFailed(f"WeChat token: {data.get('errcode')} {data.get('errmsg', '')}")
    # Tokens last 7200 s; fetch a new one five minutes early.
    cache.set(TOKEN_CACHE_KEY, token, max(int(data.get("expires_in", 7200)) - 300, 60))
    return token


def default_openid(user) -> str:
    """The openid of `user` for the official account, if the site knows it."""
    return getattr(user, "wechat_openid", "") or ""


def wechat_payload(notification: Notification, openid: str) -> dict:
    fields = getattr(settings, "WECHAT_TEMPLATE_FIELDS", {"title": "thing1", "body": "thing2", "time": "time3"})
    created = timezone.localtime(notification.created_at or timezone.now())
    values = {
        "title": notification.title,
        "body": notification.body,
        "time": f"{created:%Y-%m-%d %H:%M}",
    }
    payload = {
        "touser": openid,
        "template_id": settings.WECHAT_TEMPLATE_NOTIFICATION,
        "data": {key: {"value": _shorten(values[name], WECHAT_FIELD_MAX)} for name, key in fields.items()},
    }
    base = getattr(settings, "WECHAT_LINK_BASE_URL", "").rstrip("/")
    if base and notification.link:
        payload["url"] = base + notification.link
    return payload


def send_wechat_template(notification: Notification) -> None:
    if not wechat_configured():
        raise ChannelSkipped("WeChat official account not configured")
    resolver = import_string(
        getattr(settings, "NOTIFICATION_WECHAT_OPENID", "sportsplatform.notifications.channels.default_openid")
    )
    openid = resolver(notification.user)
    if not openid:
        raise ChannelSkipped("no WeChat openid")
    payload = wechat_payload(notification, openid)
    for attempt in range(2):
        token = wechat_access_token(refresh=attempt > 0)
        try:
            response = requests.post(
                _api("/cgi-bin/message/template/send"),
                params={"access_token": token},
                json=payload,
                timeout=_timeout(),
            )
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ChannelFailed(f"WeChat template message: {exc}") from exc
        code = int(data.get("errcode", 0) or 0)
        if code == 0:
            return
        if code in INVALID_TOKEN_CODES and attempt == 0:
            cache.delete(TOKEN_CACHE_KEY)
            continue
        raise ChannelFailed(f"WeChat template message refused: {code} {data.get('errmsg', '')}")
