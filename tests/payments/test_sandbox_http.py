"""With PAYMENT_NOTIFY_BASE_URL set, the sandbox gateway delivers its signed callbacks over HTTP to
the notify endpoint, as WeChat would; a receiver that cannot be reached leaves the order unpaid
until the query job asks the gateway."""

from __future__ import annotations

import pytest
from django.test import Client

from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments.domain.sync import query_pending_payments
from sportsplatform.payments.models import NotificationOutcome, ProviderNotification, SandboxTrade
from sportsplatform.venues.models import Sport
from tests.support.accounts import ensure_regions

from .helpers import booking_order, start_sandbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    ensure_regions()
    Sport.objects.get_or_create(code="badminton", defaults={"name": "羽毛球", "name_en": "Badminton", "order": 0})


def test_callback_is_posted_over_http_to_the_notify_url(world, live_server, settings):
    settings.PAYMENT_NOTIFY_BASE_URL = live_server.url
    order = booking_order()
    payment = start_sandbox(order)
    assert SandboxTrade.objects.get().notify_url == f"{live_server.url}/api/v1/payments/notify/sandbox"

    Client().post(payment.params["pay_url"])

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.APPLIED


def test_unreachable_receiver_is_caught_up_by_the_query(world, settings):
    settings.PAYMENT_NOTIFY_BASE_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.PAYMENT_QUERY_AFTER_SECONDS = 0
    order = booking_order()
    payment = start_sandbox(order)

    Client().post(payment.params["pay_url"])
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT

    query_pending_payments()

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert not ProviderNotification.objects.exists()
