"""The coupon back office: batches scoped by the issuing bureau's region (a Chengdu official sees
and edits Chengdu's batches, never the province's or another city's), targets held to the bureau's
region, issue and close, read-only claims, the settlement page and its Excel export."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from sportsplatform.coupons.domain.batches import create_batch, issue_batch
from sportsplatform.coupons.domain.checkout import apply_coupon
from sportsplatform.coupons.domain.claims import claim_coupon
from sportsplatform.coupons.models import BatchStatus, CouponBatch
from sportsplatform.payments.domain.capture import capture_payment
from tests.backoffice.conftest import as_user, world  # noqa: F401  (fixtures)
from tests.support.queries import assert_same_query_count
from tests.venues.factories import make_venue
from tests.wallet.helpers import booking_order, new_user, start_sandbox

from .factories import ensure_sports

LIST = "/admin/coupons/couponbatch/"
ADD = "/admin/coupons/couponbatch/add/"
SETTLEMENT = "/admin/coupons/couponredemption/settlement/"


def batch_of(world, bureau_key, official_key, name, *, issue=True, **extra):
    now = timezone.now()
    batch = create_batch(
        issuer=world.orgs[bureau_key],
        name=name,
        face_value=extra.pop("face_value", 20),
        min_spend=extra.pop("min_spend", 50),
        total_count=extra.pop("total_count", 100),
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=30),
        actor=world.users[official_key],
        **extra,
    )
    if issue:
        issue_batch(batch=batch, actor=world.users[official_key])
    return batch


@pytest.fixture
def batches(world):
    return {
        "sichuan": batch_of(world, "bureau_sichuan", "sichuan", "四川省消费券"),
        "chengdu": batch_of(world, "bureau_chengdu", "chengdu", "成都市消费券"),
        "mianyang": batch_of(world, "bureau_mianyang", "admin", "绵阳市消费券"),
    }


def add_data(world, **changes):
    now = timezone.localtime()
    data = {
        "name": "成都市新春消费券",
        "description": "",
        "issuer": str(world.orgs["bureau_chengdu"].pk),
        "face_value": "15",
        "min_spend": "60",
        "total_count": "500",
        "per_user_limit": "1",
        "valid_from_0": (now + timedelta(days=1)).strftime("%Y-%m-%d"),
        "valid_from_1": "00:00:00",
        "valid_until_0": (now + timedelta(days=31)).strftime("%Y-%m-%d"),
        "valid_until_1": "00:00:00",
    }
    data.update(changes)
    return data


def test_city_official_sees_only_the_citys_batches(world, as_user, batches):
    body = as_user(world.users["chengdu"]).get(LIST).content.decode()

    assert "成都市消费券" in body
    assert "四川省消费券" not in body and "绵阳市消费券" not in body


def test_province_official_sees_every_batch_in_sichuan(world, as_user, batches):
    body = as_user(world.users["sichuan"]).get(LIST).content.decode()

    assert all(name in body for name in ("四川省消费券", "成都市消费券", "绵阳市消费券"))


@pytest.mark.parametrize("other", ["sichuan", "mianyang"])
def test_city_official_cannot_open_or_edit_a_province_or_other_city_batch(world, as_user, batches, other):
    client = as_user(world.users["chengdu"])
    url = f"{LIST}{batches[other].pk}/change/"

    assert client.get(url).status_code == 302  # answers like a missing batch
    client.post(url, {"name": "改名"})
    batches[other].refresh_from_db()
    assert batches[other].name != "改名"


def test_city_official_cannot_issue_or_close_another_bureaus_batch_by_action(world, as_user, batches):
    draft = batch_of(world, "bureau_sichuan", "sichuan", "四川省草稿", issue=False)

    as_user(world.users["chengdu"]).post(LIST, {"action": "issue_selected", "_selected_action": [draft.pk]})

    draft.refresh_from_db()
    assert draft.status == BatchStatus.DRAFT


def test_city_official_adds_a_draft_batch_in_the_citys_region(world, as_user):
    ensure_sports()

    response = as_user(world.users["chengdu"]).post(ADD, add_data(world))

    assert response.status_code == 302, response.context["adminform"].form.errors
    batch = CouponBatch.objects.get(name="成都市新春消费券")
    assert batch.region_id == "510100" and batch.status == BatchStatus.DRAFT
    assert batch.created_by == world.users["chengdu"]


def test_city_official_cannot_issue_in_the_provinces_name(world, as_user):
    response = as_user(world.users["chengdu"]).post(ADD, add_data(world, issuer=str(world.orgs["bureau_sichuan"].pk)))

    assert response.status_code == 200
    assert "issuer" in response.context["adminform"].form.errors
    assert not CouponBatch.objects.exists()


def test_batch_cannot_target_a_venue_outside_the_bureaus_region(world, as_user):
    mianyang_venue = make_venue(name="绵阳体育馆", region="510703")

    response = as_user(world.users["chengdu"]).post(ADD, add_data(world, venues=[str(mianyang_venue.pk)]))

    assert response.status_code == 200
    assert not CouponBatch.objects.exists()


def test_issue_and_close_actions(world, as_user):
    draft = batch_of(world, "bureau_chengdu", "chengdu", "成都草稿", issue=False)
    client = as_user(world.users["chengdu"])

    client.post(LIST, {"action": "issue_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == BatchStatus.ISSUED and draft.issued_at is not None

    client.post(LIST, {"action": "close_selected", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == BatchStatus.CLOSED


def test_issued_batch_terms_cannot_be_changed(world, as_user, batches):
    client = as_user(world.users["chengdu"])
    url = f"{LIST}{batches['chengdu'].pk}/change/"

    form = client.get(url).context["adminform"].form
    client.post(url, add_data(world, face_value="99"))

    assert "face_value" not in form.fields
    batches["chengdu"].refresh_from_db()
    assert batches["chengdu"].face_value == 20


def test_batch_list_query_count_is_constant(world, as_user):
    ensure_sports()

    def make_rows(n):
        for i in range(n):
            batch_of(world, "bureau_chengdu", "chengdu", f"批次{CouponBatch.objects.count()}-{i}")

    assert_same_query_count(as_user(world.users["chengdu"]), LIST, make_rows)


@pytest.fixture
def redeemed(world, batches, django_capture_on_commit_callbacks):
    """A paid order at a Wuhou venue run by the Wuhou operator, with a Chengdu coupon."""
    buyer = new_user()
    order = booking_order(user=buyer, slots=2, price="40.00", region="510107", operator=world.orgs["op_wuhou"])
    coupon = claim_coupon(batch=batches["chengdu"], user=buyer, actor=buyer)
    order = apply_coupon(order=order, coupon=coupon, actor=buyer)
    payment = start_sandbox(order)
    capture_payment(payment=payment, provider_transaction_id="t-admin", amount=payment.amount)
    return order


def test_settlement_page_shows_the_subsidy_per_venue(world, as_user, redeemed):
    response = as_user(world.users["chengdu"]).get(SETTLEMENT)

    assert response.status_code == 200
    body = response.content.decode()
    assert redeemed.venue.name in body and "成都市消费券" in body and "20.00" in body


def test_settlement_excel_export_has_the_figures(world, as_user, redeemed):
    response = as_user(world.users["wuhou_operator"]).get(SETTLEMENT + "?format=xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0][0] == redeemed.venue.name and rows[0][2] == "成都市消费券"
    assert rows[0][4:] == [1, 80, 20]
    assert rows[-1][4:] == [1, 80, 20]  # the total row


def test_settlement_of_a_city_batch_is_not_shown_to_a_county_bureau(world, as_user, redeemed):
    response = as_user(world.users["wuhou"]).get(SETTLEMENT)

    assert response.status_code == 200
    assert redeemed.venue.name not in response.content.decode()


def test_claimed_coupons_are_read_only_and_scoped(world, as_user, batches):
    buyer = new_user()
    claim_coupon(batch=batches["sichuan"], user=buyer, actor=buyer)
    claim_coupon(batch=batches["chengdu"], user=buyer, actor=buyer)
    client = as_user(world.users["chengdu"])

    body = client.get("/admin/coupons/coupon/").content.decode()

    assert body.count(buyer.username) == 1
    assert client.get("/admin/coupons/coupon/add/").status_code == 403
