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


def known_codes() -> list[str]:
    return list(_MODULES)


def load_provider(code: str) -> PaymentProvider:
    """The provider class for `code`, enabled or not: a payment made through a provider that has
    since been switched off still has to be queried, captured and refunded through it."""
    if code not in _MODULES:
        raise ProviderError(code="payment_method_unavailable")
    if code not in _CLASSES:
        import_module(_MODULES[code])
    return _CLASSES[code]()


def get_provider(code: str) -> PaymentProvider:
    """An enabled provider, for new payments and incoming callbacks."""
    if code not in enabled_codes():
        raise ProviderError(code="payment_method_unavailable")
    return load_provider(code)


def offered_providers() -> list[PaymentProvider]:
    """What the checkout offers: enabled and configured (WeChat/Alipay need their keys), in the
    order PAYMENT_PROVIDERS lists them."""
    offered = []
    for code in enabled_codes():
        try:
            provider = load_provider(code)
        except ImportError:
            continue
        if provider.is_configured():
            offered.append(provider)
    return offered
