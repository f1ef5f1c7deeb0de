"""Sports cards: opened once per person with a checked number, the balance is the ledger account,
freezing stops paying and topping up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sportsplatform.core.errors import IllegalTransition
from sportsplatform.ledger.domain.posting import card_account
from sportsplatform.wallet.domain.cards import (
    CardFrozen,
    freeze_card,
    is_valid_card_number,
    open_card,
    unfreeze_card,
)
from sportsplatform.wallet.domain.topup import create_topup_order
from sportsplatform.wallet.models import CardStatus, SportsCard

from .helpers import new_user

pytestmark = pytest.mark.django_db


def test_open_card_gives_a_luhn_checked_number_and_the_card_ledger_account():
    user = new_user()

    card = open_card(user=user, actor=user)

    assert is_valid_card_number(card.number) and card.number.startswith("8651")
    assert card.account == card_account(user) and card.account.key == f"card:{user.pk}"
    assert card.balance == Decimal("0.00") and card.status == CardStatus.ACTIVE


def test_open_card_twice_returns_the_same_card():
    user = new_user()

    assert open_card(user=user, actor=user).pk == open_card(user=user, actor=user).pk
    assert SportsCard.objects.filter(user=user).count() == 1


def test_card_number_check_digit_catches_a_typo():
    card = open_card(user=(user := new_user()), actor=user)
    wrong = card.number[:5] + str((int(card.number[5]) + 1) % 10) + card.number[6:]

    assert not is_valid_card_number(wrong)


def test_frozen_card_cannot_be_topped_up_and_unfreezing_restores_it():
    user = new_user()
    card = open_card(user=user, actor=user)

    freeze_card(card=card, actor=None, reason="挂失")
    with pytest.raises(CardFrozen):
        create_topup_order(user=user, amount="100", actor=user)
    unfreeze_card(card=card, actor=None)

    assert create_topup_order(user=user, amount="100", actor=user).amount == Decimal("100.00")


def test_freezing_a_frozen_card_is_an_illegal_transition():
    user = new_user()
    card = open_card(user=user, actor=user)
    freeze_card(card=card, actor=None, reason="挂失")

    with pytest.raises(IllegalTransition):
        freeze_card(card=card, actor=None, reason="again")
