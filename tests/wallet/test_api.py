"""The card API: my card (before and after opening), opening it, the statement with order numbers
and balances, top-up orders and their errors, and a constant query count for the statement."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sportsplatform.accounts.domain.tokens import issue_token
from sportsplatform.ledger.domain.posting import post, provider_account
from sportsplatform.wallet.domain.cards import open_card
from tests.support.queries import assert_same_query_count

from .helpers import new_user, topped_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return new_user()


@pytest.fixture
def api(client, user):
    _token, key = issue_token(user=user, name="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def test_my_card_before_opening_says_not_opened(api):
    body = api.get("/api/v1/me/card").json()

    assert body == {"number": None, "balance": "0.00", "status": "not_opened", "opened_at": None}


def test_opening_my_card_answers_201_then_200(api, user):
    first = api.post("/api/v1/me/card")
    second = api.post("/api/v1/me/card")

    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["number"] == second.json()["number"] == user.sports_card.number
    assert api.get("/api/v1/me/card").json()["status"] == "active"


def test_topup_answers_the_pending_order(api, user):
    response = api.post("/api/v1/me/card/topups", {"amount": "100"}, content_type="application/json")

    assert response.status_code == 201
    order = response.json()
    assert order["kind"] == "topup" and order["status"] == "pending_payment"
    assert order["amount"] == "100.00" and order["venue"] is None
    assert api.get(f"/api/v1/orders/{order['id']}").status_code == 200


@pytest.mark.parametrize("amount", ["0", "10000", "abc", "1.234"])
def test_topup_with_a_bad_amount_is_a_400_with_the_field(api, amount):
    response = api.post("/api/v1/me/card/topups", {"amount": amount}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "amount" in response.json()["error"]["fields"]


def test_topup_on_a_frozen_card_is_a_409(api, user):
    from sportsplatform.wallet.domain.cards import freeze_card

    freeze_card(card=open_card(user=user, actor=user), actor=None, reason="挂失")

    response = api.post("/api/v1/me/card/topups", {"amount": "100"}, content_type="application/json")

    assert response.status_code == 409 and response.json()["error"]["code"] == "card_frozen"


def test_card_needs_a_login(client):
    assert client.get("/api/v1/me/card").status_code == 401
    assert client.post("/api/v1/me/card/topups", {"amount": "100"}).status_code == 401


def test_statement_lists_movements_with_order_and_balance(api, user, django_capture_on_commit_callbacks):
    order = topped_up(user, "120", django_capture_on_commit_callbacks)

    body = api.get("/api/v1/me/card/entries").json()

    assert body["count"] == 1
    entry = body["results"][0]
    assert entry["amount"] == "120.00" and entry["balance_after"] == "120.00"
    assert entry["order_number"] == order.number and entry["order_kind"] == "topup"
    assert entry["kind"] == "payment.captured"
    assert api.get("/api/v1/me/card").json()["balance"] == "120.00"


def test_statement_query_count_is_constant(api, user):
    card = open_card(user=user, actor=user)
    sandbox = provider_account("sandbox")

    def make_rows(n):
        for _ in range(n):
            reference = f"test:{card.account.entries.count()}"
            post(kind="card.topup", reference=reference, lines=[(sandbox, Decimal("-1")), (card.account, Decimal("1"))])

    assert_same_query_count(api, "/api/v1/me/card/entries", make_rows)
