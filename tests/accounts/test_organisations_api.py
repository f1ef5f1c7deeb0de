"""The scoped organisations API: a county official never reaches another county's records,
neither by the list nor by guessing an id."""

import pytest
from rest_framework.test import APIClient

from sportsplatform.accounts.domain.tokens import issue_token
from sportsplatform.accounts.domain.users import create_organisation, create_user, grant_membership
from sportsplatform.accounts.models import OrganisationKind
from sportsplatform.regions.models import Region
from tests.support.queries import assert_same_query_count

pytestmark = pytest.mark.django_db


def org(code, name, kind=OrganisationKind.OPERATOR):
    return create_organisation(name=name, kind=kind, region=Region.objects.get(code=code))


def official(code, username):
    user = create_user(username=username, password="Str0ng!pass")
    grant_membership(user=user, organisation=org(code, f"{code}体育局", OrganisationKind.BUREAU))
    return user


def client_for(user):
    _token, key = issue_token(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def operators():
    return {
        "wuhou": org("510107", "武侯区全民健身中心"),
        "jinjiang": org("510104", "锦江区体育中心"),
        "mianyang": org("510703", "涪城区体育馆"),
    }


def names(response):
    return {row["name"] for row in response.json()["results"]}


def test_organisations_county_official_lists_only_their_county(operators):
    client = client_for(official("510107", "wuhou"))

    response = client.get("/api/v1/organisations", {"kind": "operator"})

    assert response.status_code == 200
    assert names(response) == {"武侯区全民健身中心"}


def test_organisations_county_official_gets_404_for_another_countys_id(operators):
    client = client_for(official("510107", "wuhou"))

    response = client.get(f"/api/v1/organisations/{operators['jinjiang'].pk}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    # Exactly like an id that does not exist at all.
    assert client.get("/api/v1/organisations/99999999").json() == response.json()


def test_organisations_city_official_sees_every_county_of_the_city(operators):
    client = client_for(official("510100", "chengdu"))

    response = client.get("/api/v1/organisations", {"kind": "operator"})

    assert names(response) == {"武侯区全民健身中心", "锦江区体育中心"}
    assert client.get(f"/api/v1/organisations/{operators['mianyang'].pk}").status_code == 404


def test_organisations_region_filter_cannot_widen_the_scope(operators):
    client = client_for(official("510107", "wuhou"))

    response = client.get("/api/v1/organisations", {"region": "510000", "kind": "operator"})

    assert names(response) == {"武侯区全民健身中心"}


def test_organisations_operator_staff_sees_only_their_own(operators):
    staff = create_user(username="op", password="Str0ng!pass")
    grant_membership(user=staff, organisation=operators["wuhou"])

    response = client_for(staff).get("/api/v1/organisations")

    assert names(response) == {"武侯区全民健身中心"}


def test_organisations_public_user_is_403_and_anonymous_401(operators):
    public = create_user(username="public", phone="13800005555")

    assert client_for(public).get("/api/v1/organisations").status_code == 403
    anonymous = APIClient().get("/api/v1/organisations")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"


def test_organisations_bad_filter_is_400_with_field_error(operators):
    client = client_for(official("510107", "wuhou"))

    response = client.get("/api/v1/organisations", {"region": "51"})

    assert response.status_code == 400
    assert "region" in response.json()["error"]["fields"]


def test_organisations_list_query_count_does_not_grow_with_rows():
    client = client_for(official("510000", "sichuan"))
    made = []

    def make_rows(n):
        for _ in range(n):
            made.append(org("510107", f"测试运营单位{len(made)}"))

    assert_same_query_count(client, "/api/v1/organisations?kind=operator", make_rows)


def test_organisations_malformed_id_is_401_anonymous_and_404_signed_in(operators):
    assert APIClient().get("/api/v1/organisations/null,null").status_code == 401
    client = client_for(official("510107", "wuhou"))
    response = client.get("/api/v1/organisations/null,null")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
