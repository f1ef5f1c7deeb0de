"""API messages follow Accept-Language (even with the website's language cookie), and throttled
clients get 429 in the error shape."""

import pytest
from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


@pytest.fixture
def zh_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def error_message(response):
    return response.json()["error"]["message"]


def test_api_answers_in_english_when_asked_despite_chinese_cookie(zh_cookie, db):
    response = zh_cookie.get("/api/v1/regions/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert error_message(response).isascii()


def test_api_answers_in_chinese_when_asked(client, db):
    response = client.get("/api/v1/regions/999999", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 404
    assert not error_message(response).isascii()


def test_api_defaults_to_chinese_without_accept_language(client, db):
    response = client.get("/api/v1/regions/999999")
    assert not error_message(response).isascii()


def test_api_throttles_anonymous_clients_with_429_error_shape(client, db, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "anon": "2/min"})
    codes = [client.get("/api/v1/regions").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response = client.get("/api/v1/regions")
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    cache.clear()
