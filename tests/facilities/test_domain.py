"""facilities.domain: scope and county checks, trail routes and their length, equipment."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sportsplatform.core.errors import NotFound, ValidationFailed
from sportsplatform.core.geo import line_length_m
from sportsplatform.facilities.domain.facilities import (
    add_equipment,
    create_facility,
    parse_path,
    set_trail_path,
    update_equipment,
    update_facility,
)
from sportsplatform.facilities.models import Equipment, Facility
from sportsplatform.regions.models import Region
from tests.backoffice.conftest import world  # noqa: F401  (fixture)

# Along 武侯区's 锦里/武侯祠 streets, WGS-84, [lng, lat].
ROUTE = [[104.040, 30.640], [104.045, 30.642], [104.050, 30.641]]


def fitness_path(actor, **extra) -> Facility:
    values = {
        "kind": "fitness_path",
        "name": "武侯祠健身路径",
        "region": Region.objects.get(pk="510107"),
        "address": "武侯祠大街",
        "lat": Decimal("30.640"),
        "lng": Decimal("104.040"),
    }
    values.update(extra)
    return create_facility(actor=actor, **values)


def test_create_trail_point_is_its_start_and_length_is_computed(world):
    trail = fitness_path(
        world.users["wuhou"], kind="trail", trail_kind="walking", name="锦里步道", lat=None, lng=None, path=ROUTE
    )

    trail.refresh_from_db()
    assert (trail.lng, trail.lat) == (Decimal("104.040000"), Decimal("30.640000"))
    assert trail.length_m == line_length_m(ROUTE)
    assert 900 < trail.length_m < 1100


def test_set_trail_path_recomputes_the_length(world):
    trail = fitness_path(world.users["wuhou"], kind="trail", trail_kind="walking", lat=None, lng=None, path=ROUTE)

    set_trail_path(facility=trail, path={"type": "LineString", "coordinates": ROUTE[:2]}, actor=world.users["wuhou"])

    trail.refresh_from_db()
    assert trail.length_m == line_length_m(ROUTE[:2])


@pytest.mark.parametrize(
    "path",
    [
        "[[104.04, 30.64]]",  # one point
        "[[30.64, 104.04], [30.65, 104.05]]",  # latitude first: outside China
        '{"type": "Point", "coordinates": [104.04, 30.64]}',
        "not json",
        '[[104.04, "x"], [104.05, 30.65]]',
        "[[104.04, 30.64], [104.04, 30.64]]",
    ],
)
def test_parse_path_refuses_bad_routes(path):
    with pytest.raises(ValidationFailed) as exc:
        parse_path(path)

    assert "path" in exc.value.fields


def test_parse_path_accepts_a_geojson_feature():
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": ROUTE}}

    assert parse_path(feature) == ROUTE


def test_trail_without_route_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        fitness_path(world.users["wuhou"], kind="trail", trail_kind="hiking")

    assert "path" in exc.value.fields


def test_trail_starting_in_another_county_is_refused(world):
    route = [[104.10, 30.62], [104.11, 30.63]]  # 锦江区

    with pytest.raises(ValidationFailed) as exc:
        fitness_path(world.users["wuhou"], kind="trail", trail_kind="walking", path=route, lat=None, lng=None)

    assert "path" in exc.value.fields
    assert not Facility.objects.exists()


def test_non_trail_with_route_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        fitness_path(world.users["wuhou"], path=ROUTE)

    assert "path" in exc.value.fields


def test_create_facility_other_county_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        fitness_path(
            world.users["wuhou"], region=Region.objects.get(pk="510104"), lat=Decimal("30.62"), lng=Decimal("104.10")
        )

    assert "region" in exc.value.fields


def test_operator_creates_only_for_own_organisation(world):
    with pytest.raises(ValidationFailed):
        fitness_path(world.users["wuhou_operator"])

    facility = fitness_path(world.users["wuhou_operator"], managing_organisation=world.orgs["op_wuhou"])

    assert facility.managing_organisation_id == world.orgs["op_wuhou"].pk


def test_update_facility_of_another_operator_answers_not_found(world):
    facility = fitness_path(world.users["admin"], managing_organisation=world.orgs["op_wuhou"])
    facility.name = "改名"

    with pytest.raises(NotFound):
        update_facility(facility=facility, actor=world.users["jinjiang_operator"])


def test_equipment_add_and_update_checks_count_and_dates(world):
    facility = fitness_path(world.users["wuhou"])

    item = add_equipment(
        facility=facility, kind="太空漫步机", count=4, installed_on=date(2020, 5, 1), actor=world.users["wuhou"]
    )
    item.last_inspected_on = date(2019, 1, 1)
    with pytest.raises(ValidationFailed):
        update_equipment(equipment=item, actor=world.users["wuhou"])
    with pytest.raises(ValidationFailed):
        add_equipment(facility=facility, kind="单杠", count=0, actor=world.users["wuhou"])

    assert Equipment.objects.get().last_inspected_on is None


def test_equipment_out_of_scope_facility_answers_not_found(world):
    facility = fitness_path(world.users["admin"])

    with pytest.raises(NotFound):
        add_equipment(facility=facility, kind="单杠", actor=world.users["jinjiang_operator"])
