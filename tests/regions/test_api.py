"""GET /api/v1/regions and /api/v1/regions/{code} through the project's URLconf."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/regions"


def test_regions_list_url_is_wired_under_api_v1():
    assert reverse("api:region-list") == LIST_URL
    assert reverse("api:region-detail", args=["510100"]) == "/api/v1/regions/510100"


def test_regions_list_without_parent_is_the_top_level(client):
    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert [r["code"] for r in response.json()] == ["500000", "510000"]


def test_regions_list_of_sichuan_is_21_prefectures_in_the_contract_shape(client):
    response = client.get(LIST_URL, {"parent": "510000"})

    body = response.json()
    assert response.status_code == 200
    assert isinstance(body, list)
    assert len(body) == 21
    chengdu = next(r for r in body if r["code"] == "510100")
    assert chengdu == {
        "code": "510100",
        "name": "成都市",
        "level": "prefecture",
        "parent": "510000",
        "lat": 30.575347,
        "lng": 104.064289,
        "valid_from": None,
        "valid_to": None,
        "successor": None,
        "has_children": True,
    }


def test_regions_list_of_chongqing_hides_abolished_districts(client):
    body = client.get(LIST_URL, {"parent": "500000"}).json()

    codes = {r["code"] for r in body}
    assert len(body) == 37
    assert "500105" not in codes
    assert "500157" in codes


def test_regions_list_include_historic_shows_abolished_districts_with_successor(client):
    body = client.get(LIST_URL, {"parent": "500000", "include_historic": "1"}).json()

    jiangbei = next(r for r in body if r["code"] == "500105")
    assert len(body) == 39
    assert jiangbei["valid_to"] == "2025-11-06"
    assert jiangbei["successor"] == "500157"


def test_regions_list_on_a_past_day_shows_the_divisions_of_that_day(client):
    body = client.get(LIST_URL, {"parent": "500000", "on": "2025-01-01"}).json()

    codes = {r["code"] for r in body}
    assert {"500105", "500112"} <= codes
    assert "500157" not in codes


def test_regions_list_blank_parent_is_the_top_level(client):
    response = client.get(LIST_URL, {"parent": ""})

    assert [r["code"] for r in response.json()] == ["500000", "510000"]


def test_regions_list_is_publicly_cacheable_for_an_hour(client):
    response = client.get(LIST_URL, {"parent": "510000"})

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=3600"} <= cache_control


def test_regions_list_unknown_parent_is_404_in_the_error_format(client):
    response = client.get(LIST_URL, {"parent": "519999"})

    body = response.json()
    assert response.status_code == 404
    assert body["error"]["code"] == "not_found"
    assert "519999" in body["error"]["message"]
    assert body["error"]["fields"] == {}
    assert "public" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("parent", ["51000", "5100000", "abcdef", "010000", "51000x"])
def test_regions_list_malformed_parent_is_400_with_a_field_error(client, parent):
    response = client.get(LIST_URL, {"parent": parent})

    body = response.json()
    assert response.status_code == 400
    assert body["error"]["code"] == "invalid"
    assert list(body["error"]["fields"]) == ["parent"]


@pytest.mark.parametrize(("param", "value"), [("include_historic", "perhaps"), ("on", "2025-13-01")])
def test_regions_list_malformed_option_is_400_with_a_field_error(client, param, value):
    response = client.get(LIST_URL, {"parent": "500000", param: value})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [param]


def test_regions_list_error_message_follows_accept_language(client):
    english = client.get(LIST_URL, {"parent": "51"}, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(LIST_URL, {"parent": "51"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert english["error"]["message"].startswith("Enter a six-digit")
    assert chinese["error"]["message"] != english["error"]["message"]
    assert "六位" in chinese["error"]["message"]


@pytest.mark.parametrize("params", [{}, {"parent": "510000"}, {"parent": "500000", "include_historic": "1"}])
def test_regions_list_query_count_is_constant(client, django_assert_max_num_queries, params):
    client.get(LIST_URL, params)  # warm per-process caches

    with django_assert_max_num_queries(2):
        response = client.get(LIST_URL, params)

    assert response.status_code == 200


def test_regions_detail_has_ancestors_top_down(client):
    response = client.get("/api/v1/regions/513401")

    body = response.json()
    assert response.status_code == 200
    assert body["code"] == "513401"
    assert body["level"] == "county"
    assert body["parent"] == "513400"
    assert body["has_children"] is False
    assert body["ancestors"] == [
        {"code": "510000", "name": "四川省", "level": "province"},
        {"code": "513400", "name": "凉山彝族自治州", "level": "prefecture"},
    ]
    assert "max-age=3600" in response["Cache-Control"]


def test_regions_detail_of_an_abolished_district_names_its_successor(client):
    body = client.get("/api/v1/regions/500112").json()

    assert body["name"] == "渝北区"
    assert body["valid_to"] == "2025-11-06"
    assert body["successor"] == "500157"
    assert body["ancestors"] == [{"code": "500000", "name": "重庆市", "level": "province"}]


def test_regions_detail_unknown_code_is_404(client):
    response = client.get("/api/v1/regions/519999")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_regions_detail_malformed_code_is_400_with_a_field_error(client):
    response = client.get("/api/v1/regions/chengdu")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["code"]


def test_regions_detail_costs_one_query(client, django_assert_max_num_queries):
    client.get("/api/v1/regions/510104")

    with django_assert_max_num_queries(1):
        client.get("/api/v1/regions/510104")


def test_regions_schema_documents_both_endpoints_and_their_parameters(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    schema = response.json()
    list_op = schema["paths"]["/api/v1/regions"]["get"]
    detail_op = schema["paths"]["/api/v1/regions/{code}"]["get"]
    assert {p["name"] for p in list_op["parameters"]} >= {"parent", "include_historic", "on"}
    assert {"200", "400", "404"} <= set(list_op["responses"])
    assert list_op["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert {"200", "400", "404"} <= set(detail_op["responses"])
