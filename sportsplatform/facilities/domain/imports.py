"""Bulk import of fitness facilities: all or nothing, like venues.domain.imports (which defines
the row and error types)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sportsplatform.accounts.models import Organisation, OrganisationKind
from sportsplatform.core import audit
from sportsplatform.core.errors import ValidationFailed
from sportsplatform.core.scoping import editable_by, scope_for, visible_to
from sportsplatform.regions.models import Region
from sportsplatform.venues.domain.checks import is_system
from sportsplatform.venues.domain.imports import ROW_FIELD, ImportRejected, ImportResult, ImportRow, RowError
from sportsplatform.venues.domain.memo import remembered_lookups

from ..models import Facility
from .facilities import create_facility, facility_problems, update_facility

__all__ = ["ImportRejected", "ImportResult", "ImportRow", "check_facility_rows", "import_facilities"]


def _default_organisation(actor) -> Organisation | None:
    if is_system(actor):
        return None
    scope = scope_for(actor)
    if scope.everything or scope.region_prefixes or len(scope.organisation_ids) != 1:
        return None
    return Organisation.objects.filter(pk=next(iter(scope.organisation_ids)), kind=OrganisationKind.OPERATOR).first()


def check_facility_rows(*, rows: list[ImportRow], actor) -> list[tuple[ImportRow, Facility]]:
    regions = Region.objects.in_bulk(sorted({r.values["region"] for r in rows if r.values.get("region")}))
    names = sorted({r.values["managing_organisation"] for r in rows if r.values.get("managing_organisation")})
    organisations: dict[str, list[Organisation]] = {}
    if names:
        qs = Organisation.objects.filter(kind=OrganisationKind.OPERATOR, is_active=True, name__in=names)
        for org in qs if is_system(actor) else visible_to(actor, qs):
            organisations.setdefault(org.name, []).append(org)
    default_organisation = _default_organisation(actor)
    ids = sorted({r.id for r in rows if r.id is not None})
    stored = Facility.objects.filter(pk__in=ids)
    existing = (stored if is_system(actor) else editable_by(actor, stored)).in_bulk(ids) if ids else {}

    planned: list[tuple[ImportRow, Facility]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.id is not None:
            facility = existing.get(row.id)
            if facility is None:
                row.add_error("id", _("There is no facility with ID %(id)s that you may change.") % {"id": row.id})
                continue
        else:
            facility = Facility(managing_organisation=default_organisation)
        values = dict(row.values)
        if "region" in values:
            code = values.pop("region")
            region = regions.get(code) if code else None
            if code and region is None:
                row.add_error("region", _("There is no region with code %(code)s.") % {"code": code})
            facility.region = region
        if "managing_organisation" in values:
            name = values.pop("managing_organisation")
            if name:
                matches = organisations.get(name, [])
                if len(matches) != 1:
                    row.add_error(
                        "managing_organisation",
                        _("No single organisation named %(name)s in your reach.") % {"name": name},
                    )
                else:
                    facility.managing_organisation = matches[0]
            elif default_organisation is None:
                facility.managing_organisation = None
        for name, value in values.items():
            setattr(facility, name, value)
        if not (row.errors.keys() & {"region", "lat", "lng", "path"}):
            for field_name, messages in facility_problems(facility=facility, actor=actor).items():
                for message in messages:
                    row.add_error(field_name, message)
        if facility.name and facility.region_id:
            key = (facility.region_id, facility.name)
            if key in seen:
                row.add_error(
                    "name",
                    _("Row %(other)s has a facility of the same name in the same county.") % {"other": seen[key]},
                )
            else:
                seen[key] = row.number
        planned.append((row, facility))

    if not any(row.errors for row in rows):
        keys = {(f.region_id, f.name): (row, f) for row, f in planned}
        clashes = Facility.objects.filter(
            name__in=sorted({n for _c, n in keys}), region_id__in=sorted({c for c, _n in keys})
        ).values_list("pk", "region_id", "name")
        for pk, code, name in clashes:
            row, facility = keys.get((code, name), (None, None))
            if row is not None and facility.pk != pk:
                row.add_error(
                    "name",
                    _("A facility of this name already exists in this county (ID %(id)s); give its ID to update it.")
                    % {"id": pk},
                )
    bad = [RowError(row.number, row.errors) for row in rows if row.errors]
    if bad:
        raise ImportRejected(bad)
    return planned


@transaction.atomic
def import_facilities(*, rows: list[ImportRow], actor, source: str = "") -> ImportResult:
    if not rows:
        raise ImportRejected([], message=_("The file has no facility rows."))
    with remembered_lookups():
        return _import_facilities(rows=rows, actor=actor, source=source)


def _import_facilities(*, rows: list[ImportRow], actor, source: str) -> ImportResult:
    planned = check_facility_rows(rows=rows, actor=actor)
    created = updated = 0
    for row, facility in planned:
        try:
            if facility.pk is None:
                create_facility(
                    actor=actor,
                    kind=facility.kind,
                    name=facility.name,
                    region=facility.region,
                    address=facility.address,
                    lat=facility.lat,
                    lng=facility.lng,
                    path=facility.path,
                    trail_kind=facility.trail_kind,
                    managing_organisation=facility.managing_organisation,
                    managing_body=facility.managing_body,
                    area=facility.area,
                    year_built=facility.year_built,
                    phone=facility.phone,
                    opening_hours=facility.opening_hours,
                    description=facility.description,
                    is_published=facility.is_published,
                )
                created += 1
            else:
                update_facility(facility=facility, actor=actor)
                updated += 1
        except ValidationFailed as exc:
            raise ImportRejected([RowError(row.number, exc.fields or {ROW_FIELD: [str(exc.message)]})]) from None
    audit.record(
        action="facilities.facility.imported",
        actor=actor,
        rows=len(rows),
        created=created,
        updated=updated,
        source=source,
    )
    return ImportResult(created=created, updated=updated)
