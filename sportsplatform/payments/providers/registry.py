"""Providers by code. PAYMENT_PROVIDERS (settings) lists the enabled ones; each module registers
its class on import."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

from .base import PaymentProvider, ProviderError

_CLASSES: dict[str, type[PaymentProvider]] = {}
_MODULES = {
    "sandbox": "sportsplatform.payments.providers.sandbox",
    "wechat": "sportsplatform.payments.providers.wechat",
    "alipay": "sportsplatform.payments.providers.alipay",
    "card": "sportsplatform.payments.providers.card",
}


def register_provider(cls: type[PaymentProvider]) -> type[PaymentProvider]:
    _CLASSES[cls.code] = cls
    return cls


def enabled_codes() -> list[str]:
    return [code for code in settings.PAYMENT_PROVIDERS if code in _MODULES]


def get_provider(code: str) -> PaymentProvider:
    if code not in enabled_codes():
        raise ProviderError(code="payment_method_unavailable")
    if code not in _CLASSES:
        import_module(_MODULES[code])
    return _CLASSES[code]()
