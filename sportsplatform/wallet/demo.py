"""seed_demo step 55 (card): the demo user's sports card with a realistic balance, topped up through
the real flow — a top-up order paid with the sandbox provider and captured by
payments.domain.capture — so the ledger holds exactly what production would. Idempotent."""

from __future__ import annotations

from decimal import Decimal

DEMO_TOPUP = Decimal("300.00")


def seed_card(ctx) -> None:
    from sportsplatform.ledger.models import Entry

    from .domain.cards import open_card
    from .domain.topup import create_topup_order

    user = ctx.user("user")
    card = open_card(user=user, actor=user)
    if Entry.objects.filter(account=card.account).exists():
        ctx.log(f"    card {card.number} already topped up")
        return
    order = create_topup_order(user=user, amount=DEMO_TOPUP, actor=user)
    pay_with_sandbox(order=order, actor=user)
    card.account.refresh_from_db()
    ctx.log(f"    card {card.number}: balance {card.account.balance} yuan")


def pay_with_sandbox(*, order, actor) -> None:
    """Pay `order` as the sandbox gateway would: start the payment, then the gateway's success
    (what its signed callback leads to) captures it."""
    from sportsplatform.payments.domain.capture import capture_payment
    from sportsplatform.payments.domain.pay import start_payment

    payment = start_payment(order=order, method="sandbox", actor=actor, request_info={"ip": "127.0.0.1"})
    capture_payment(
        payment=payment, provider_transaction_id=f"sandbox-demo-{payment.out_trade_no}", amount=payment.amount
    )
