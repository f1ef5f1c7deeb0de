"""Public register answers are served from the server-side cache the second time, per language,
and throttling still applies to them."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


def test_public_answer_is_cached_after_the_first_request(client, django_assert_num_queries):
    first = client.get("/api/v1/regions", {"parent": "510000"})
    assert first.status_code == 200

    with django_assert_num_queries(0):
        second = client.get("/api/v1/regions", {"parent": "510000"})

    assert second.status_code == 200
    assert second.json() == first.json()
    assert "public" in second["Cache-Control"]


def test_public_cache_keeps_languages_apart(client):
    client.get("/api/v1/regions", HTTP_ACCEPT_LANGUAGE="en")
    from sportsplatform.regions.models import Region

    Region.objects.filter(code="510000").update(name="四川省（测试）")
    # The English answer was cached; a Chinese request is a different entry and reads afresh.
    fresh = client.get("/api/v1/regions", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert any(r["name"] == "四川省（测试）" for r in fresh)


def test_errors_are_not_cached(client):
    assert client.get("/api/v1/regions", {"parent": "51"}).status_code == 400
    assert client.get("/api/v1/regions", {"parent": "510000"}).status_code == 200


def test_throttle_applies_to_cached_answers(client, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "anon": "2/min"})
    codes = [client.get("/api/v1/regions").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_public_cache_can_be_switched_off(client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUBLIC_API_CACHE = False
    client.get("/api/v1/regions", {"parent": "510000"})
    with CaptureQueriesContext(connection) as second:
        response = client.get("/api/v1/regions", {"parent": "510000"})
    assert response.status_code == 200
    assert len(second.captured_queries) > 0
    assert "public" in response["Cache-Control"]  # browsers and proxies may still keep it
