"""The demo data: the demo user's card topped up through the sandbox flow, coupon batches of the
provincial and Chengdu bureaus (one expired, one draft) and a claimed coupon; the books balance;
a second run adds nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from sportsplatform.coupons.models import BatchStatus, Coupon, CouponBatch
from sportsplatform.ledger.models import Transaction
from sportsplatform.orders.models import Order, OrderKind, OrderStatus

pytestmark = pytest.mark.django_db

# The people and organisations (step 10) and ours; the whole seed_demo is tested elsewhere.
STEPS = ("card", "coupons")


def run_steps() -> None:
    from django.db import transaction

    from sportsplatform.backoffice.demo import SeedContext, seed_steps

    ctx = SeedContext(log=lambda _line: None)
    for step in seed_steps():
        if step.order <= 10 or step.name in STEPS:
            with transaction.atomic():
                step.run(ctx)


def test_seed_demo_gives_the_demo_user_a_card_balance_and_coupons(capsys):
    from sportsplatform.accounts.models import User

    run_steps()
    run_steps()  # idempotent

    user = User.objects.get(username="user")
    assert user.sports_card.account.balance == Decimal("300.00")
    topup = Order.objects.get(user=user, kind=OrderKind.TOPUP)
    assert topup.status == OrderStatus.PAID and topup.payment_method == "sandbox"
    assert Transaction.objects.filter(order=topup).count() == 1
    batches = CouponBatch.objects.filter(issuer__name__in=["四川省体育局", "成都市体育局"])
    assert batches.count() == 4
    assert batches.filter(status=BatchStatus.ISSUED).count() == 3
    assert batches.filter(status=BatchStatus.DRAFT).count() == 1
    assert [b for b in batches if b.status == BatchStatus.ISSUED and b.is_expired()]
    assert Coupon.objects.filter(user=user).count() == 1
    call_command("check_ledger")
    assert "ledger balances" in capsys.readouterr().out
