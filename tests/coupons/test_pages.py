"""Coupon pages: the coupon centre lists claimable batches (filters), claiming from the page and by
htmx, my coupons by tab, and the checkout fragment that applies and removes an order's coupon."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from sportsplatform.coupons.domain.checkout import apply_coupon
from sportsplatform.coupons.domain.claims import claim_coupon
from sportsplatform.coupons.models import Coupon
from tests.support.accounts import ensure_regions
from tests.support.queries import assert_same_query_count
from tests.wallet.helpers import booking_order, new_user

from .factories import ensure_sports, make_batch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def world(db):
    ensure_regions()
    ensure_sports()


@pytest.fixture
def user():
    return new_user()


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def test_coupon_urls_are_named():
    assert reverse("coupons:index") == "/coupons/"
    assert reverse("coupons:mine") == "/coupons/mine/"


def test_coupon_centre_lists_issued_batches_in_chinese(client):
    make_batch(name="成都市羽毛球消费券", face="20", min_spend="50", sports=("badminton",))
    make_batch(name="草稿券", issue=False)

    body = client.get("/coupons/").content.decode()

    assert "领券中心" in body and "成都市羽毛球消费券" in body and "草稿券" not in body
    assert "满50可用" in body and "羽毛球" in body
    assert "登录后领取" in body  # anonymous


def test_coupon_centre_filters_by_city(client):
    make_batch(name="成都券")
    make_batch(name="绵阳券", region="510700")

    body = client.get("/coupons/?region=510700").content.decode()

    assert "绵阳券" in body and "成都券" not in body


def test_claim_from_the_page(logged_in, user):
    batch = make_batch()

    response = logged_in.post(f"/coupons/{batch.pk}/claim/")

    assert response.status_code == 302
    assert Coupon.objects.filter(batch=batch, user=user).count() == 1


def test_claim_by_htmx_swaps_the_card_and_says_why_not(logged_in, user):
    batch = make_batch(per_user=1)
    headers = {"HX-Request": "true"}

    first = logged_in.post(f"/coupons/{batch.pk}/claim/", headers=headers).content.decode()
    second = logged_in.post(f"/coupons/{batch.pk}/claim/", headers=headers).content.decode()

    assert f'id="batch-{batch.pk}"' in first and "领取成功" in first
    assert "已领" in first
    assert "已经领取" in second or "每人" in second
    assert Coupon.objects.filter(batch=batch, user=user).count() == 1


def test_my_coupons_by_tab(logged_in, user):
    mine = claim_coupon(batch=make_batch(name="可用券"), user=user, actor=user)
    used = claim_coupon(batch=make_batch(name="已用券"), user=user, actor=user)
    apply_coupon(order=booking_order(user=user, slots=2, region="510107"), coupon=used, actor=user)

    available = logged_in.get("/coupons/mine/").content.decode()
    used_tab = logged_in.get("/coupons/mine/?tab=used").content.decode()

    assert "可用券" in available and mine.code in available and "已用券" not in available
    assert "已用券" in used_tab and "可用券" not in used_tab


def test_coupon_centre_query_count_is_constant(client):
    from itertools import count

    names = count(1)

    def make_rows(n):
        for _ in range(n):
            make_batch(name=f"券{next(names)}", sports=("badminton",))

    assert_same_query_count(client, "/coupons/", make_rows)


def test_checkout_fragment_offers_fitting_coupons_and_applies_one(logged_in, user):
    fits = claim_coupon(batch=make_batch(name="满50减20"), user=user, actor=user)
    claim_coupon(batch=make_batch(name="满500减100", face="100", min_spend="500"), user=user, actor=user)
    order = booking_order(user=user, slots=2, price="40.00", region="510107")
    url = f"/coupons/orders/{order.pk}/"

    fragment = logged_in.get(url).content.decode()
    applied = logged_in.post(url, {"coupon_id": fits.pk}, headers={"HX-Request": "true"})

    assert "满50减20" in fragment and "满500减100" in fragment and "500.00" in fragment
    assert applied.status_code == 200
    assert json.loads(applied["HX-Trigger"]) == {
        "couponChanged": {"order": order.pk, "discount": "20.00", "amount": "60.00"}
    }
    assert "移除" in applied.content.decode()
    order.refresh_from_db()
    assert order.amount == 60


def test_checkout_fragment_remove_without_js_redirects_back(logged_in, user):
    coupon = claim_coupon(batch=make_batch(), user=user, actor=user)
    order = booking_order(user=user, slots=2, region="510107")
    apply_coupon(order=order, coupon=coupon, actor=user)

    response = logged_in.post(f"/coupons/orders/{order.pk}/", {"remove": "1", "next": "/card/"})

    assert response.status_code == 302 and response["Location"] == "/card/"
    order.refresh_from_db()
    assert order.discount == 0


def test_checkout_fragment_refuses_someone_elses_order(logged_in):
    order = booking_order(user=new_user(), region="510107")

    assert logged_in.get(f"/coupons/orders/{order.pk}/").status_code == 404


def test_checkout_fragment_refuses_an_offsite_next(logged_in, user):
    coupon = claim_coupon(batch=make_batch(), user=user, actor=user)
    order = booking_order(user=user, slots=2, region="510107")

    response = logged_in.post(f"/coupons/orders/{order.pk}/", {"coupon_id": coupon.pk, "next": "https://evil.example/"})

    assert response["Location"] == "/coupons/mine/"
