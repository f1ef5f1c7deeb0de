"""GET /api/v1/map/features (API.md, "Places"): GeoJSON of venues and facilities in a box."""

from __future__ import annotations

import pytest

from sportsplatform.maps.queries import BBox, map_features
from tests.facilities.factories import make_facility, make_trail
from tests.support.queries import assert_same_query_count
from tests.venues.factories import make_venue

pytestmark = pytest.mark.django_db

CHENGDU = "103.5,30.3,104.5,31.0"
ALL_DAY = {d: [("00:00", "23:59:59")] for d in range(7)}


def features(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return body["features"]


def by_name(response):
    return {f["properties"]["name"]: f for f in features(response)}


def test_features_are_the_venues_and_facilities_inside_the_box(client):
    make_venue(name="成都体育馆", lat="30.64", lng="104.04")
    make_venue(name="绵阳体育馆", region="510703", lat="31.46", lng="104.68")
    make_facility(name="望江健身路径", lat="30.63", lng="104.08")

    assert set(by_name(client.get(f"/api/v1/map/features?bbox={CHENGDU}"))) == {"成都体育馆", "望江健身路径"}


def test_venue_feature_is_a_point_with_its_properties(client):
    venue = make_venue(
        name="羽毛球馆", type="gymnasium", lat="30.64", lng="104.04", sports=("badminton",), hours=ALL_DAY
    )

    feature = by_name(client.get(f"/api/v1/map/features?bbox={CHENGDU}"))["羽毛球馆"]

    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [104.04, 30.64]}
    props = feature["properties"]
    assert props["id"] == venue.pk
    assert props["layer"] == "venue"
    assert props["type"] == "gymnasium"
    assert props["type_label"]
    assert props["open_now"] is True
    assert props["sports"] == ["badminton"]
    assert props["url"] is None or props["url"].endswith(f"/{venue.pk}/")


def test_trails_are_linestrings_of_their_path(client):
    path = [[104.04, 30.64], [104.05, 30.65], [104.06, 30.65]]
    make_trail(name="锦江绿道", path=path)
    make_facility(name="健身路径", lat="30.65", lng="104.05")

    found = by_name(client.get(f"/api/v1/map/features?bbox={CHENGDU}"))

    assert found["锦江绿道"]["geometry"] == {"type": "LineString", "coordinates": path}
    assert found["锦江绿道"]["properties"]["layer"] == "facility"
    assert found["锦江绿道"]["properties"]["trail_kind"] == "walking"
    assert found["健身路径"]["geometry"]["type"] == "Point"
    assert found["健身路径"]["properties"]["open_now"] is None


def test_types_filter_by_venue_type_facility_kind_and_group(client):
    make_venue(name="体育馆", type="gymnasium")
    make_venue(name="游泳馆", type="natatorium")
    make_trail(name="绿道")
    make_facility(name="路径", kind="fitness_path")

    def names(types):
        return set(by_name(client.get(f"/api/v1/map/features?bbox={CHENGDU}&types={types}")))

    assert names("gymnasium,natatorium,trail") == {"体育馆", "游泳馆", "绿道"}
    assert names("venues") == {"体育馆", "游泳馆"}
    assert names("facilities") == {"绿道", "路径"}
    assert names("natatorium,facilities") == {"游泳馆", "绿道", "路径"}
    assert names("") == {"体育馆", "游泳馆", "绿道", "路径"}


def test_a_type_both_layers_know_selects_both(client):
    make_venue(name="体育公园馆", type="sports_park")
    make_facility(name="体育公园", kind="sports_park")

    assert set(by_name(client.get(f"/api/v1/map/features?bbox={CHENGDU}&types=sports_park"))) == {
        "体育公园馆",
        "体育公园",
    }


def test_unpublished_places_are_not_on_the_map(client):
    make_venue(name="草稿馆", is_published=False)
    make_facility(name="草稿点", is_published=False)

    assert features(client.get(f"/api/v1/map/features?bbox={CHENGDU}")) == []


def test_feature_limit_truncates_and_says_so():
    for _ in range(3):
        make_venue()
    make_facility()

    collection = map_features(bbox=BBox(103.5, 30.3, 104.5, 31.0), limit=2)

    assert len(collection["features"]) == 2
    assert collection["truncated"] is True
    assert map_features(bbox=BBox(103.5, 30.3, 104.5, 31.0), limit=4)["truncated"] is False


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "bbox"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=104.5,30.3,103.5,31.0", "bbox"),  # min lng after max lng
        ("bbox=103.5,31.0,104.5,30.3", "bbox"),  # min lat after max lat
        ("bbox=-190,30,104,31", "bbox"),
        ("bbox=103,30,104,95", "bbox"),
        ("bbox=103,30,104,nan", "bbox"),
        (f"bbox={CHENGDU}&types=castle", "types"),
    ],
)
def test_bad_input_is_400_with_field_errors(client, query, field):
    response = client.get(f"/api/v1/map/features?{query}")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_answer_is_json_and_cacheable(client):
    response = client.get(f"/api/v1/map/features?bbox={CHENGDU}")

    assert response["Content-Type"] == "application/json"
    assert "max-age=60" in response["Cache-Control"]


def test_features_cost_the_same_queries_for_1_and_20_of_each(client):
    def make_places(n):
        for i in range(n):
            make_venue(sports=("badminton", "swimming"))
            make_trail() if i % 2 else make_facility()

    assert_same_query_count(client, f"/api/v1/map/features?bbox={CHENGDU}", make_places)
