"""Orders and payments in the back office: scoped lists, refund and cancel actions on an order,
retrying a failed refund, the finance export (Excel) and reconciliation reports."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments.domain.refunds import refund_order
from sportsplatform.payments.models import Payment, ReconciliationReport, Refund, RefundStatus, SandboxTrade
from tests.backoffice.conftest import as_user, world  # noqa: F401  (fixtures)
from tests.booking.factories import make_bookable_venue
from tests.support.queries import assert_same_query_count

from .helpers import booking_order, pay_with_sandbox

ORDERS = "/admin/orders/order/"
RUN = "/admin/payments/reconciliationreport/run/"


@pytest.fixture
def two_venues(world):
    _wuhou, wuhou_slots = make_bookable_venue(name="武侯馆", operator=world.orgs["op_wuhou"], slots_per_court=6)
    _jinjiang, jinjiang_slots = make_bookable_venue(
        name="锦江馆", region="510104", lat="30.62", lng="104.10", operator=world.orgs["op_jinjiang"]
    )
    return wuhou_slots, jinjiang_slots


@pytest.fixture
def paid_orders(world, two_venues, django_capture_on_commit_callbacks):
    wuhou_slots, jinjiang_slots = two_venues
    wuhou = booking_order(user=world.users["public"], venue_slots=wuhou_slots)
    jinjiang = booking_order(user=world.users["public"], venue_slots=jinjiang_slots)
    pay_with_sandbox(wuhou, django_capture_on_commit_callbacks)
    pay_with_sandbox(jinjiang, django_capture_on_commit_callbacks)
    wuhou.refresh_from_db()
    jinjiang.refresh_from_db()
    return wuhou, jinjiang


def test_operator_sees_only_its_venues_orders(world, as_user, paid_orders):
    wuhou, jinjiang = paid_orders
    client = as_user(world.users["wuhou_operator"])

    listing = client.get(ORDERS).content.decode()

    assert wuhou.number in listing and jinjiang.number not in listing
    assert client.get(f"{ORDERS}{wuhou.pk}/change/").status_code == 200
    assert client.get(f"{ORDERS}{jinjiang.pk}/change/").status_code == 302
    assert client.post(f"{ORDERS}{jinjiang.pk}/refund/", {"amount": "1.00", "reason": "x"}).status_code == 403


def test_city_official_sees_the_citys_orders_but_cannot_refund(world, as_user, paid_orders):
    wuhou, jinjiang = paid_orders
    client = as_user(world.users["chengdu"])

    listing = client.get(ORDERS).content.decode()

    assert wuhou.number in listing and jinjiang.number in listing
    assert client.post(f"{ORDERS}{wuhou.pk}/refund/", {"amount": "1.00", "reason": "x"}).status_code == 403
    assert not Refund.objects.exists()


def test_order_page_shows_money_read_only_with_its_history(world, as_user, paid_orders):
    wuhou, _jinjiang = paid_orders
    client = as_user(world.users["wuhou_operator"])

    page = client.get(f"{ORDERS}{wuhou.pk}/change/").content.decode()

    assert 'name="amount"' not in page
    assert "order.paid" in page
    assert wuhou.payments.get().out_trade_no in page


def test_refund_action_refunds_part_of_an_order(world, as_user, paid_orders, django_capture_on_commit_callbacks):
    wuhou, _jinjiang = paid_orders
    client = as_user(world.users["wuhou_operator"])
    assert "40.00" in client.get(f"{ORDERS}{wuhou.pk}/refund/").content.decode()

    too_much = client.post(f"{ORDERS}{wuhou.pk}/refund/", {"amount": "50.00", "reason": "灯光故障"})
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"{ORDERS}{wuhou.pk}/refund/", {"amount": "15.00", "reason": "灯光故障"})

    assert too_much.status_code == 200
    assert "40.00" in too_much.content.decode()
    assert done.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.requested_by) == (
        Decimal("15.00"),
        RefundStatus.SUCCEEDED,
        world.users["wuhou_operator"],
    )
    wuhou.refresh_from_db()
    assert wuhou.status == OrderStatus.PAID
    assert wuhou.refunded_amount == Decimal("15.00")


def test_cancel_action_refunds_in_full(world, as_user, paid_orders, django_capture_on_commit_callbacks):
    wuhou, _jinjiang = paid_orders
    client = as_user(world.users["wuhou_operator"])

    empty = client.post(f"{ORDERS}{wuhou.pk}/cancel/", {"reason": ""})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{ORDERS}{wuhou.pk}/cancel/", {"reason": "场馆临时关闭"})

    assert empty.status_code == 200
    wuhou.refresh_from_db()
    assert wuhou.status == OrderStatus.REFUNDED
    assert wuhou.refunded_amount == Decimal("40.00")


def test_failed_refund_is_listed_and_retried(world, as_user, paid_orders, django_capture_on_commit_callbacks):
    wuhou, _jinjiang = paid_orders
    client = as_user(world.users["wuhou_operator"])
    trade = SandboxTrade.objects.get(out_trade_no=wuhou.payments.get().out_trade_no)
    SandboxTrade.objects.filter(pk=trade.pk).update(state="CLOSED")  # the gateway refuses refunds of it now
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{ORDERS}{wuhou.pk}/refund/", {"amount": "40.00", "reason": "退款测试"})
    refund = Refund.objects.get()
    assert refund.status == RefundStatus.FAILED
    assert "sandbox_trade_not_paid" in client.get("/admin/payments/refund/?status=failed").content.decode()

    SandboxTrade.objects.filter(pk=trade.pk).update(state="SUCCESS")
    client.get(f"/admin/payments/refund/{refund.pk}/retry/")

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.attempts == 2


def test_finance_export_is_scoped_and_adds_up(world, as_user, paid_orders, django_capture_on_commit_callbacks):
    wuhou, jinjiang = paid_orders
    client = as_user(world.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{ORDERS}{wuhou.pk}/refund/", {"amount": "10.00", "reason": "部分退款"})
    today = timezone.localdate().isoformat()
    url = f"/admin/payments/payment/finance/?start={today}&end={today}"

    page = client.get(url).content.decode()
    everything = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))
    operator = as_user(world.users["jinjiang_operator"])
    theirs = load_workbook(io.BytesIO(operator.get(url + "&format=xlsx").content))

    assert "武侯馆" in page and "锦江馆" in page
    rows = list(everything.worksheets[0].iter_rows(values_only=True))
    assert rows[0][1] == "场馆"
    by_venue = {r[1]: r for r in rows[1:-1]}
    assert by_venue["武侯馆"][2:] == (1, 40.0, 1, 10.0, 30.0)
    assert by_venue["锦江馆"][2:] == (1, 40.0, 0, 0.0, 40.0)
    assert rows[-1][2:] == (2, 80.0, 1, 10.0, 70.0)
    assert [r[2] for r in everything.worksheets[1].iter_rows(min_row=2, values_only=True)] == [
        wuhou.number,
        jinjiang.number,
    ]
    assert [r[:2] for r in theirs.worksheets[0].iter_rows(min_row=2, values_only=True)] == [
        (today, "锦江馆"),
        ("合计", None),
    ]


def test_finance_export_refuses_a_backwards_period(world, as_user):
    client = as_user(world.users["admin"])

    page = client.get("/admin/payments/payment/finance/?start=2026-02-01&end=2026-01-01")

    assert 'aria-invalid="true"' in page.content.decode()


def test_platform_admin_runs_reconciliation_and_sees_the_mismatch(world, as_user, paid_orders):
    wuhou, _jinjiang = paid_orders
    payment = wuhou.payments.get()
    yesterday = timezone.now() - timedelta(days=1)
    Payment.objects.filter(pk=payment.pk).update(succeeded_at=yesterday)
    # Plant a mismatch: the gateway's books say the trade was for another amount.
    SandboxTrade.objects.filter(out_trade_no=payment.out_trade_no).update(paid_at=yesterday, amount=Decimal("39.00"))
    day = timezone.localdate(yesterday).isoformat()
    client = as_user(world.users["admin"])

    today = client.post(RUN, {"day": timezone.localdate().isoformat(), "provider": "sandbox"})
    assert today.status_code == 200 and not ReconciliationReport.objects.exists()

    done = client.post(RUN, {"day": day, "provider": "sandbox"})

    assert done.status_code == 302
    report = ReconciliationReport.objects.get()
    assert report.status == "mismatched"
    assert report.mismatches[0]["problem"] == "amount_differs"
    page = client.get(f"/admin/payments/reconciliationreport/{report.pk}/change/").content.decode()
    assert "金额不一致" in page and payment.out_trade_no in page


def test_operators_do_not_see_provider_notifications_or_reconciliation(world, as_user):
    client = as_user(world.users["wuhou_operator"])

    assert client.get("/admin/payments/providernotification/").status_code == 403
    assert client.get("/admin/payments/reconciliationreport/").status_code == 403


def test_order_list_has_no_n_plus_one(world, as_user, two_venues, django_capture_on_commit_callbacks):
    client = as_user(world.users["admin"])

    def make_orders(n):
        for _ in range(n):
            booking_order(venue_slots=make_bookable_venue(courts=1, slots_per_court=1)[1])

    assert_same_query_count(client, ORDERS, make_orders)


def test_payment_and_refund_lists_have_no_n_plus_one(world, as_user, django_capture_on_commit_callbacks):
    client = as_user(world.users["admin"])

    def make_paid(n):
        for _ in range(n):
            order = booking_order()
            pay_with_sandbox(order, django_capture_on_commit_callbacks)
            with django_capture_on_commit_callbacks(execute=True):
                refund_order(order=order, amount="1.00", reason="test", actor=None)

    assert_same_query_count(client, "/admin/payments/payment/", make_paid)
    assert_same_query_count(client, "/admin/payments/refund/", make_paid)
