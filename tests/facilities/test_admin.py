"""The fitness-facility back office: scoped list, route edited as GeoJSON, equipment inline,
Excel import all or nothing, scoped export, list query budget."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from sportsplatform.facilities.models import Equipment, Facility
from tests.backoffice.conftest import as_user, world  # noqa: F401  (fixtures)
from tests.support.queries import assert_same_query_count

LIST = "/admin/facilities/facility/"
ADD = "/admin/facilities/facility/add/"
ROUTE = [[104.040, 30.640], [104.045, 30.642], [104.050, 30.641]]

_n = {"n": 0}


def make_facility(*, name=None, region="510107", lat="30.640", lng="104.040", **extra) -> Facility:
    _n["n"] += 1
    return Facility.objects.create(
        kind=extra.pop("kind", "fitness_path"),
        name=name or f"健身路径{_n['n']}",
        region_id=region,
        address="某路",
        lat=Decimal(lat),
        lng=Decimal(lng),
        **extra,
    )


def add_data(**changes) -> dict:
    data = {
        "kind": "fitness_path",
        "name": "新健身路径",
        "region": "510107",
        "address": "武侯祠大街",
        "lat": "30.640",
        "lng": "104.040",
        "is_published": "on",
        "equipment-TOTAL_FORMS": "0",
        "equipment-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_facility_list_shows_only_the_users_scope(world, as_user):
    make_facility(name="武侯路径")
    make_facility(name="锦江路径", region="510104", lat="30.62", lng="104.10")

    body = as_user(world.users["wuhou"]).get(LIST).content.decode()

    assert "武侯路径" in body and "锦江路径" not in body


def test_facility_list_query_count_is_constant(world, as_user):
    def make_rows(n):
        for _ in range(n):
            facility = make_facility(managing_organisation=world.orgs["op_wuhou"])
            Equipment.objects.create(facility=facility, kind="单杠", count=2)

    assert_same_query_count(as_user(world.users["chengdu"]), LIST, make_rows)


def test_add_trail_with_geojson_route_computes_length(world, as_user):
    route = json.dumps({"type": "LineString", "coordinates": ROUTE})

    response = as_user(world.users["wuhou"]).post(
        ADD, add_data(kind="trail", trail_kind="walking", name="锦里步道", lat="", lng="", path=route)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    trail = Facility.objects.get(name="锦里步道")
    assert trail.length_m and 900 < trail.length_m < 1100
    assert trail.lat == Decimal("30.640000")


def test_add_trail_with_bad_route_is_a_field_error(world, as_user):
    response = as_user(world.users["wuhou"]).post(
        ADD, add_data(kind="trail", trail_kind="walking", path="[[30.64, 104.04], [30.65, 104.05]]")
    )

    assert response.status_code == 200
    assert "path" in response.context["adminform"].form.errors
    assert not Facility.objects.exists()


def test_add_facility_in_other_county_is_refused(world, as_user):
    response = as_user(world.users["wuhou"]).post(ADD, add_data(region="510104", lat="30.62", lng="104.10"))

    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    assert not Facility.objects.exists()


def test_add_facility_with_equipment_inline(world, as_user):
    data = add_data(
        **{
            "equipment-TOTAL_FORMS": "1",
            "equipment-0-kind": "太空漫步机",
            "equipment-0-count": "6",
            "equipment-0-condition": "good",
        }
    )

    response = as_user(world.users["wuhou"]).post(ADD, data)

    assert response.status_code == 302
    assert Equipment.objects.get().count == 6


def test_other_county_facility_by_url_answers_like_missing(world, as_user):
    other = make_facility(region="510104", lat="30.62", lng="104.10")
    client = as_user(world.users["wuhou"])

    assert client.get(f"{LIST}{other.pk}/change/").status_code == client.get(f"{LIST}999999/change/").status_code


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "类型", "步道类型", "区县代码", "地址", "纬度", "经度", "路线(GeoJSON)"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("f.xlsx", out.getvalue())


GOOD = [
    ["武侯祠健身路径", "健身路径", "", "510107", "武侯祠大街", 30.64, 104.04, ""],
    ["锦里步道", "健身步道", "健走步道", "510107", "锦里", "", "", json.dumps(ROUTE)],
]


def test_import_good_file_creates_every_row(world, as_user):
    response = as_user(world.users["wuhou"]).post(f"{LIST}import-excel/", {"file": xlsx(GOOD)})

    assert response.status_code == 302
    assert Facility.objects.count() == 2
    assert Facility.objects.get(name="锦里步道").length_m > 900


def test_import_one_bad_row_imports_nothing_and_lists_it(world, as_user):
    rows = [*GOOD, ["坏步道", "健身步道", "", "510107", "某路", "", "", "[[1, 2]]"]]

    response = as_user(world.users["wuhou"]).post(f"{LIST}import-excel/", {"file": xlsx(rows)})

    assert response.status_code == 200
    assert [r["number"] for r in response.context["rejected"]["rows"]] == [4]
    assert not Facility.objects.exists()


def test_export_contains_only_scoped_rows(world, as_user):
    make_facility(name="武侯路径")
    make_facility(name="锦江路径", region="510104", lat="30.62", lng="104.10")

    response = as_user(world.users["wuhou"]).get(f"{LIST}export-excel/")

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["武侯路径"]


@pytest.mark.parametrize("user", ["wuhou_operator", "wuhou"])
def test_facility_pages_answer_for_staff(world, as_user, user):
    facility = make_facility(managing_organisation=world.orgs["op_wuhou"])

    client = as_user(world.users[user])

    assert client.get(LIST).status_code == 200
    assert client.get(f"{LIST}{facility.pk}/change/").status_code == 200
