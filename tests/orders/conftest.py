from tests.payments.conftest import alipay, wechat  # noqa: F401  (the provider fakes, for the API tests)
