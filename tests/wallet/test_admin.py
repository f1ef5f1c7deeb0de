"""Sports cards and the ledger in the back office: platform admins only, read-only ledger, freezing
and unfreezing cards through the domain."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

import pytest

from sportsplatform.wallet.models import CardStatus
from tests.backoffice.conftest import as_user, world  # noqa: F401  (fixtures)
from tests.support.queries import assert_same_query_count

from .helpers import new_user, topped_up

CARDS = "/admin/wallet/sportscard/"


@pytest.fixture
def card(world, django_capture_on_commit_callbacks):
    user = new_user()
    topped_up(user, "100", django_capture_on_commit_callbacks)
    return user.sports_card


def test_platform_admin_sees_cards_with_their_ledger_balance(world, as_user, card):
    body = as_user(world.users["admin"]).get(CARDS).content.decode()

    assert card.number in body and "100.00" in body


@pytest.mark.parametrize("who", ["sichuan", "chengdu", "wuhou_operator"])
def test_bureaus_and_operators_do_not_see_cards_or_the_ledger(world, as_user, card, who):
    client = as_user(world.users[who])

    for url in (CARDS, "/admin/ledger/transaction/", "/admin/ledger/entry/"):
        response = client.get(url)
        assert response.status_code == 403 or card.number not in response.content.decode()


def test_freeze_and_unfreeze_actions(world, as_user, card):
    client = as_user(world.users["admin"])

    client.post(CARDS, {"action": "freeze_selected", "_selected_action": [card.pk]})
    card.refresh_from_db()
    assert card.status == CardStatus.FROZEN

    client.post(CARDS, {"action": "unfreeze_selected", "_selected_action": [card.pk]})
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_ledger_pages_are_read_only_and_show_the_movements(world, as_user, card):
    client = as_user(world.users["admin"])
    key = card.account.key

    entries = client.get(f"/admin/ledger/entry/?q={key}").content.decode()
    account = client.get(f"/admin/ledger/ledgeraccount/{card.account.pk}/change/")

    assert key in entries and "100.00" in entries
    assert account.status_code == 200
    assert client.get("/admin/ledger/transaction/add/").status_code == 403


def test_card_list_query_count_is_constant(world, as_user):
    from sportsplatform.wallet.domain.cards import open_card

    def make_rows(n):
        for _ in range(n):
            user = new_user()
            open_card(user=user, actor=user)

    assert_same_query_count(as_user(world.users["admin"]), CARDS, make_rows)
