"""Daily reconciliation: our succeeded payments and refunds against the provider's statement, with
planted mismatches of every kind; the command and the WeChat trade bill."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sportsplatform.orders.domain.cancel import cancel_order
from sportsplatform.payments.domain.reconcile import reconcile_day
from sportsplatform.payments.models import (
    Payment,
    ReconciliationReport,
    ReconciliationStatus,
    Refund,
    SandboxRefund,
    SandboxTrade,
)

from .helpers import booking_order, pay_with_sandbox
from .test_wechat import post_callback, start_native

pytestmark = pytest.mark.django_db


def test_matching_day_reconciles(django_capture_on_commit_callbacks):
    first, second = booking_order(), booking_order(slots=2)
    pay_with_sandbox(first, django_capture_on_commit_callbacks)
    pay_with_sandbox(second, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=second, actor=second.user, reason="rain", full_refund=True)

    (report,) = reconcile_day(day=timezone.localdate(), provider_code="sandbox")

    assert report.status == ReconciliationStatus.MATCHED
    assert (report.payments_count, report.payments_total) == (2, Decimal("120.00"))
    assert (report.refunds_count, report.refunds_total) == (1, Decimal("80.00"))
    assert (report.provider_payments_total, report.provider_refunds_total) == (Decimal("120.00"), Decimal("80.00"))
    assert report.mismatches == []


def test_reconciliation_finds_every_kind_of_planted_mismatch(django_capture_on_commit_callbacks):
    orders = [booking_order() for _ in range(3)]
    for order in orders:
        pay_with_sandbox(order, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=orders[2], actor=orders[2].user, reason="rain", full_refund=True)
    paid = [o.payments.get() for o in orders]
    # 1. the gateway's books say another amount; 2. a trade we never recorded as paid;
    # 3. a refund the gateway has no record of.
    SandboxTrade.objects.filter(out_trade_no=paid[0].out_trade_no).update(amount=Decimal("39.50"))
    Payment.objects.filter(pk=paid[1].pk).update(status="pending", succeeded_at=None)
    SandboxRefund.objects.all().delete()
    refund = Refund.objects.get()

    (report,) = reconcile_day(day=timezone.localdate(), provider_code="sandbox")

    assert report.status == ReconciliationStatus.MISMATCHED
    found = {(m["kind"], m["problem"], m.get("out_refund_no") or m["out_trade_no"]) for m in report.mismatches}
    assert found == {
        ("payment", "amount_differs", paid[0].out_trade_no),
        ("payment", "missing_here", paid[1].out_trade_no),
        ("refund", "missing_at_provider", refund.out_refund_no),
    }
    differs = next(m for m in report.mismatches if m["problem"] == "amount_differs")
    assert (differs["ours"], differs["theirs"]) == ("40.00", "39.50")


def test_running_a_day_again_replaces_its_report(django_capture_on_commit_callbacks):
    pay_with_sandbox(booking_order(), django_capture_on_commit_callbacks)
    day = timezone.localdate()

    reconcile_day(day=day, provider_code="sandbox")
    reconcile_day(day=day, provider_code="sandbox")

    assert ReconciliationReport.objects.filter(day=day, provider="sandbox").count() == 1


def test_reconciliation_skips_the_card():
    reports = reconcile_day(day=timezone.localdate() - timedelta(days=1))

    assert [r.provider for r in reports] == ["sandbox"]


def test_command_reports_and_fails_on_mismatch(django_capture_on_commit_callbacks, capsys):
    order = booking_order()
    payment = pay_with_sandbox(order, django_capture_on_commit_callbacks)
    today = timezone.localdate().isoformat()

    call_command("reconcile_payments", "--date", today, "--provider", "sandbox")
    assert "sandbox" in capsys.readouterr().out

    SandboxTrade.objects.filter(out_trade_no=payment.out_trade_no).update(amount=Decimal("1.00"))
    with pytest.raises(CommandError):
        call_command("reconcile_payments", "--date", today)
    assert "amount_differs" in capsys.readouterr().err

    with pytest.raises(CommandError):
        call_command("reconcile_payments", "--date", "yesterday")


def test_wechat_trade_bill_is_downloaded_and_compared(wechat, django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_native(order)
    wechat.pay(payment.out_trade_no)
    with django_capture_on_commit_callbacks(execute=True):
        post_callback(*wechat.payment_callback(payment.out_trade_no))
    payment.refresh_from_db()
    at, number = payment.succeeded_at, payment.out_trade_no
    wechat.bill_day_rows = [
        wechat.bill_row(kind="payment", out_trade_no=number, amount=Decimal("40.00"), at=at),
        wechat.bill_row(kind="refund", out_trade_no=number, amount=Decimal("5.00"), at=at, out_refund_no="NOT-OURS"),
    ]

    (report,) = reconcile_day(day=timezone.localdate(), provider_code="wechat")

    assert report.provider_payments_total == Decimal("40.00")
    assert report.mismatches == [
        {
            "kind": "refund",
            "problem": "missing_here",
            "out_refund_no": "NOT-OURS",
            "out_trade_no": payment.out_trade_no,
            "ours": None,
            "theirs": "5.00",
        }
    ]


def test_statement_not_available_is_reported_as_failed(wechat, settings):
    settings.WECHATPAY_API_BASE = "http://127.0.0.1:9"

    (report,) = reconcile_day(day=timezone.localdate(), provider_code="wechat")

    assert report.status == ReconciliationStatus.FAILED
    assert report.error
