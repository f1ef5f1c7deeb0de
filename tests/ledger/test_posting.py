"""The ledger: a posting is balanced, idempotent by reference, a card never goes below zero, and
`manage.py check_ledger` proves the books (and fails loudly when they do not balance)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from sportsplatform.core.errors import ValidationFailed
from sportsplatform.ledger.domain.posting import (
    InsufficientFunds,
    card_account,
    platform_account,
    post,
    provider_account,
)
from sportsplatform.ledger.models import Entry, LedgerAccount, Transaction
from sportsplatform.ledger.queries import ledger_problems
from tests.support.accounts import make_public_user

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def holder():
    return make_public_user(phone="13700000001")


def test_post_writes_balanced_entries_and_updates_balances(holder):
    card, sandbox = card_account(holder), provider_account("sandbox")

    txn = post(kind="card.topup", reference="t:1", lines=[(sandbox, D("-100")), (card, D("100"))])

    card.refresh_from_db()
    sandbox.refresh_from_db()
    assert card.balance == D("100.00") and sandbox.balance == D("-100.00")
    assert sum(e.amount for e in txn.entries.all()) == 0
    assert {e.account.key: e.balance_after for e in txn.entries.all()} == {
        card.key: D("100.00"),
        sandbox.key: D("-100.00"),
    }
    assert ledger_problems() == []


def test_post_same_reference_twice_posts_once(holder):
    card, sandbox = card_account(holder), provider_account("sandbox")

    first = post(kind="card.topup", reference="t:2", lines=[(sandbox, D("-50")), (card, D("50"))])
    second = post(kind="card.topup", reference="t:2", lines=[(sandbox, D("-50")), (card, D("50"))])

    assert first.pk == second.pk
    card.refresh_from_db()
    assert card.balance == D("50.00")
    assert Transaction.objects.filter(reference="t:2").count() == 1


@pytest.mark.parametrize(
    "lines",
    [[("a", "10"), ("b", "-9.99")], [("a", "10")], []],
    ids=["unbalanced", "one line", "empty"],
)
def test_post_refuses_a_transaction_that_does_not_sum_to_zero(lines):
    accounts = {"a": platform_account(), "b": provider_account("sandbox")}

    with pytest.raises(ValidationFailed):
        post(kind="x", reference="bad", lines=[(accounts[k], D(v)) for k, v in lines])

    assert not Transaction.objects.exists()


def test_card_payment_beyond_the_balance_is_refused_and_writes_nothing(holder):
    card, sandbox = card_account(holder), provider_account("sandbox")
    post(kind="card.topup", reference="t:3", lines=[(sandbox, D("-30")), (card, D("30"))])

    with pytest.raises(InsufficientFunds):
        post(kind="payment.captured", reference="p:1", lines=[(card, D("-30.01")), (platform_account(), D("30.01"))])

    card.refresh_from_db()
    assert card.balance == D("30.00")
    assert not Transaction.objects.filter(reference="p:1").exists()
    assert Entry.objects.filter(account=card).count() == 1


def test_database_refuses_a_negative_card_balance_even_bypassing_post(holder):
    card = card_account(holder)

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=card.pk).update(balance=D("-0.01"))


def test_database_refuses_a_card_account_allowed_to_go_negative(holder):
    card = card_account(holder)

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=card.pk).update(allow_negative=True)


def test_check_ledger_passes_on_balanced_books(holder, capsys):
    card, sandbox = card_account(holder), provider_account("sandbox")
    post(kind="card.topup", reference="t:4", lines=[(sandbox, D("-20")), (card, D("20"))])

    call_command("check_ledger")

    assert "ledger balances: 1 transactions, 2 entries" in capsys.readouterr().out


def test_check_ledger_fails_when_a_balance_disagrees_with_its_entries(holder, capsys):
    card, sandbox = card_account(holder), provider_account("sandbox")
    post(kind="card.topup", reference="t:5", lines=[(sandbox, D("-20")), (card, D("20"))])
    LedgerAccount.objects.filter(pk=card.pk).update(balance=D("25.00"))  # tampered

    with pytest.raises(CommandError):
        call_command("check_ledger")

    assert f"balance_mismatch: {card.key}" in capsys.readouterr().err


def test_check_ledger_fails_on_an_unbalanced_transaction(holder, capsys):
    card, sandbox = card_account(holder), provider_account("sandbox")
    txn = post(kind="card.topup", reference="t:6", lines=[(sandbox, D("-20")), (card, D("20"))])
    Entry.objects.filter(transaction=txn, account=sandbox).update(amount=D("-19.00"))  # tampered

    with pytest.raises(CommandError):
        call_command("check_ledger")

    err = capsys.readouterr().err
    assert "unbalanced_transaction: t:6" in err


def test_post_drops_lines_that_round_to_zero(holder):
    card, sandbox = card_account(holder), provider_account("sandbox")

    txn = post(
        kind="card.topup",
        reference="t:7",
        lines=[(sandbox, D("-10")), (card, D("10")), (platform_account(), D("0.004")), (sandbox, D("-0.004"))],
    )

    assert txn.entries.count() == 2
