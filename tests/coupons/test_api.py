"""The coupon API: claimable batches and their filters, claiming (and its 409s), my coupons and
those that fit an order, applying and removing a coupon on an order, query budgets."""

from __future__ import annotations

from itertools import count

import pytest

from sportsplatform.accounts.domain.tokens import issue_token
from sportsplatform.coupons.domain.claims import claim_coupon
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
def api(client, user):
    _token, key = issue_token(user=user, name="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def test_batches_list_shows_issued_batches_with_remaining(client):
    batch = make_batch(total=10, sports=("badminton",))
    make_batch(name="草稿", issue=False)

    body = client.get("/api/v1/coupons").json()

    assert [b["name"] for b in body["results"]] == [batch.name]
    item = body["results"][0]
    assert item["face_value"] == "20.00" and item["min_spend"] == "50.00"
    assert item["remaining"] == 10 and item["sports"] == ["badminton"] and item["region_code"] == "510100"
    assert item["claimed_by_me"] == 0 and item["can_claim"] is True


def test_batches_list_filters_by_region_and_sport(client):
    chengdu = make_batch(name="成都券", sports=("badminton",))
    mianyang = make_batch(name="绵阳券", region="510700")

    def names(query):
        return {b["name"] for b in client.get(f"/api/v1/coupons?{query}").json()["results"]}

    assert names("region=510107") == {chengdu.name}
    assert names("region=510703") == {mianyang.name}
    assert names("sport=swimming") == {mianyang.name}  # batches for every sport count
    assert client.get("/api/v1/coupons?region=abc").status_code == 400


def test_claim_answers_the_coupon_and_counts_it(api):
    batch = make_batch(per_user=1)

    response = api.post(f"/api/v1/coupons/{batch.pk}/claim")

    assert response.status_code == 201
    assert response.json()["status"] == "available" and response.json()["batch"]["claimed_by_me"] == 1
    again = api.post(f"/api/v1/coupons/{batch.pk}/claim")
    assert again.status_code == 409 and again.json()["error"]["code"] == "claim_limit_reached"


def test_claim_of_a_gone_batch_is_409_and_of_a_draft_404(api):
    gone = make_batch(total=1)
    other = new_user()
    claim_coupon(batch=gone, user=other, actor=other)
    draft = make_batch(name="草稿", issue=False)

    assert api.post(f"/api/v1/coupons/{gone.pk}/claim").json()["error"]["code"] == "coupons_gone"
    assert api.post(f"/api/v1/coupons/{draft.pk}/claim").status_code == 404
    assert api.post("/api/v1/coupons/abc/claim").status_code == 404


def test_claim_needs_a_login(client):
    batch = make_batch()

    assert client.post(f"/api/v1/coupons/{batch.pk}/claim").status_code == 401


def test_my_coupons_usable_for_an_order_lists_only_those_that_fit(api, user):
    fits = claim_coupon(batch=make_batch(name="满50减20"), user=user, actor=user)
    claim_coupon(batch=make_batch(name="满200减50", face="50", min_spend="200"), user=user, actor=user)
    order = booking_order(user=user, slots=2, price="40.00", region="510107")

    everything = api.get("/api/v1/me/coupons").json()
    usable = api.get(f"/api/v1/me/coupons?usable_for={order.pk}").json()

    assert everything["count"] == 2
    assert [c["id"] for c in usable["results"]] == [fits.pk]
    assert usable["results"][0]["discount"] == "20.00"


def test_usable_for_someone_elses_order_is_404(api):
    order = booking_order(user=new_user())

    assert api.get(f"/api/v1/me/coupons?usable_for={order.pk}").status_code == 404


def test_apply_and_remove_a_coupon_on_an_order(api, user):
    coupon = claim_coupon(batch=make_batch(), user=user, actor=user)
    order = booking_order(user=user, slots=2, price="40.00", region="510107")
    url = f"/api/v1/orders/{order.pk}/coupon"

    applied = api.post(url, {"coupon_id": coupon.pk}, content_type="application/json")
    removed = api.delete(url)

    assert applied.status_code == 200
    assert (applied.json()["discount"], applied.json()["amount"]) == ("20.00", "60.00")
    assert applied.json()["coupon"]["id"] == coupon.pk
    assert removed.status_code == 200
    assert (removed.json()["discount"], removed.json()["amount"], removed.json()["coupon"]) == ("0.00", "80.00", None)


def test_apply_a_coupon_that_does_not_fit_is_400_with_the_reason(api, user):
    coupon = claim_coupon(batch=make_batch(min_spend="500", face="50"), user=user, actor=user)
    order = booking_order(user=user, region="510107")

    response = api.post(f"/api/v1/orders/{order.pk}/coupon", {"coupon_id": coupon.pk}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "coupon_not_applicable"
    assert "500" in response.json()["error"]["message"]


def test_apply_someone_elses_coupon_or_to_someone_elses_order_is_404(api, user):
    other = new_user()
    theirs = claim_coupon(batch=make_batch(), user=other, actor=other)
    mine = claim_coupon(batch=make_batch(name="我的"), user=user, actor=user)
    my_order = booking_order(user=user, region="510107")
    their_order = booking_order(user=other, region="510107")

    def apply(order, coupon):
        return api.post(f"/api/v1/orders/{order.pk}/coupon", {"coupon_id": coupon.pk}, content_type="application/json")

    assert apply(my_order, theirs).status_code == 404
    assert apply(their_order, mine).status_code == 404


def test_batch_list_query_count_is_constant(client):
    names = count(1)

    def make_rows(n):
        for _ in range(n):
            make_batch(name=f"券{next(names)}", sports=("badminton",))

    assert_same_query_count(client, "/api/v1/coupons", make_rows)


def test_my_coupons_query_count_is_constant(api, user):
    def make_rows(n):
        for _ in range(n):
            batch = make_batch(name=f"券{user.coupons.count()}", sports=("badminton",))
            claim_coupon(batch=batch, user=user, actor=user)

    assert_same_query_count(api, "/api/v1/me/coupons", make_rows)


def test_apply_after_starting_a_payment_closes_that_payment_first(api, user):
    from sportsplatform.payments.models import PaymentStatus
    from tests.wallet.helpers import start_sandbox

    coupon = claim_coupon(batch=make_batch(), user=user, actor=user)
    order = booking_order(user=user, slots=2, price="40.00", region="510107")
    abandoned = start_sandbox(order)  # the payer went to the cashier and came back

    response = api.post(f"/api/v1/orders/{order.pk}/coupon", {"coupon_id": coupon.pk}, content_type="application/json")

    assert response.status_code == 200 and response.json()["amount"] == "60.00"
    abandoned.refresh_from_db()
    assert abandoned.status == PaymentStatus.CLOSED
    assert start_sandbox(order).amount == 60
