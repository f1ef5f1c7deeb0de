from datetime import date

import pytest

from sportsplatform.core.errors import NotFound
from sportsplatform.regions.queries import ancestors, children_of, get_region

pytestmark = pytest.mark.django_db


def _codes(regions):
    return [r.code for r in regions]


def test_children_of_nothing_is_the_top_level():
    assert _codes(children_of()) == ["500000", "510000"]


def test_children_of_sichuan_are_its_21_prefectures():
    prefectures = list(children_of("510000"))

    assert len(prefectures) == 21
    assert {r.level for r in prefectures} == {"prefecture"}
    assert all(r.has_children for r in prefectures)


def test_children_of_chongqing_today_excludes_abolished_districts():
    codes = _codes(children_of("500000"))

    assert len(codes) == 37
    assert "500157" in codes
    assert "500105" not in codes
    assert "500112" not in codes


def test_children_of_chongqing_with_history_includes_abolished_districts():
    codes = _codes(children_of("500000", include_historic=True))

    assert len(codes) == 39
    assert {"500105", "500112", "500157"} <= set(codes)


def test_children_of_chongqing_before_the_change_shows_the_old_districts():
    codes = _codes(children_of("500000", on=date(2025, 11, 5)))

    assert {"500105", "500112"} <= set(codes)
    assert "500157" not in codes


def test_children_of_a_county_is_empty():
    regions = children_of("510104")

    assert list(regions) == []


def test_ancestors_of_a_sichuan_county_are_province_then_prefecture():
    assert _codes(ancestors("510104")) == ["510000", "510100"]


def test_ancestors_of_a_chongqing_district_is_only_the_province():
    assert _codes(ancestors("500157")) == ["500000"]


def test_ancestors_of_a_province_is_empty():
    assert ancestors("510000") == []


def test_ancestors_cost_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        chain = ancestors("513401")

    assert _codes(chain) == ["510000", "513400"]


def test_get_region_of_an_abolished_code_answers_it():
    region = get_region("500105")

    assert region.name == "江北区"
    assert region.successor_id == "500157"
    assert not region.is_current


def test_get_region_unknown_code_raises_not_found():
    with pytest.raises(NotFound):
        get_region("519999")
