"""Bulk import of venues (the Excel import's write half; interfaces/excel.py reads the file).

All or nothing: every row is checked first — parse errors from the file, the same rules as a
single save (venue_problems: scope, county, coordinates in the county, field ranges), duplicates
within the file and against the register — and if any row is bad nothing is written and every bad
row is reported with its row number. Otherwise all rows are created or updated in one transaction.
A row with an ID updates that venue if the actor may change it; without one it creates a venue."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportsplatform.accounts.models import Organisation, OrganisationKind
from sportsplatform.core import audit
from sportsplatform.core.errors import ValidationFailed
from sportsplatform.core.scoping import editable_by, scope_for, visible_to
from sportsplatform.regions.models import Region

from ..models import Venue
from .checks import is_system
from .memo import remembered_lookups
from .venues import create_venue, set_sports, update_venue, venue_problems

ROW_FIELD = "__row__"  # messages about the row as a whole


@dataclass
class ImportRow:
    """One spreadsheet row, parsed. `values` holds only the columns the file has (a missing
    column leaves an updated venue's value alone); `errors` are the parser's, by field."""

    number: int
    id: int | None = None
    values: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add_error(self, field_name: str, message) -> None:
        messages = self.errors.setdefault(field_name, [])
        if str(message) not in messages:
            messages.append(str(message))


@dataclass(frozen=True)
class RowError:
    number: int
    errors: dict[str, list[str]]


class ImportRejected(ValidationFailed):
    code = "import_rejected"
    default_message = gettext_lazy("Nothing was imported: some rows are not valid.")

    def __init__(self, rows: list[RowError], message=None):
        self.rows = rows
        super().__init__(message, fields={ROW_FIELD: [str(r.number) for r in rows]})


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def _resolve_operators(actor, names: set[str]) -> dict[str, list[Organisation]]:
    qs = Organisation.objects.filter(kind=OrganisationKind.OPERATOR, is_active=True, name__in=sorted(names))
    if not is_system(actor):
        qs = visible_to(actor, qs)
    found: dict[str, list[Organisation]] = {}
    for org in qs.select_related("region"):
        found.setdefault(org.name, []).append(org)
    return found


def _default_operator(actor) -> Organisation | None:
    """Operator staff importing their own venues need not name their organisation."""
    if is_system(actor):
        return None
    scope = scope_for(actor)
    if scope.everything or scope.region_prefixes or len(scope.organisation_ids) != 1:
        return None
    return Organisation.objects.filter(pk=next(iter(scope.organisation_ids)), kind=OrganisationKind.OPERATOR).first()


def check_venue_rows(*, rows: list[ImportRow], actor) -> list[tuple[ImportRow, Venue, list | None]]:
    """Build each row's venue without saving it; raise ImportRejected listing every bad row."""
    codes = {r.values["region"] for r in rows if r.values.get("region")}
    regions = Region.objects.in_bulk(sorted(codes))
    operator_names = {r.values["operator"] for r in rows if r.values.get("operator")}
    operators = _resolve_operators(actor, operator_names) if operator_names else {}
    default_operator = _default_operator(actor)
    ids = sorted({r.id for r in rows if r.id is not None})
    stored = Venue.objects.filter(pk__in=ids)
    existing = (stored if is_system(actor) else editable_by(actor, stored)).in_bulk(ids) if ids else {}

    planned: list[tuple[ImportRow, Venue, list | None]] = []
    seen: dict[tuple[str, str], int] = {}
    bad: list[RowError] = []
    for row in rows:
        if row.id is not None:
            venue = existing.get(row.id)
            if venue is None:
                row.add_error("id", _("There is no venue with ID %(id)s that you may change.") % {"id": row.id})
                bad.append(RowError(row.number, row.errors))
                continue
        else:
            venue = Venue(operator=default_operator)
        values = dict(row.values)
        if "region" in values:
            code = values.pop("region")
            region = regions.get(code) if code else None
            if code and region is None:
                row.add_error("region", _("There is no region with code %(code)s.") % {"code": code})
            venue.region = region
            venue.region_id = region.pk if region else None
        if "operator" in values:
            name = values.pop("operator")
            if name:
                matches = operators.get(name, [])
                if len(matches) > 1 and venue.region_id:
                    matches = [o for o in matches if venue.region_id.startswith(o.region.scope_prefix)] or matches
                if not matches:
                    row.add_error("operator", _("No venue operator named %(name)s in your reach.") % {"name": name})
                elif len(matches) > 1:
                    row.add_error("operator", _("Several venue operators are named %(name)s.") % {"name": name})
                else:
                    venue.operator = matches[0]
            elif default_operator is None:
                venue.operator = None
        sports = values.pop("sports", None)
        for name, value in values.items():
            setattr(venue, name, value)
        if not row.errors.get("region") and not row.errors.get("lat") and not row.errors.get("lng"):
            for field_name, messages in venue_problems(venue=venue, actor=actor).items():
                if field_name in row.errors and field_name in ("lat", "lng", "region"):
                    continue
                for message in messages:
                    row.add_error(field_name, message)
        if venue.name and venue.region_id:
            key = (venue.region_id, venue.name)
            if key in seen:
                row.add_error(
                    "name",
                    _("Row %(other)s has a venue of the same name in the same county.") % {"other": seen[key]},
                )
            else:
                seen[key] = row.number
        if row.errors:
            bad.append(RowError(row.number, row.errors))
        planned.append((row, venue, sports))

    # Names already in the register (one query for the whole file).
    if not bad:
        keys = {(v.region_id, v.name): (row, v) for row, v, _sports in planned}
        names = sorted({name for _code, name in keys})
        clashes = Venue.objects.filter(name__in=names, region_id__in=sorted({c for c, _n in keys})).values_list(
            "pk", "region_id", "name"
        )
        for pk, code, name in clashes:
            row, venue = keys.get((code, name), (None, None))
            if row is not None and venue.pk != pk:
                row.add_error(
                    "name",
                    _("A venue of this name already exists in this county (ID %(id)s); give its ID to update it.")
                    % {"id": pk},
                )
                bad.append(RowError(row.number, row.errors))
    if bad:
        raise ImportRejected(sorted(bad, key=lambda r: r.number))
    return planned


@transaction.atomic
def import_venues(*, rows: list[ImportRow], actor, source: str = "") -> ImportResult:
    """Create or update every row, or nothing (ImportRejected lists the bad rows)."""
    if not rows:
        raise ImportRejected([], message=_("The file has no venue rows."))
    with remembered_lookups():
        return _import_venues(rows=rows, actor=actor, source=source)


def _import_venues(*, rows: list[ImportRow], actor, source: str) -> ImportResult:
    planned = check_venue_rows(rows=rows, actor=actor)
    created = updated = 0
    for row, venue, sports in planned:
        try:
            if venue.pk is None:
                saved = create_venue(
                    actor=actor,
                    name=venue.name,
                    type=venue.type,
                    ownership=venue.ownership,
                    region=venue.region,
                    address=venue.address,
                    lat=venue.lat,
                    lng=venue.lng,
                    operator=venue.operator,
                    phone=venue.phone,
                    sports=sports or (),
                    amenities=venue.amenities or (),
                    floor_area=venue.floor_area,
                    site_area=venue.site_area,
                    year_built=venue.year_built,
                    star_rating=venue.star_rating,
                    capacity=venue.capacity,
                    description=venue.description,
                    is_published=venue.is_published,
                )
                created += 1
            else:
                saved = update_venue(venue=venue, actor=actor)
                if sports is not None:
                    set_sports(venue=saved, sports=sports, actor=actor)
                updated += 1
        except ValidationFailed as exc:
            # Checked above; a concurrent change can still get in between. Roll everything back.
            raise ImportRejected([RowError(row.number, exc.fields or {ROW_FIELD: [str(exc.message)]})]) from None
    audit.record(
        action="venues.venue.imported", actor=actor, rows=len(rows), created=created, updated=updated, source=source
    )
    return ImportResult(created=created, updated=updated)
