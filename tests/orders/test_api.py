"""The orders API of API.md: one order (owner only), pay, cancel, my orders."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from sportsplatform.accounts.domain.tokens import issue_token
from sportsplatform.booking.models import Slot
from sportsplatform.ledger.domain.posting import card_account
from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments.models import SandboxTrade, SandboxTradeState
from sportsplatform.wallet.domain.topup import create_topup_order
from tests.payments.helpers import booking_order, new_buyer, overdue, pay_with_sandbox
from tests.support.queries import assert_same_query_count

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    _token, key = issue_token(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_order_detail_for_its_owner():
    order = booking_order(slots=2)

    body = api(order.user).get(f"/api/v1/orders/{order.pk}").json()

    assert body["id"] == order.pk
    assert body["number"] == order.number
    assert body["status"] == "pending_payment"
    assert body["kind"] == "booking"
    assert (body["amount"], body["subtotal"], body["discount"], body["refunded_amount"]) == (
        "80.00",
        "80.00",
        "0.00",
        "0.00",
    )
    assert body["expires_at"].endswith("+08:00")
    assert body["paid_at"] is None
    assert body["venue"] == {"id": order.venue_id, "name": order.venue.name}
    assert [line["amount"] for line in body["lines"]] == ["40.00", "40.00"]
    assert body["ticket"] is None and body["refund_preview"] is None
    assert body["payment_method"] == ""


def test_someone_elses_order_is_404_like_a_missing_one():
    order = booking_order()
    stranger = api(new_buyer())

    theirs = stranger.get(f"/api/v1/orders/{order.pk}")
    missing = stranger.get("/api/v1/orders/999999")
    malformed = stranger.get("/api/v1/orders/abc")

    assert theirs.status_code == missing.status_code == malformed.status_code == 404
    assert theirs.json() == missing.json()
    assert stranger.post(f"/api/v1/orders/{order.pk}/cancel").status_code == 404
    assert stranger.post(f"/api/v1/orders/{order.pk}/pay", {"method": "sandbox"}).status_code == 404


def test_orders_need_a_login():
    order = booking_order()

    assert Client().get(f"/api/v1/orders/{order.pk}").status_code == 401
    assert Client().get("/api/v1/me/orders").status_code == 401


def test_pay_with_sandbox_gives_the_pay_url_and_paying_it_pays(django_capture_on_commit_callbacks):
    order = booking_order()
    client = api(order.user)

    answer = client.post(f"/api/v1/orders/{order.pk}/pay", {"method": "sandbox"}, content_type="application/json")

    body = answer.json()
    assert answer.status_code == 200
    assert body["status"] == "pending"
    assert body["params"]["pay_url"].startswith("http://testserver/payments/sandbox/")
    assert body["payment"]["method"] == "sandbox" and body["payment"]["amount"] == "40.00"
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(body["params"]["pay_url"])
    paid = client.get(f"/api/v1/orders/{order.pk}").json()
    assert paid["status"] == "paid"
    assert paid["payment_method"] == "sandbox"
    assert paid["ticket"]["code"] and paid["ticket"]["qr"]
    assert paid["refund_preview"] == {"amount": "40.00", "percent": 100, "rule": paid["refund_preview"]["rule"]}


def test_pay_with_a_method_that_is_not_enabled_is_400():
    order = booking_order()

    answer = api(order.user).post(
        f"/api/v1/orders/{order.pk}/pay", {"method": "alipay"}, content_type="application/json"
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "payment_method_unavailable"
    assert "method" in answer.json()["error"]["fields"]


def test_pay_an_unknown_method_is_400():
    order = booking_order()

    answer = api(order.user).post(f"/api/v1/orders/{order.pk}/pay", {"method": "cash"}, content_type="application/json")

    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["method"]


def test_wechat_jsapi_without_openid_is_400(wechat):
    order = booking_order()

    answer = api(order.user).post(
        f"/api/v1/orders/{order.pk}/pay", {"method": "wechat", "channel": "jsapi"}, content_type="application/json"
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "openid_required"


def test_wechat_native_gives_the_code_url(wechat):
    order = booking_order()

    answer = api(order.user).post(
        f"/api/v1/orders/{order.pk}/pay", {"method": "wechat"}, content_type="application/json"
    )

    assert answer.status_code == 200
    assert answer.json()["payment"]["channel"] == "native"
    assert answer.json()["params"]["code_url"].startswith("weixin://")


def test_paying_a_paid_order_is_an_illegal_transition(django_capture_on_commit_callbacks):
    order = booking_order()
    pay_with_sandbox(order, django_capture_on_commit_callbacks)

    answer = api(order.user).post(
        f"/api/v1/orders/{order.pk}/pay", {"method": "sandbox"}, content_type="application/json"
    )

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "illegal_transition"


def test_paying_an_overdue_order_is_refused():
    order = overdue(booking_order())

    answer = api(order.user).post(
        f"/api/v1/orders/{order.pk}/pay", {"method": "sandbox"}, content_type="application/json"
    )

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "order_expired"


def _topped_up(user, amount, django_capture_on_commit_callbacks):
    topup = create_topup_order(user=user, amount=amount, actor=user)
    pay_with_sandbox(topup, django_capture_on_commit_callbacks)
    assert card_account(user).balance == Decimal(amount)


def test_card_pays_at_once_and_a_cancel_refunds_to_the_card(django_capture_on_commit_callbacks):
    buyer = new_buyer()
    _topped_up(buyer, "100.00", django_capture_on_commit_callbacks)
    order = booking_order(user=buyer)
    client = api(buyer)

    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(f"/api/v1/orders/{order.pk}/pay", {"method": "card"}, content_type="application/json")

    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid"
    assert paid.json()["order"]["status"] == "paid"
    assert card_account(buyer).balance == Decimal("60.00")

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(f"/api/v1/orders/{order.pk}/cancel", {}, content_type="application/json")

    assert cancelled.json()["status"] == "refunded"
    # The refund is asked for once the cancel commits (the test's transaction: when the block ends).
    assert client.get(f"/api/v1/orders/{order.pk}").json()["refunds"][0]["status"] == "succeeded"
    assert card_account(buyer).balance == Decimal("100.00")


def test_card_without_enough_money_is_409_and_nothing_is_paid(django_capture_on_commit_callbacks):
    buyer = new_buyer()
    _topped_up(buyer, "10.00", django_capture_on_commit_callbacks)
    order = booking_order(user=buyer)

    answer = api(buyer).post(f"/api/v1/orders/{order.pk}/pay", {"method": "card"}, content_type="application/json")

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "insufficient_funds"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert card_account(buyer).balance == Decimal("10.00")


def test_cancel_an_unpaid_order_closes_the_payment_and_frees_the_slot(django_capture_on_commit_callbacks):
    order = booking_order()
    client = api(order.user)
    client.post(f"/api/v1/orders/{order.pk}/pay", {"method": "sandbox"}, content_type="application/json")

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/api/v1/orders/{order.pk}/cancel", {"reason": "wrong day"}, content_type="application/json"
        )

    assert answer.status_code == 200
    assert answer.json()["status"] == "cancelled"
    assert SandboxTrade.objects.get().state == SandboxTradeState.CLOSED
    assert Slot.objects.get(items__order=order).taken == 0


def test_cancel_a_paid_order_refunds_per_policy(django_capture_on_commit_callbacks):
    order = booking_order(slots=2)
    pay_with_sandbox(order, django_capture_on_commit_callbacks)

    client = api(order.user)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/api/v1/orders/{order.pk}/cancel", {}, content_type="application/json")

    assert answer.json()["status"] == "refunded"
    body = client.get(f"/api/v1/orders/{order.pk}").json()
    assert body["refunded_amount"] == "80.00"
    assert [(r["amount"], r["status"]) for r in body["refunds"]] == [("80.00", "succeeded")]
    assert body["ticket"]["revoked_at"] is not None


def test_cancel_twice_is_an_illegal_transition(django_capture_on_commit_callbacks):
    order = booking_order()
    client = api(order.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/orders/{order.pk}/cancel", {}, content_type="application/json")

    again = client.post(f"/api/v1/orders/{order.pk}/cancel", {}, content_type="application/json")

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "illegal_transition"


def test_my_orders_filtered_by_status(django_capture_on_commit_callbacks):
    buyer = new_buyer()
    unpaid = booking_order(user=buyer)
    paid = booking_order(user=buyer)
    pay_with_sandbox(paid, django_capture_on_commit_callbacks)
    booking_order()  # someone else's
    client = api(buyer)

    everything = client.get("/api/v1/me/orders").json()
    only_paid = client.get("/api/v1/me/orders?status=paid").json()
    bad = client.get("/api/v1/me/orders?status=lost")

    assert [o["id"] for o in everything["results"]] == [paid.pk, unpaid.pk]
    assert everything["count"] == 2
    assert [o["id"] for o in only_paid["results"]] == [paid.pk]
    assert only_paid["results"][0]["ticket"]["code"]
    assert bad.status_code == 400


def test_my_orders_has_no_n_plus_one(client, django_capture_on_commit_callbacks):
    buyer = new_buyer()
    _token, key = issue_token(user=buyer, name="budget")

    def make_orders(n):
        for _ in range(n):
            order = booking_order(user=buyer)
            pay_with_sandbox(order, django_capture_on_commit_callbacks)

    assert_same_query_count(client, "/api/v1/me/orders", make_orders, headers={"Authorization": f"Bearer {key}"})
