"""Claiming coupons: one at a time from an issued batch, never more than the batch holds nor more
than the per-person limit — even when hundreds claim at once (real threads on the database)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connections, transaction

from sportsplatform.accounts.models import User
from sportsplatform.coupons.domain.batches import close_batch
from sportsplatform.coupons.domain.claims import claim_coupon
from sportsplatform.coupons.domain.errors import BatchNotClaimable, ClaimLimitReached, CouponsGone
from sportsplatform.coupons.models import Coupon, CouponBatch
from tests.support.accounts import ensure_regions
from tests.wallet.helpers import new_user

from .factories import make_batch, official

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def regions(db):
    return ensure_regions()


def test_claim_coupon_gives_a_coupon_and_counts_it():
    batch = make_batch(total=10)
    user = new_user()

    coupon = claim_coupon(batch=batch, user=user, actor=user)

    batch.refresh_from_db()
    assert coupon.user == user and coupon.status == "available" and coupon.sequence == 1
    assert len(coupon.code) == 12
    assert batch.claimed_count == 1 and batch.remaining == 9


def test_claim_beyond_the_per_user_limit_is_refused():
    batch = make_batch(per_user=2)
    user = new_user()
    claim_coupon(batch=batch, user=user, actor=user)
    claim_coupon(batch=batch, user=user, actor=user)

    with pytest.raises(ClaimLimitReached):
        claim_coupon(batch=batch, user=user, actor=user)

    batch.refresh_from_db()
    assert batch.claimed_count == 2  # the refused claim gave its place back
    assert Coupon.objects.filter(batch=batch, user=user).count() == 2


def test_claim_when_none_are_left_is_refused():
    batch = make_batch(total=1)
    first, second = new_user(), new_user()
    claim_coupon(batch=batch, user=first, actor=first)

    with pytest.raises(CouponsGone):
        claim_coupon(batch=batch, user=second, actor=second)


@pytest.mark.parametrize("state", ["draft", "closed", "expired"])
def test_claim_from_a_batch_not_open_for_claims_is_refused(state):
    batch = make_batch(issue=state != "draft", ends_in_days=30)
    if state == "closed":
        close_batch(batch=batch, actor=official("510100"))
    if state == "expired":
        CouponBatch.objects.filter(pk=batch.pk).update(
            valid_from="2020-01-01T00:00+08:00", valid_until="2020-02-01T00:00+08:00"
        )
    user = new_user()

    with pytest.raises(BatchNotClaimable):
        claim_coupon(batch=batch, user=user, actor=user)

    assert not Coupon.objects.filter(batch=batch).exists()


def test_database_refuses_more_claims_than_coupons():
    batch = make_batch(total=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        CouponBatch.objects.filter(pk=batch.pk).update(claimed_count=2)


def test_database_refuses_a_coupon_past_the_per_user_limit():
    batch = make_batch(per_user=1)
    user = new_user()
    claim_coupon(batch=batch, user=user, actor=user)

    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.create(batch=batch, user=user, sequence=2, user_limit=1, code="TESTCODE2345")
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.create(batch=batch, user=user, sequence=1, user_limit=2, code="TESTCODE2346")


# --- the rush -----------------------------------------------------------------------------------

CLAIMERS = 200
COUPONS = 50
# PostgreSQL here allows 100 connections; at most this many claims hold one at the same instant.
IN_FLIGHT = 32


@pytest.mark.django_db(transaction=True)
def test_rush_of_200_claimers_for_50_coupons_gives_exactly_50():
    ensure_regions()
    batch = make_batch(total=COUPONS, per_user=1)
    users = User.objects.bulk_create(User(username=f"rush{n}", display_name=f"抢券{n}") for n in range(CLAIMERS))
    start = threading.Event()
    results: list[str] = []
    lock = threading.Lock()

    def claim(user) -> None:
        start.wait()
        try:
            claim_coupon(batch=batch, user=user, actor=user)
            outcome = "claimed"
        except CouponsGone:
            outcome = "gone"
        except Exception as exc:  # any other failure shows in the assert below
            outcome = repr(exc)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
        futures = [pool.submit(claim, u) for u in users]
        start.set()
        for f in futures:
            f.result()

    batch.refresh_from_db()
    assert results.count("claimed") == COUPONS, sorted(set(results))
    assert results.count("gone") == CLAIMERS - COUPONS
    assert batch.claimed_count == COUPONS
    assert Coupon.objects.filter(batch=batch).count() == COUPONS
    assert Coupon.objects.filter(batch=batch).values("user").distinct().count() == COUPONS


@pytest.mark.django_db(transaction=True)
def test_one_person_claiming_many_times_at_once_gets_only_the_limit():
    ensure_regions()
    batch = make_batch(total=COUPONS, per_user=2)
    user = new_user()
    barrier = threading.Barrier(8)
    results: list[str] = []
    lock = threading.Lock()

    def claim() -> None:
        try:
            barrier.wait()
            claim_coupon(batch=batch, user=user, actor=user)
            outcome = "claimed"
        except ClaimLimitReached:
            outcome = "limit"
        except Exception as exc:  # any other failure shows in the assert below
            outcome = repr(exc)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    batch.refresh_from_db()
    assert sorted(results) == ["claimed"] * 2 + ["limit"] * 6, results
    assert batch.claimed_count == 2
    assert sorted(Coupon.objects.filter(batch=batch).values_list("sequence", flat=True)) == [1, 2]
