"""Browser fixtures (a pytest plugin, loaded for every test directory by tests/conftest.py).
Playwright (sync API) drives Debian's Chromium against pytest-django's live_server, on a phone
and on a desktop screen, anonymous or logged in as each kind of user.

- Chromium is /usr/bin/chromium (`make browser` installs it; Playwright's own download does not
  work here). Missing: tests/conftest.py deselects browser tests on a developer's machine and
  stops the run under CI=true.
- live_server runs in this process on a transactional database: create the data a test needs in
  the test (the fixtures below do), it is flushed afterwards.
- Every public page a journey visits must pass axe (tests/browser/axe.py): call
  `assert_accessible(page)` on it. A page visited without that check fails the test at teardown.
- When a test fails, each open page is saved to test-artifacts/ (full-page PNG, its HTML and the
  browser console), named after the test.

Mark modules with `pytestmark = BROWSER` so they run in one xdist group ("browser"): one worker
drives the browser while the other runs the rest of the suite.

Fixtures: new_page(screen, user=...), phone_page, desktop_page, screen (runs a test on both),
public_user / operator_user / county_official / city_official / province_official and their
*_page variants (logged in), chromium_browser.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from tests.browser.axe import checked_paths
from tests.support import accounts

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = int(os.environ.get("BROWSER_TIMEOUT_MS", "10000"))

# The public's default: a mid-range phone in Simplified Chinese (phones send zh-CN, which Django
# maps to zh-hans), and an office desktop.
COMMON = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
SCREENS = {
    "phone": {
        **COMMON,
        "viewport": {"width": 375, "height": 812},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {**COMMON, "viewport": {"width": 1440, "height": 900}},
}

# Pages outside the public site: the back office has its own (unfold) templates and the API has no
# pages; the guard below does not ask journeys to axe-check them.
NOT_PUBLIC = re.compile(r"^/(admin|api|static|media)/")

BROWSER = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

__all__ = [
    "BROWSER",
    "chromium_browser",
    "city_official",
    "city_official_page",
    "county_official",
    "county_official_page",
    "desktop_page",
    "fresh_cache",
    "login",
    "new_page",
    "operator_page",
    "operator_user",
    "phone_page",
    "province_official",
    "province_official_page",
    "public_user",
    "public_user_page",
    "pytest_runtest_makereport",
    "screen",
    "sichuan_regions",
]

_reports = pytest.StashKey[dict]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    item.stash.setdefault(_reports, {})[report.when] = report


def _failed(node) -> bool:
    reports = node.stash.get(_reports, {})
    return any(r.failed for r in reports.values())


@pytest.fixture(scope="module")
def chromium_browser():
    """One headless Chromium per test module (each test gets fresh contexts). Not per session:
    Playwright's sync API allows one running instance per thread, and a module that starts its
    own must not find ours still running."""
    # Machines without Chromium never get here: tests/conftest.py deselects browser tests there
    # (and stops the run under CI).
    # Playwright's sync API keeps an asyncio loop in this thread, and Django refuses ORM calls
    # from a thread with a running loop. The tests are synchronous; the check does not apply.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def fresh_cache():
    # Throttles and rate limits count in the (per-process) cache, which live_server shares with
    # every test of this worker.
    cache.clear()
    yield
    cache.clear()


def _artifact_stem(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[-150:]


@pytest.fixture
def new_page(chromium_browser, live_server, fresh_cache, request) -> Iterator[Callable[..., object]]:
    """new_page(screen="phone"|"desktop", user=None, **context_options) → a Page on live_server.

    With `user`, the browser carries a logged-in session cookie for that user."""
    contexts = []
    pages = []
    console: dict[object, list[str]] = {}

    def make(screen: str = "desktop", *, user=None, **options):
        context = chromium_browser.new_context(base_url=live_server.url, **{**SCREENS[screen], **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            login(context, user, live_server.url)
        page = context.new_page()
        page.screen_name = screen
        lines = console.setdefault(page, [])
        page.on("console", lambda msg: lines.append(f"[{msg.type}] {msg.text}"))
        page.on("pageerror", lambda exc: lines.append(f"[pageerror] {exc}"))
        visited = page.visited_paths = []

        def on_navigated(frame):
            if frame == page.main_frame:
                path = urlsplit(frame.url).path
                if frame.url.startswith(live_server.url) and not NOT_PUBLIC.match(path) and path not in visited:
                    visited.append(path)

        page.on("framenavigated", on_navigated)
        pages.append(page)
        return page

    yield make

    try:
        if _failed(request.node):
            ARTIFACTS.mkdir(exist_ok=True)
            stem = _artifact_stem(request.node.nodeid)
            for n, page in enumerate(pages, 1):
                name = f"{stem}-{n}-{page.screen_name}"
                try:
                    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
                    (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
                except Exception as exc:  # a crashed page must not hide the test's own failure
                    console[page].append(f"[harness] could not save the page: {exc}")
                lines = [f"url: {page.url}", *console[page]]
                (ARTIFACTS / f"{name}.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
                print(f"browser artifacts: {ARTIFACTS / name}.{{png,html,log}}")
        else:
            unchecked = [
                (page.screen_name, path)
                for page in pages
                for path in page.visited_paths
                if path not in checked_paths(page)
            ]
            if unchecked:
                pytest.fail(
                    "public page(s) visited without an accessibility check (call assert_accessible(page) "
                    f"while on them): {unchecked}"
                )
    finally:
        for context in contexts:
            context.close()


def login(context, user, url: str) -> None:
    """Give the browser context a logged-in session for `user` on `url` (what force_login does)."""
    context.add_cookies([{**accounts.session_cookie_for(user), "url": url}])


@pytest.fixture(params=sorted(SCREENS), ids=sorted(SCREENS))
def screen(request) -> str:
    """Runs the test once on the phone and once on the desktop screen."""
    return request.param


@pytest.fixture
def phone_page(new_page):
    return new_page("phone")


@pytest.fixture
def desktop_page(new_page):
    return new_page("desktop")


# --- people --------------------------------------------------------------------------------


# The people below need only `db`; next to live_server (new_page) the test's database becomes
# transactional anyway, so the live server sees them.
@pytest.fixture
def sichuan_regions(db):
    return accounts.ensure_regions()


@pytest.fixture
def public_user(db):
    return accounts.make_public_user(phone="13912345678", display_name="")


@pytest.fixture
def operator_user(sichuan_regions):
    return accounts.make_operator(region_code="510107")


@pytest.fixture
def county_official(sichuan_regions):
    return accounts.make_official(region_code="510107")


@pytest.fixture
def city_official(sichuan_regions):
    return accounts.make_official(region_code="510100")


@pytest.fixture
def province_official(sichuan_regions):
    return accounts.make_official(region_code="510000")


@pytest.fixture
def public_user_page(new_page, public_user):
    return new_page("phone", user=public_user)


@pytest.fixture
def operator_page(new_page, operator_user):
    return new_page("desktop", user=operator_user)


@pytest.fixture
def county_official_page(new_page, county_official):
    return new_page("desktop", user=county_official)


@pytest.fixture
def city_official_page(new_page, city_official):
    return new_page("desktop", user=city_official)


@pytest.fixture
def province_official_page(new_page, province_official):
    return new_page("desktop", user=province_official)
