"""The API docs work in a closed network (API.md): rendered in Chromium with every host other
than our own server unreachable, they show the operations and ask nothing of other hosts."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.support.browser import BROWSER

pytestmark = BROWSER


def test_swagger_docs_render_without_any_other_host(new_page, transactional_db, live_server):
    page = new_page("desktop")
    own_host = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []

    def only_our_server(route):
        if urlsplit(route.request.url).netloc == own_host or route.request.url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_our_server)

    page.goto("/api/docs/")

    expect(page.locator(".swagger-ui .opblock-summary-path").filter(has_text="/api/v1/regions").first).to_be_visible()
    assert elsewhere == [], f"/api/docs/ tried to load from other hosts: {elsewhere}"
