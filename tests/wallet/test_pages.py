"""The card page (/card/): log in first; balance, number and statement; open the card; top up
(a preset or another amount) and go on to pay; bad amounts answered on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sportsplatform.orders.models import Order, OrderKind
from sportsplatform.wallet.models import SportsCard
from tests.support.queries import assert_same_query_count

from .helpers import new_user, topped_up

pytestmark = pytest.mark.django_db
URL = "/card/"


@pytest.fixture
def user():
    return new_user()


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def test_card_urls_are_named():
    assert reverse("card:index") == URL
    assert reverse("card:topup") == "/card/topup/"


def test_card_page_needs_a_login(client):
    response = client.get(URL)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_card_page_before_opening_offers_to_open_it(logged_in, user):
    body = logged_in.get(URL).content.decode()

    assert "开通一卡通" in body and "0.00" in body

    logged_in.post("/card/open/")
    assert SportsCard.objects.filter(user=user).exists()


def test_card_page_shows_balance_number_and_statement(logged_in, user, django_capture_on_commit_callbacks):
    order = topped_up(user, "250", django_capture_on_commit_callbacks)

    body = logged_in.get(URL).content.decode()

    number = user.sports_card.number
    assert " ".join(number[i : i + 4] for i in range(0, 16, 4)) in body
    assert "250.00" in body and order.number in body and "充值" in body


def test_topup_preset_creates_the_order_and_sends_the_user_to_pay(logged_in, user):
    response = logged_in.post("/card/topup/", {"preset": "100", "amount": ""})

    order = Order.objects.get(user=user)
    assert order.kind == OrderKind.TOPUP and order.amount == 100
    assert response.status_code == 302
    # The checkout's pay page when the orders app has one, else the sandbox cashier.
    location = response["Location"]
    assert location.startswith((f"/orders/{order.pk}/", "/payments/sandbox/"))


def test_topup_other_amount(logged_in, user):
    logged_in.post("/card/topup/", {"amount": "66.60"})

    assert str(Order.objects.get(user=user).amount) == "66.60"


@pytest.mark.parametrize("amount", ["", "0.5", "9999", "十元"])
def test_topup_with_a_bad_amount_shows_the_error_and_creates_nothing(logged_in, user, amount):
    response = logged_in.post("/card/topup/", {"amount": amount})

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Order.objects.filter(user=user).exists()


def test_statement_query_count_is_constant(logged_in, user):
    from decimal import Decimal

    from sportsplatform.ledger.domain.posting import post, provider_account
    from sportsplatform.wallet.domain.cards import open_card

    card = open_card(user=user, actor=user)
    sandbox = provider_account("sandbox")

    def make_rows(n):
        for _ in range(n):
            reference = f"test:{card.account.entries.count()}"
            post(kind="card.topup", reference=reference, lines=[(sandbox, Decimal("-1")), (card.account, Decimal("1"))])

    assert_same_query_count(logged_in, URL, make_rows)
