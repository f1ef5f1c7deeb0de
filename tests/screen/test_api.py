"""GET /api/v1/dashboard/summary: who may ask, for which region, and what it costs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sportsplatform.accounts.domain.tokens import issue_token
from sportsplatform.venues.models import Venue
from tests.facilities.factories import make_equipment, make_facility
from tests.support import accounts
from tests.support.queries import assert_same_query_count
from tests.venues.factories import make_venue

from .factories import local, make_booking, make_occupancy, make_rollup

pytestmark = pytest.mark.django_db

URL = "/api/v1/dashboard/summary"

# The summary's fixed cost: scope (memberships), the region, the breadcrumb, the divisions inside
# it, then one aggregate per figure (venues, open now, facilities, equipment, visitors, busiest,
# bookings, day trend, payments trend, hours), plus one count for each figure the events and
# training apps register (events, participants, courses, instructors). Whatever the number of venues.
MAX_QUERIES = 20


@pytest.fixture
def regions():
    return accounts.ensure_regions()


def bearer(user) -> dict[str, str]:
    _, key = issue_token(user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def error_code(response) -> str:
    return response.json()["error"]["code"]


@pytest.fixture
def chengdu_official(regions):
    return accounts.make_official(region_code="510100")


# --- who may ask ----------------------------------------------------------------------------


def test_summary_refuses_anonymous_callers(client, regions):
    response = client.get(URL)

    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


def test_summary_refuses_public_users_and_operators(client, regions):
    public = accounts.make_public_user(phone="13900000002")
    operator = accounts.make_operator(region_code="510107")

    for user in (public, operator):
        response = client.get(URL, headers=bearer(user))
        assert response.status_code == 403, user
        assert error_code(response) == "permission_denied"
        assert "体育" in response.json()["error"]["message"]


def test_chengdu_official_gets_chengdu_by_default_and_its_counties(client, chengdu_official):
    make_venue(name="成都馆", region="510107")
    make_venue(name="绵阳馆", region="510703")

    home = client.get(URL, headers=bearer(chengdu_official))
    county = client.get(URL, {"region": "510107"}, headers=bearer(chengdu_official))

    assert home.status_code == 200
    assert home.json()["region"] == {"code": "510100", "name": "成都市", "level": "prefecture"}
    assert home.json()["venues"]["total"] == 1
    assert home.json()["breadcrumb"] == []  # the province is not theirs to open
    assert county.status_code == 200
    assert county.json()["breadcrumb"] == [{"code": "510100", "name": "成都市", "level": "prefecture"}]


@pytest.mark.parametrize("code", ["510000", "510700", "510703", "999999", "500000"])
def test_region_outside_the_scope_answers_like_a_missing_one(client, chengdu_official, code):
    response = client.get(URL, {"region": code}, headers=bearer(chengdu_official))

    assert response.status_code == 404
    assert error_code(response) == "not_found"


@pytest.mark.parametrize("code", ["5101", "abcdef", "0510100", "510100;"])
def test_malformed_region_is_a_400_naming_the_field(client, chengdu_official, code):
    response = client.get(URL, {"region": code}, headers=bearer(chengdu_official))

    assert response.status_code == 400
    assert "region" in response.json()["error"]["fields"]


def test_province_official_and_platform_admin_may_open_any_city(client, regions):
    province = accounts.make_official(region_code="510000")
    make_venue(region="510703")
    admin_user = accounts.make_public_user(phone="13900000003")
    admin_user.is_superuser = True
    admin_user.save(update_fields=["is_superuser"])

    for user in (province, admin_user):
        response = client.get(URL, {"region": "510700"}, headers=bearer(user))
        assert response.status_code == 200
        assert response.json()["venues"]["total"] == 1
        assert response.json()["breadcrumb"] == [{"code": "510000", "name": "四川省", "level": "province"}]
    assert client.get(URL, headers=bearer(province)).json()["region"]["code"] == "510000"


def test_county_official_sees_only_their_county(client, regions):
    wuhou = accounts.make_official(region_code="510107")
    make_venue(region="510107")
    make_venue(region="510104")

    home = client.get(URL, headers=bearer(wuhou))

    assert home.json()["region"]["code"] == "510107"
    assert home.json()["venues"]["total"] == 1
    assert client.get(URL, {"region": "510100"}, headers=bearer(wuhou)).status_code == 404
    assert client.get(URL, {"region": "510104"}, headers=bearer(wuhou)).status_code == 404


def test_session_of_an_official_works_for_the_screen_page(client, chengdu_official):
    client.force_login(chengdu_official)

    response = client.get(URL, {"region": "510100"})

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private") or "private" in response["Cache-Control"]


# --- cost -----------------------------------------------------------------------------------


def _venue_with_everything(n: int, buyer):
    today = timezone.localdate()
    for i in range(n):
        venue = make_venue(region=("510107", "510104")[i % 2], capacity=100, site_area=1000)
        make_occupancy(venue, today_in=10 + i, today_out=i)
        make_rollup(venue, day=today, entries=10 + i)
        make_rollup(venue, day=today, hour=9, entries=10 + i)
        make_booking(venue, user=buyer, amount="30.00", paid_at=local(today, 0, 1))
        make_equipment(make_facility(region=venue.region_id), count=3)


def test_summary_costs_the_same_queries_for_one_venue_as_for_twenty(client, chengdu_official):
    buyer = accounts.make_public_user(phone="13900000004")
    headers = bearer(chengdu_official)

    _few, many = assert_same_query_count(
        client, f"{URL}?region=510100", lambda n: _venue_with_everything(n, buyer), headers=headers
    )

    assert many.count <= MAX_QUERIES, many.describe()
    assert Venue.objects.count() == 20


def test_summary_query_count_is_bounded_for_the_province(client, regions):
    province = accounts.make_official(region_code="510000")
    buyer = accounts.make_public_user(phone="13900000005")
    _venue_with_everything(3, buyer)
    headers = bearer(province)
    client.get(URL, headers=headers)
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, headers=headers)

    assert response.status_code == 200
    assert len(captured) <= MAX_QUERIES, "\n".join(q["sql"] for q in captured.captured_queries)


def test_cached_summary_answers_from_the_cache(client, chengdu_official):
    headers = bearer(chengdu_official)
    client.get(URL, headers=headers)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, headers=headers)

    assert response.status_code == 200
    # Authentication, scope and region only: the figures come from the cache.
    assert len(captured) <= 6, "\n".join(q["sql"] for q in captured.captured_queries)


def test_schema_documents_the_summary(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()

    operation = schema["paths"]["/api/v1/dashboard/summary"]["get"]
    assert operation["operationId"] == "dashboard_summary"
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    assert [p["name"] for p in operation["parameters"]] == ["region"]
