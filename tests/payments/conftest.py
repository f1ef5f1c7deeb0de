import pytest

from .fakes import FakeAlipay, FakeWeChatPay

NOTIFY_BASE = "https://venues.example.cn"


@pytest.fixture
def wechat(settings):
    """WeChat Pay enabled and configured against a local FakeWeChatPay."""
    server = FakeWeChatPay().start()
    for key, value in server.settings().items():
        setattr(settings, key, value)
    settings.PAYMENT_PROVIDERS = ["sandbox", "wechat", "alipay", "card"]
    settings.PAYMENT_NOTIFY_BASE_URL = NOTIFY_BASE
    yield server
    server.stop()


@pytest.fixture
def alipay(settings):
    """Alipay enabled and configured against a local FakeAlipay."""
    server = FakeAlipay().start()
    for key, value in server.settings().items():
        setattr(settings, key, value)
    settings.PAYMENT_PROVIDERS = ["sandbox", "wechat", "alipay", "card"]
    settings.PAYMENT_NOTIFY_BASE_URL = NOTIFY_BASE
    yield server
    server.stop()
