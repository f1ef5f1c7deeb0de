import pytest
from django.core.cache import cache

from sportsplatform.accounts.sms import console


@pytest.fixture(autouse=True)
def _clean_slate():
    """DRF throttles live in the cache and the console SMS outbox in memory: both would
    otherwise carry over from test to test."""
    cache.clear()
    console.outbox.clear()
    yield
    cache.clear()
    console.outbox.clear()


@pytest.fixture
def outbox():
    return console.outbox


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def send_code(django_capture_on_commit_callbacks):
    """send_login_code as a request would run it: the SMS goes out when the transaction
    commits. Returns the code the console backend "sent"."""
    from sportsplatform.accounts.domain.sms import send_login_code

    def send(phone, ip="10.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            send_login_code(phone=phone, ip=ip)
        return console.outbox[-1].code

    return send


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (SMS delivery) of what happens inside the block."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
