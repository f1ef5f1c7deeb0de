"""Coupons at checkout: eligibility (owner, validity, venue, region, sport, minimum spend), the
discount and the amount payable, one coupon per order, removal, restoration when the order is
cancelled or expires, the subsidy charged at capture and charged back on a refund."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from sportsplatform.core.errors import NotFound
from sportsplatform.coupons.domain.checkout import apply_coupon, remove_coupon
from sportsplatform.coupons.domain.claims import claim_coupon
from sportsplatform.coupons.domain.eligibility import discount_for
from sportsplatform.coupons.domain.errors import CouponAlreadyApplied, CouponNotApplicable, OrderNotEditable
from sportsplatform.coupons.domain.subsidy import subsidy_account_for
from sportsplatform.coupons.models import CouponBatch, CouponRedemption, CouponStatus
from sportsplatform.ledger.models import Transaction
from sportsplatform.orders.domain.cancel import cancel_order
from sportsplatform.orders.domain.expiry import expire_order
from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments.domain.pay import start_payment
from tests.support.accounts import ensure_regions
from tests.wallet.helpers import assert_books_balance, balance, booking_order, new_user, pay_through_sandbox

from .factories import ensure_sports, make_batch

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def world(db):
    ensure_regions()
    ensure_sports()


def claimed(batch, user):
    return claim_coupon(batch=batch, user=user, actor=user)


def order_for(user, *, slots=2, price="40.00", region="510107"):
    return booking_order(user=user, slots=slots, price=price, region=region, sports=("badminton",))


def test_apply_coupon_takes_the_face_value_off_and_marks_it_used():
    user = new_user()
    coupon = claimed(make_batch(face="20", min_spend="50"), user)
    order = order_for(user)  # 80.00

    order = apply_coupon(order=order, coupon=coupon, actor=user)

    coupon.refresh_from_db()
    assert (order.subtotal, order.discount, order.amount) == (D("80.00"), D("20.00"), D("60.00"))
    assert coupon.status == CouponStatus.USED and coupon.used_at is not None
    redemption = CouponRedemption.objects.get(order=order)
    assert redemption.discount == D("20.00") and redemption.venue_id == order.venue_id
    assert order.events.filter(action="order.coupon_applied").exists()


@pytest.mark.parametrize(
    ("face", "subtotal", "discount"),
    [("20", "80.00", "20.00"), ("50", "30.00", "29.99"), ("30", "30.00", "29.99"), ("5", "0.00", "0.00")],
)
def test_discount_is_the_face_value_but_leaves_at_least_one_fen_to_pay(face, subtotal, discount):
    assert discount_for(face_value=D(face), subtotal=D(subtotal)) == D(discount)


@pytest.mark.parametrize(
    ("batch_kwargs", "order_kwargs", "reason"),
    [
        ({"min_spend": "100"}, {}, "at least 100.00"),
        ({"region": "510700"}, {}, "only valid in"),
        ({"sports": ("swimming",)}, {}, "only valid for"),
        ({"starts_in_days": 2}, {}, "can be used from"),
        ({}, {"region": "510104"}, "not valid in this venue's region"),
    ],
    ids=["minimum spend", "other city", "other sport", "not yet valid", "region not targeted"],
)
def test_apply_coupon_refuses_what_the_batch_does_not_cover(batch_kwargs, order_kwargs, reason):
    user = new_user()
    regions = () if "region" in batch_kwargs else ("510107",)
    if batch_kwargs.get("region") == "510700":
        regions = ()
    batch = make_batch(**{"regions": _regions(regions), **batch_kwargs})
    coupon = claimed(batch, user)
    order = order_for(user, **order_kwargs)

    with pytest.raises(CouponNotApplicable) as refused, _translation("en"):
        apply_coupon(order=order, coupon=coupon, actor=user)

    assert reason in str(refused.value.message)
    order.refresh_from_db()
    coupon.refresh_from_db()
    assert order.discount == 0 and order.amount == order.subtotal
    assert coupon.status == CouponStatus.AVAILABLE


def _regions(codes):
    from sportsplatform.regions.models import Region

    return list(Region.objects.filter(code__in=codes))


def _translation(language):
    from django.utils import translation

    return translation.override(language)


def test_apply_coupon_at_a_venue_not_listed_is_refused():
    user = new_user()
    other = order_for(new_user())
    coupon = claimed(make_batch(venues=[other.venue]), user)
    order = order_for(user)

    with pytest.raises(CouponNotApplicable):
        apply_coupon(order=order, coupon=coupon, actor=user)


def test_apply_coupon_at_a_listed_venue_for_the_listed_sport_works():
    user = new_user()
    order = order_for(user)
    coupon = claimed(make_batch(venues=[order.venue], sports=("badminton",)), user)

    assert apply_coupon(order=order, coupon=coupon, actor=user).discount == D("20.00")


def test_expired_coupon_is_refused():
    user = new_user()
    batch = make_batch()
    coupon = claimed(batch, user)
    CouponBatch.objects.filter(pk=batch.pk).update(valid_until=timezone.now())
    order = order_for(user)

    with pytest.raises(CouponNotApplicable):
        apply_coupon(order=order, coupon=coupon, actor=user)


def test_someone_elses_coupon_answers_not_found():
    owner, other = new_user(), new_user()
    coupon = claimed(make_batch(), owner)
    order = order_for(other)

    with pytest.raises(NotFound):
        apply_coupon(order=order, coupon=coupon, actor=other)


def test_one_coupon_per_order():
    user = new_user()
    first = claimed(make_batch(name="甲"), user)
    second = claimed(make_batch(name="乙"), user)
    order = order_for(user)
    apply_coupon(order=order, coupon=first, actor=user)

    with pytest.raises(CouponAlreadyApplied):
        apply_coupon(order=order, coupon=second, actor=user)
    assert apply_coupon(order=order, coupon=first, actor=user).discount == D("20.00")  # same one again: no-op


def test_a_used_coupon_cannot_go_on_a_second_order():
    user = new_user()
    coupon = claimed(make_batch(), user)
    apply_coupon(order=order_for(user), coupon=coupon, actor=user)

    with pytest.raises(CouponNotApplicable):
        apply_coupon(order=order_for(user), coupon=coupon, actor=user)


def test_coupon_cannot_be_applied_while_a_payment_is_under_way():
    user = new_user()
    coupon = claimed(make_batch(), user)
    order = order_for(user)
    start_payment(order=order, method="sandbox", actor=user, request_info={})

    with pytest.raises(OrderNotEditable):
        apply_coupon(order=order, coupon=coupon, actor=user)


def test_coupon_cannot_go_on_a_topup():
    from sportsplatform.wallet.domain.topup import create_topup_order

    user = new_user()
    coupon = claimed(make_batch(min_spend="0"), user)
    order = create_topup_order(user=user, amount="100", actor=user)

    with pytest.raises(CouponNotApplicable):
        apply_coupon(order=order, coupon=coupon, actor=user)


def test_remove_coupon_restores_the_price_and_the_coupon():
    user = new_user()
    coupon = claimed(make_batch(), user)
    order = apply_coupon(order=order_for(user), coupon=coupon, actor=user)

    order = remove_coupon(order=order, actor=user)

    coupon.refresh_from_db()
    assert (order.discount, order.amount) == (D("0.00"), order.subtotal)
    assert coupon.status == CouponStatus.AVAILABLE
    assert CouponRedemption.objects.get(order=order).release_reason == "removed"
    assert subsidy_account_for(order=order) is None


def test_cancelling_an_unpaid_order_gives_the_coupon_back():
    user = new_user()
    coupon = claimed(make_batch(), user)
    order = apply_coupon(order=order_for(user), coupon=coupon, actor=user)

    cancel_order(order=order, actor=user, reason="不去了")

    coupon.refresh_from_db()
    assert coupon.status == CouponStatus.AVAILABLE
    assert CouponRedemption.objects.get(order=order).release_reason == OrderStatus.CANCELLED


def test_an_expired_order_gives_the_coupon_back():
    user = new_user()
    coupon = claimed(make_batch(), user)
    order = apply_coupon(order=order_for(user), coupon=coupon, actor=user)
    type(order).objects.filter(pk=order.pk).update(expires_at=timezone.now())

    expire_order(order_id=order.pk)

    order.refresh_from_db()
    coupon.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert coupon.status == CouponStatus.AVAILABLE


def test_a_coupon_released_after_its_batch_expired_becomes_void():
    user = new_user()
    batch = make_batch()
    coupon = claimed(batch, user)
    order = apply_coupon(order=order_for(user), coupon=coupon, actor=user)
    CouponBatch.objects.filter(pk=batch.pk).update(valid_until=timezone.now())

    cancel_order(order=order, actor=user, reason="不去了")

    coupon.refresh_from_db()
    assert coupon.status == CouponStatus.VOID


def test_capture_charges_the_discount_to_the_batch_subsidy_account(django_capture_on_commit_callbacks):
    user = new_user()
    batch = make_batch(face="20")
    order = apply_coupon(order=order_for(user), coupon=claimed(batch, user), actor=user)

    pay_through_sandbox(order, django_capture_on_commit_callbacks)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    captured = Transaction.objects.get(order=order, kind="payment.captured")
    assert {e.account.key: e.amount for e in captured.entries.all()} == {
        "provider:sandbox": D("-60.00"),
        f"venue:{order.venue_id}": D("80.00"),
        f"subsidy:{batch.pk}": D("-20.00"),
    }
    assert_books_balance()


def test_refund_gives_the_coupon_back_and_charges_the_subsidy_back_to_the_venue(
    django_capture_on_commit_callbacks,
):
    user = new_user()
    batch = make_batch(face="20")
    coupon = claimed(batch, user)
    order = apply_coupon(order=order_for(user), coupon=coupon, actor=user)
    pay_through_sandbox(order, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, actor=user, reason="下雨", full_refund=True)

    order.refresh_from_db()
    coupon.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and order.refunded_amount == D("60.00")
    assert coupon.status == CouponStatus.AVAILABLE
    assert balance(f"subsidy:{batch.pk}") == D("0.00")
    assert balance(f"venue:{order.venue_id}") == D("0.00")
    assert balance("provider:sandbox") == D("0.00")
    assert Transaction.objects.filter(order=order, kind="coupon.subsidy_reversed").count() == 1
    assert_books_balance()


def test_card_payment_with_a_coupon_debits_the_card_only_what_is_payable(django_capture_on_commit_callbacks):
    from tests.wallet.helpers import topped_up

    user = new_user()
    topped_up(user, "100", django_capture_on_commit_callbacks)
    batch = make_batch(face="20")
    order = apply_coupon(order=order_for(user), coupon=claimed(batch, user), actor=user)

    start_payment(order=order, method="card", actor=user, request_info={})

    assert balance(f"card:{user.pk}") == D("40.00")
    assert balance(f"venue:{order.venue_id}") == D("80.00")
    assert balance(f"subsidy:{batch.pk}") == D("-20.00")
    assert_books_balance()
