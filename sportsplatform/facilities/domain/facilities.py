"""Writes on fitness facilities and their equipment inventory.

Same rules as venues (venues.domain): platform admins anywhere, bureau officials in their region,
the managing organisation's staff for their own facilities (and may create only those); the point
must lie in the county. A trail is a line, [[lng, lat], ...] in GeoJSON order, of at least two
points inside China; its start is the facility's point and its length is computed by the model."""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from sportsplatform.accounts.models import OrganisationKind
from sportsplatform.core import audit
from sportsplatform.core.errors import ValidationFailed
from sportsplatform.venues.domain.checks import (
    Problems,
    check_in_scope,
    check_model_fields,
    check_organisation,
    check_point,
    check_region,
    related_or_none,
    require_stored_in_scope,
    stored_values,
)
from sportsplatform.venues.domain.location import in_china_bbox

from ..models import Equipment, EquipmentCondition, Facility, FacilityKind, TrailKind

MANAGING_KINDS = (OrganisationKind.OPERATOR,)
MAX_PATH_POINTS = 20_000


# --- trail lines ----------------------------------------------------------------------------------


def parse_path(value) -> list[list[float]]:
    """A trail's line from GeoJSON text or data: a LineString geometry, a Feature holding one, or a
    bare coordinate list. Returns [[lng, lat], ...] rounded to 6 decimals (about 0.1 m), or raises
    ValidationFailed (field "path")."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        try:
            value = json.loads(text)
        except ValueError:
            raise _path_error(_("The route is not valid GeoJSON.")) from None
    if isinstance(value, dict):
        if value.get("type") == "Feature":
            value = value.get("geometry") or {}
        if value.get("type") != "LineString":
            raise _path_error(_("The route must be a GeoJSON LineString."))
        value = value.get("coordinates")
    if not isinstance(value, list):
        raise _path_error(_("The route must be a list of [longitude, latitude] points."))
    if len(value) < 2:
        raise _path_error(_("A route needs at least two points."))
    if len(value) > MAX_PATH_POINTS:
        raise _path_error(_("A route may have at most %(max)s points.") % {"max": MAX_PATH_POINTS})
    points: list[list[float]] = []
    for index, point in enumerate(value, start=1):
        if not isinstance(point, list | tuple) or len(point) not in (2, 3):
            raise _path_error(_("Point %(n)s is not a [longitude, latitude] pair.") % {"n": index})
        try:
            lng, lat = float(point[0]), float(point[1])
        except (TypeError, ValueError):
            raise _path_error(_("Point %(n)s is not a pair of numbers.") % {"n": index}) from None
        if not (math.isfinite(lng) and math.isfinite(lat)) or not in_china_bbox(lat, lng):
            raise _path_error(
                _("Point %(n)s (%(lng)s, %(lat)s) lies outside China: GeoJSON puts longitude first.")
                % {"n": index, "lng": point[0], "lat": point[1]}
            )
        points.append([round(lng, 6), round(lat, 6)])
    if all(p == points[0] for p in points):
        raise _path_error(_("All points of the route are the same."))
    return points


def _path_error(message) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_path", fields={"path": [str(message)]})


# --- the facility record --------------------------------------------------------------------------


def facility_problems(*, facility: Facility, actor) -> Problems:
    problems = Problems()
    facility.name = (facility.name or "").strip()
    facility.address = (facility.address or "").strip()
    facility.managing_body = (facility.managing_body or "").strip()
    if not facility.name:
        problems.add("name", _("Enter the facility's name."))
    if not facility.address:
        problems.add("address", _("Enter the address."))
    if facility.kind == FacilityKind.TRAIL:
        if facility.trail_kind not in TrailKind.values:
            problems.add("trail_kind", _("Choose the kind of trail (hiking, walking or cycling)."))
        if not facility.path:
            problems.add("path", _("A fitness trail needs its route."))
        else:
            try:
                facility.path = parse_path(facility.path)
            except ValidationFailed as exc:
                problems.add("path", exc.fields["path"][0])
            else:
                # A trail's point is where it starts.
                facility.lng, facility.lat = (Decimal(str(c)).quantize(Decimal("0.000001")) for c in facility.path[0])
    else:
        if facility.trail_kind:
            problems.add("trail_kind", _("Only fitness trails have a trail kind."))
        if facility.path:
            problems.add("path", _("Only fitness trails have a route."))
    exclude = ["search_text", "region", "managing_organisation", "name", "address", "path", "length_m"]
    if facility.kind == FacilityKind.TRAIL and "path" in problems:
        exclude += ["lat", "lng"]  # a trail's point comes from its route: one message is enough
    check_model_fields(facility, problems, exclude=tuple(exclude))
    if facility.area is not None and Decimal(facility.area) < 0:
        problems.add("area", _("An area cannot be negative."))

    before = stored_values(facility, "region_id")
    region = related_or_none(facility, "region")
    if facility.region_id and region is None:
        problems.add("region", _("Unknown region %(code)s.") % {"code": facility.region_id})
    else:
        check_region(actor, region, problems, changed=before.get("region_id") != facility.region_id)
    check_organisation(
        actor,
        related_or_none(facility, "managing_organisation"),
        problems,
        field="managing_organisation",
        kinds=MANAGING_KINDS,
    )
    check_in_scope(
        actor,
        region_code=facility.region_id,
        organisation_id=facility.managing_organisation_id,
        problems=problems,
        field="region" if "region" not in problems else "managing_organisation",
    )
    if not ({"lat", "lng", "path"} & problems.keys()):
        field = "path" if facility.kind == FacilityKind.TRAIL else "lat"
        check_point(facility.lat, facility.lng, region if "region" not in problems else None, problems, field=field)
    return problems


@transaction.atomic
def create_facility(
    *,
    actor,
    kind: str,
    name: str,
    region,
    address: str,
    lat: Decimal | str | float | None = None,
    lng: Decimal | str | float | None = None,
    path=None,
    trail_kind: str = "",
    managing_organisation=None,
    managing_body: str = "",
    area: Decimal | None = None,
    year_built: int | None = None,
    phone: str = "",
    opening_hours: str = "",
    description: str = "",
    is_published: bool = True,
) -> Facility:
    """A sports park, national fitness centre, fitness path or (with `path`) a fitness trail,
    whose point is then its start."""
    facility = Facility(
        kind=kind,
        trail_kind=trail_kind or "",
        name=name,
        region=region,
        address=address,
        lat=None if lat is None else Decimal(str(lat)),
        lng=None if lng is None else Decimal(str(lng)),
        path=path or None,
        managing_organisation=managing_organisation,
        managing_body=managing_body or "",
        area=area,
        year_built=year_built,
        phone=(phone or "").strip(),
        opening_hours=opening_hours or "",
        description=description or "",
        is_published=is_published,
    )
    facility_problems(facility=facility, actor=actor).raise_if_any()
    facility.save()
    audit.record(action="facilities.facility.created", actor=actor, obj=facility, region=facility.region_id)
    return facility


@transaction.atomic
def update_facility(*, facility: Facility, actor) -> Facility:
    """Save edits made to `facility`; the stored and the edited facility must be the actor's."""
    require_stored_in_scope(actor, facility)
    facility_problems(facility=facility, actor=actor).raise_if_any()
    facility.save()
    return facility


@transaction.atomic
def set_trail_path(*, facility: Facility, path, actor) -> Facility:
    """Replace a trail's route (GeoJSON LineString, Feature, or [[lng, lat], ...])."""
    require_stored_in_scope(actor, facility)
    facility.path = parse_path(path)
    return update_facility(facility=facility, actor=actor)


@transaction.atomic
def publish_facility(*, facility: Facility, actor) -> Facility:
    return _set_published(facility=facility, actor=actor, published=True)


@transaction.atomic
def unpublish_facility(*, facility: Facility, actor) -> Facility:
    return _set_published(facility=facility, actor=actor, published=False)


def _set_published(*, facility: Facility, actor, published: bool) -> Facility:
    require_stored_in_scope(actor, facility)
    if facility.is_published != published:
        facility.is_published = published
        facility.save(update_fields=["is_published", "updated_at"])
        audit.record(
            action="facilities.facility.published" if published else "facilities.facility.unpublished",
            actor=actor,
            obj=facility,
        )
    return facility


@transaction.atomic
def delete_facility(*, facility: Facility, actor) -> None:
    require_stored_in_scope(actor, facility)
    audit.record(action="facilities.facility.deleted", actor=actor, obj=facility, region=facility.region_id)
    facility.delete()


# --- equipment inventory --------------------------------------------------------------------------


def equipment_problems(equipment: Equipment) -> Problems:
    problems = Problems()
    equipment.kind = (equipment.kind or "").strip()
    if not equipment.kind:
        problems.add("kind", _("Enter the kind of equipment."))
    check_model_fields(equipment, problems, exclude=("facility", "kind"))
    if equipment.count is not None and equipment.count < 1:
        problems.add("count", _("The count must be at least 1."))
    if equipment.condition not in EquipmentCondition.values:
        problems.add("condition", _("Unknown condition."))
    if equipment.installed_on and equipment.last_inspected_on and equipment.last_inspected_on < equipment.installed_on:
        problems.add("last_inspected_on", _("The last inspection cannot be before the installation."))
    return problems


@transaction.atomic
def add_equipment(
    *,
    facility: Facility,
    kind: str,
    actor,
    count: int = 1,
    installed_on: date | None = None,
    condition: str = EquipmentCondition.GOOD,
    last_inspected_on: date | None = None,
) -> Equipment:
    require_stored_in_scope(actor, facility)
    equipment = Equipment(
        facility=facility,
        kind=kind,
        count=count,
        installed_on=installed_on,
        condition=condition,
        last_inspected_on=last_inspected_on,
    )
    equipment_problems(equipment).raise_if_any()
    equipment.save()
    return equipment


@transaction.atomic
def update_equipment(*, equipment: Equipment, actor) -> Equipment:
    require_stored_in_scope(actor, equipment)
    before = stored_values(equipment, "facility_id")
    if before and before["facility_id"] != equipment.facility_id:
        raise ValidationFailed(fields={"facility": [_("Equipment cannot move to another facility.")]})
    equipment_problems(equipment).raise_if_any()
    equipment.save()
    return equipment


@transaction.atomic
def remove_equipment(*, equipment: Equipment, actor) -> None:
    require_stored_in_scope(actor, equipment)
    equipment.delete()
