import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_turning_large_text_on_sets_a_cookie_and_goes_back(client):
    response = client.post("/large-text/", {"large_text": "1", "next": "/?page=2"})

    assert response.status_code == 302
    assert response["Location"] == "/?page=2"
    cookie = response.cookies["large_text"]
    assert cookie.value == "1"
    assert cookie["max-age"] >= 60 * 60 * 24 * 300
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]


def test_next_page_is_drawn_large_from_the_server(client):
    client.post("/large-text/", {"large_text": "1", "next": "/"})

    html = client.get("/").content.decode()

    assert '<html lang="zh-hans" class="large-text">' in html
    assert 'aria-pressed="true"' in html
    assert 'name="large_text" value="0"' in html  # the toggle now turns it off


def test_page_without_the_cookie_is_drawn_normal(client):
    html = client.get("/").content.decode()

    assert "large-text" in html  # the toggle's form class
    assert '<html lang="zh-hans">' in html
    assert 'name="large_text" value="1"' in html


def test_turning_large_text_off_deletes_the_cookie(client):
    client.post("/large-text/", {"large_text": "1", "next": "/"})

    response = client.post("/large-text/", {"large_text": "0", "next": "/"})

    assert response.cookies["large_text"].value == ""
    assert response.cookies["large_text"]["max-age"] == 0
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/", "javascript:alert(1)", ""],
)
def test_unsafe_or_missing_next_goes_home(client, next_url):
    response = client.post("/large-text/", {"large_text": "1", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_large_text_only_accepts_post(client):
    assert client.get("/large-text/?large_text=1").status_code == 405


def test_toggle_works_as_a_plain_form_with_csrf():
    browser = Client(enforce_csrf_checks=True)
    html = browser.get("/").content.decode()
    form = re.search(r'<form class="large-text-toggle".*?</form>', html, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))

    response = browser.post("/large-text/", fields)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["large_text"].value == "1"
