"""Unknown URLs and crashes: JSON in the API's error shape under /api/, site pages elsewhere."""

import pytest
from django.test import Client
from django.urls import path

from sportsplatform.core import error_views


def boom(request):
    raise RuntimeError("deliberate")


urlpatterns = [path("api/v1/boom", boom), path("boom", boom)]
# Django takes the error handlers from the active URLconf: this module's, in the crash tests.
from config.urls import handler404, handler500  # noqa: E402,F401


def test_unknown_api_url_is_json_404(client, db):
    response = client.get("/api/v1/no-such-endpoint/42")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_page_is_the_sites_404_page_in_chinese(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "返回首页" in body


def test_unknown_page_in_english_after_switching(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Page not found" in client.get("/no-such-page/").content.decode()


@pytest.mark.urls("tests.core.test_error_pages")
def test_api_crash_is_json_500_without_details(settings, db):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "server_error"
    assert "deliberate" not in response.content.decode()


@pytest.mark.urls("tests.core.test_error_pages")
def test_page_crash_renders_the_static_500_page(settings, db):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "服务暂时不可用" in response.content.decode()


def test_handlers_are_installed():
    from config import urls

    assert urls.handler404 == "sportsplatform.core.error_views.page_not_found"
    assert urls.handler500 == "sportsplatform.core.error_views.server_error"
    assert error_views.server_error
