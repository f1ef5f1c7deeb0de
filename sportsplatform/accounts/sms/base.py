from __future__ import annotations

import abc

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

BACKENDS = {
    "console": "sportsplatform.accounts.sms.console.ConsoleSmsBackend",
    "tencent": "sportsplatform.accounts.sms.tencent.TencentSmsBackend",
    "aliyun": "sportsplatform.accounts.sms.aliyun.AliyunSmsBackend",
}


class SmsDeliveryFailed(Exception):
    """The provider refused or failed to deliver a message. `provider_code` is the provider's own
    error code; `retryable` tells the task whether trying again later can help (network errors,
    provider throttling) or not (bad number, unapproved template)."""

    def __init__(self, message: str, *, provider_code: str = "", retryable: bool = False):
        self.provider_code = provider_code
        self.retryable = retryable
        super().__init__(message)


class SmsBackend(abc.ABC):
    """Sends text messages through one provider. Subclasses implement `send_login_code`."""

    name = "base"

    @abc.abstractmethod
    def send_login_code(self, *, phone: str, code: str, ttl_minutes: int) -> None:
        """Send the login `code` to the 11-digit mainland `phone`; raise SmsDeliveryFailed."""

    @staticmethod
    def require(*setting_names: str) -> None:
        missing = [name for name in setting_names if not getattr(settings, name, "")]
        if missing:
            raise ImproperlyConfigured(f"SMS backend needs settings: {', '.join(missing)}")


def get_backend(name: str | None = None) -> SmsBackend:
    name = name or settings.SMS_BACKEND
    try:
        path = BACKENDS[name]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown SMS_BACKEND {name!r}; choose one of {', '.join(BACKENDS)}") from None
    return import_string(path)()
