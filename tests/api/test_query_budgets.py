"""Query budgets of the API's lists: as many SQL queries for 20 rows as for 1 (no N+1).
Every list endpoint gets a test here (tests/support/queries.py explains the helper)."""

from __future__ import annotations

import itertools

import pytest

from sportsplatform.regions.models import Region, RegionLevel
from tests.support.queries import assert_same_query_count


@pytest.fixture
def sichuan_without_children(db):
    """Sichuan with its divisions removed, so the test decides how many there are."""
    below = Region.objects.filter(code__startswith="51").exclude(code="510000")
    below.update(parent=None, successor=None)
    below.delete()
    return Region.objects.get(code="510000")


def test_region_children_list_costs_the_same_for_1_and_20_rows(client, sichuan_without_children):
    numbers = itertools.count(1)

    def make_prefectures(n):
        for _ in range(n):
            code = f"51{next(numbers):02d}00"
            Region.objects.create(code=code, name=f"市{code}", level=RegionLevel.PREFECTURE, parent_id="510000")
            # One county below each, so `has_children` is true and must not cost a query per row.
            Region.objects.create(code=code[:4] + "01", name=f"区{code}", level=RegionLevel.COUNTY, parent_id=code)

    assert_same_query_count(client, "/api/v1/regions?parent=510000", make_prefectures)

    assert len(client.get("/api/v1/regions?parent=510000").json()) == 20
