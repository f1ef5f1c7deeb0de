"""GET /api/v1/facilities and /api/v1/facilities/{id} (API.md, "Places")."""

from __future__ import annotations

import pytest

from tests.support.queries import assert_same_query_count

from .factories import make_equipment, make_facility, make_trail

pytestmark = pytest.mark.django_db

LIST_KEYS = {
    "id", "name", "kind", "trail_kind", "region_code", "address", "lat", "lng", "length_m", "area", "year_built",
    "phone", "equipment_count",
}  # fmt: skip


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_list_rows_carry_the_fields_and_the_equipment_total(client):
    path = make_facility(name="望江健身路径", area="350.0", year_built=2019)
    make_equipment(path, kind="太空漫步机", count=2)
    make_equipment(path, kind="扭腰器", count=3)
    make_equipment(path, kind="旧单杠", count=5, condition="removed")

    body = client.get("/api/v1/facilities").json()

    assert body.keys() == {"count", "next", "previous", "results"}
    [row] = body["results"]
    assert row.keys() >= LIST_KEYS
    assert row["equipment_count"] == 5
    assert row["area"] == 350.0
    assert row["kind"] == "fitness_path"
    assert row["region_code"] == "510107"


def test_list_filters_by_type_and_by_kind(client):
    make_facility(name="路径", kind="fitness_path")
    make_trail(name="绿道")

    assert names(client.get("/api/v1/facilities?type=trail")) == ["绿道"]
    assert names(client.get("/api/v1/facilities?kind=fitness_path")) == ["路径"]


def test_list_filters_by_trail_kind_region_and_words(client):
    make_trail(name="锦江绿道", trail_kind="cycling")
    make_trail(name="龙泉山步道", trail_kind="hiking", region="510112")

    assert names(client.get("/api/v1/facilities?trail_kind=hiking")) == ["龙泉山步道"]
    assert names(client.get("/api/v1/facilities?region=510107")) == ["锦江绿道"]
    assert names(client.get("/api/v1/facilities", {"q": "龙泉"})) == ["龙泉山步道"]


def test_list_near_orders_by_distance(client):
    make_facility(name="远", lat="30.70", lng="104.04")
    make_facility(name="近", lat="30.641", lng="104.04")

    response = client.get("/api/v1/facilities?near=30.64,104.04")

    assert names(response) == ["近", "远"]
    assert response.json()["results"][0]["distance_m"] == pytest.approx(111, abs=2)


def test_list_hides_unpublished(client):
    make_facility(name="草稿", is_published=False)

    assert names(client.get("/api/v1/facilities")) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=castle", "type"),
        ("kind=castle", "kind"),
        ("type=trail&kind=fitness_path", "kind"),
        ("trail_kind=swimming", "trail_kind"),
        ("region=51", "region"),
        ("near=north", "near"),
        ("radius=100", "radius"),
    ],
)
def test_list_bad_input_is_400_with_field_errors(client, query, field):
    response = client.get(f"/api/v1/facilities?{query}")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_list_costs_the_same_queries_for_1_and_20_facilities(client):
    def make_facilities(n):
        for i in range(n):
            facility = make_trail() if i % 2 else make_facility()
            make_equipment(facility, count=2)

    assert_same_query_count(client, "/api/v1/facilities?page_size=50", make_facilities)


def test_detail_of_a_trail_has_its_line_and_equipment(client):
    trail = make_trail(name="江滩步道", path=[[104.04, 30.64], [104.05, 30.64]])
    make_equipment(trail, kind="拉伸架", count=2, condition="worn")

    body = client.get(f"/api/v1/facilities/{trail.pk}").json()

    assert body["path"] == {"type": "LineString", "coordinates": [[104.04, 30.64], [104.05, 30.64]]}
    assert 950 < body["length_m"] < 970
    assert [(e["kind"], e["count"], e["condition"]) for e in body["equipment"]] == [("拉伸架", 2, "worn")]
    assert body["trail_kind"] == "walking"
    assert "to=104.042444,30.637521," in body["navigation"]["amap"]


def test_detail_of_a_point_facility_has_no_line(client):
    facility = make_facility(managing_body="武侯区体育中心")

    body = client.get(f"/api/v1/facilities/{facility.pk}").json()

    assert body["path"] is None
    assert body["managed_by"] == "武侯区体育中心"
    assert body["managing_organisation"] is None


def test_detail_of_unpublished_facility_is_404(client):
    facility = make_facility(is_published=False)

    response = client.get(f"/api/v1/facilities/{facility.pk}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_and_detail_are_cacheable_for_a_minute(client):
    facility = make_facility()

    assert "max-age=60" in client.get("/api/v1/facilities")["Cache-Control"]
    assert "max-age=60" in client.get(f"/api/v1/facilities/{facility.pk}")["Cache-Control"]
