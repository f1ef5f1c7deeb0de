"""A box with more places than the map can usefully show answers with grid clusters."""

import pytest

from sportsplatform.maps import queries
from tests.venues.factories import make_venue

pytestmark = pytest.mark.django_db
PROVINCE = "97.3,26.0,108.6,34.4"


@pytest.fixture
def venues():
    # Two near Chengdu's centre (one cell at province scale), one in Mianyang.
    return [
        make_venue(name="A", lat="30.640000", lng="104.040000"),
        make_venue(name="B", lat="30.650000", lng="104.050000"),
        make_venue(name="C", region="510703", lat="31.470000", lng="104.680000"),
    ]


def get(client, **params):
    response = client.get("/api/v1/map/features", {"bbox": PROVINCE, **params})
    assert response.status_code == 200
    return response.json()


def test_clusters_count_places_per_cell_and_layer(client, venues):
    body = get(client, cluster="true", types="venues")

    assert body["clustered"] is True
    counts = sorted(f["properties"]["count"] for f in body["features"])
    assert counts == [1, 2]
    big = next(f for f in body["features"] if f["properties"]["count"] == 2)
    lng, lat = big["geometry"]["coordinates"]
    assert lat == pytest.approx(30.645, abs=1e-6) and lng == pytest.approx(104.045, abs=1e-6)
    west, south, east, north = big["properties"]["cell"]
    assert west <= 104.04 < east and south <= 30.64 < north
    assert big["properties"]["layer"] == "venue"


def test_auto_answers_places_below_the_threshold(client, venues):
    body = get(client)
    assert body["clustered"] is False
    assert {f["properties"]["name"] for f in body["features"]} == {"A", "B", "C"}


def test_auto_answers_clusters_above_the_threshold(client, venues, monkeypatch):
    monkeypatch.setattr(queries, "CLUSTER_THRESHOLD", 2)
    body = get(client)
    assert body["clustered"] is True
    assert sum(f["properties"]["count"] for f in body["features"]) == 3


def test_never_cluster_when_asked_for_places(client, venues, monkeypatch):
    monkeypatch.setattr(queries, "CLUSTER_THRESHOLD", 2)
    assert get(client, cluster="false")["clustered"] is False


def test_cluster_parameter_is_validated(client, venues):
    response = client.get("/api/v1/map/features", {"bbox": PROVINCE, "cluster": "maybe"})
    assert response.status_code == 400
    assert "cluster" in response.json()["error"]["fields"]
