"""The query-budget helper itself: it must catch an N+1 and say where."""

from __future__ import annotations

import itertools

import pytest
from django.http import HttpResponse

from sportsplatform.regions.models import Region, RegionLevel
from tests.support.queries import assert_same_query_count

pytestmark = pytest.mark.django_db


class ViewClient:
    """Stands in for django.test.Client: GET runs `view` and returns its response."""

    def __init__(self, view):
        self.view = view

    def get(self, url, headers=None):
        return self.view()


def prefectures():
    return Region.objects.filter(parent_id="519900").order_by("code")


def one_query_list():
    return HttpResponse(",".join(r.name for r in prefectures()))


def n_plus_one_list():
    # The classic: the list, then one more query per row.
    return HttpResponse(",".join(Region.objects.get(code=r.code).name for r in prefectures()))


@pytest.fixture
def make_rows():
    Region.objects.create(code="519900", name="测试州", level=RegionLevel.PREFECTURE, parent_id="510000")
    numbers = itertools.count(1)

    def make(n):
        for _ in range(n):
            i = next(numbers)
            Region.objects.create(code=f"5199{i:02d}", name=f"县{i}", level=RegionLevel.COUNTY, parent_id="519900")

    return make


def test_assert_same_query_count_passes_a_list_with_constant_queries(make_rows):
    few, many = assert_same_query_count(ViewClient(one_query_list), "/list", make_rows)

    assert few.count == many.count == 1


def test_assert_same_query_count_fails_an_n_plus_one_with_both_query_lists(make_rows):
    with pytest.raises(AssertionError) as failure:
        assert_same_query_count(ViewClient(n_plus_one_list), "/list", make_rows)

    message = str(failure.value)
    assert "N+1 queries: GET /list ran 2 queries with 1 row(s) and 21 with 20" in message
    assert "Diff:" in message and 'WHERE "regions_region"."code" =' in message


def test_assert_same_query_count_refuses_a_page_that_does_not_grow(make_rows):
    with pytest.raises(AssertionError, match="did not grow"):
        assert_same_query_count(ViewClient(lambda: HttpResponse("constant")), "/list", make_rows)
