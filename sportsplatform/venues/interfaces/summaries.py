"""Summaries of the venue register for the back office (场馆管理 · 按类型汇总 / 导出报表): counts,
floor and site area by venue type and by region, and facilities by kind, over what the user may
see only (core.scoping). By region means the divisions one level below the user's own: a
provincial official sees cities, a city official counties; a drill-down names a region inside.
Two grouped queries per table, whatever the number of venues or regions."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from openpyxl import Workbook

from sportsplatform.core.scoping import scope_for, visible_to
from sportsplatform.regions.models import Region, scope_prefix

from ..models import Venue, VenueType
from .workbook import Column, workbook_bytes, write_sheet

ZERO = Decimal(0)


@dataclass
class SummaryRow:
    key: str
    label: str
    count: int = 0
    published: int = 0
    floor_area: Decimal = ZERO
    site_area: Decimal = ZERO
    drill_down: bool = False  # the region has divisions below it to look into

    def add(self, other: dict) -> None:
        self.count += other["count"] or 0
        self.published += other["published"] or 0
        self.floor_area += other["floor_area"] or ZERO
        self.site_area += other["site_area"] or ZERO


@dataclass
class FacilityRow:
    key: str
    label: str
    count: int = 0
    area: Decimal = ZERO
    length_km: Decimal = ZERO


@dataclass
class Summary:
    region: Region | None  # the division summarised (None: everything the user sees)
    parent: Region | None  # where "up" goes from a drill-down, if the user may go there
    by_type: list[SummaryRow]
    by_region: list[SummaryRow]
    total: SummaryRow
    facilities: list[FacilityRow] = field(default_factory=list)


_AGGREGATES = {
    "count": Count("id"),
    "published": Count("id", filter=Q(is_published=True)),
    "floor_area": Sum("floor_area"),
    "site_area": Sum("site_area"),
}


def _root_codes(user) -> list[str]:
    """The divisions a bureau official's scope consists of (e.g. ["510100"])."""
    codes = []
    for prefix in scope_for(user).region_prefixes:
        codes.append(prefix.ljust(6, "0"))
    return codes


def may_summarise(user, region: Region) -> bool:
    scope = scope_for(user)
    return scope.everything or scope.allows_region(region.code)


def venue_summary(*, user, region_code: str | None = None) -> Summary:
    scope = scope_for(user)
    venues = visible_to(user, Venue.objects.all())
    region = None
    if region_code:
        region = Region.objects.filter(pk=region_code).select_related("parent").first()
        if region is None or not may_summarise(user, region):
            region = None
    if region is None and not scope.everything:
        roots = _root_codes(user)
        if len(roots) == 1:
            region = Region.objects.filter(pk=roots[0]).select_related("parent").first()

    if region is not None:
        venues = venues.filter(region__code__startswith=scope_prefix(region.code))
        children = list(Region.objects.filter(parent=region).order_by("code")) or [region]
    elif scope.everything:
        children = list(Region.objects.filter(parent__isnull=True).order_by("code"))
    elif scope.region_prefixes:
        children = list(Region.objects.filter(pk__in=_root_codes(user)).order_by("code"))
    else:
        # Operator staff: the counties their venues lie in.
        children = list(Region.objects.filter(pk__in=venues.values("region_id")).order_by("code"))

    by_county = list(venues.order_by().values("region_id").annotate(**_AGGREGATES))
    total = SummaryRow("", _("Total"))
    for row in by_county:
        total.add(row)

    with_children = set(Region.objects.filter(parent__in=children).values_list("parent_id", flat=True).distinct())
    by_region = []
    claimed: set[str] = set()
    for child in children:
        prefix = scope_prefix(child.code)
        row = SummaryRow(child.code, child.name, drill_down=child.code in with_children and child != region)
        for county in by_county:
            if county["region_id"].startswith(prefix) and county["region_id"] not in claimed:
                row.add(county)
                claimed.add(county["region_id"])
        by_region.append(row)
    leftover = [c for c in by_county if c["region_id"] not in claimed]
    if leftover:
        other = SummaryRow("", _("Elsewhere"))
        for county in leftover:
            other.add(county)
        by_region.append(other)

    counts_by_type = {row["type"]: row for row in venues.order_by().values("type").annotate(**_AGGREGATES)}
    by_type = []
    for value, label in VenueType.choices:
        row = SummaryRow(value, str(label))
        if value in counts_by_type:
            row.add(counts_by_type[value])
        by_type.append(row)

    parent = None
    if region is not None and region.parent_id and may_summarise(user, region.parent):
        parent = region.parent
    return Summary(
        region=region,
        parent=parent,
        by_type=by_type,
        by_region=by_region,
        total=total,
        facilities=facility_summary(user=user, region=region),
    )


def facility_summary(*, user, region: Region | None) -> list[FacilityRow]:
    from sportsplatform.facilities.models import Facility, FacilityKind

    facilities = visible_to(user, Facility.objects.all())
    if region is not None:
        facilities = facilities.filter(region__code__startswith=scope_prefix(region.code))
    counts = {
        row["kind"]: row
        for row in facilities.order_by()
        .values("kind")
        .annotate(count=Count("id"), area=Sum("area"), length=Sum("length_m"))
    }
    rows = []
    for value, label in FacilityKind.choices:
        data = counts.get(value, {})
        rows.append(
            FacilityRow(
                value,
                str(label),
                count=data.get("count") or 0,
                area=data.get("area") or ZERO,
                length_km=(Decimal(data.get("length") or 0) / 1000).quantize(Decimal("0.1")),
            )
        )
    return rows


# --- Excel ----------------------------------------------------------------------------------------


def _venue_columns(first: str) -> list[Column]:
    return [
        Column("label", first, first, export=lambda r: r.label, width=24),
        Column("code", _("Code"), _("Code"), export=lambda r: r.key, width=10),
        Column("count", _("Venues"), _("Venues"), export=lambda r: r.count, width=10),
        Column("published", _("Published"), _("Published"), export=lambda r: r.published, width=10),
        Column("floor_area", _("Floor area (m²)"), _("Floor area (m²)"), export=lambda r: r.floor_area, width=16),
        Column("site_area", _("Site area (m²)"), _("Site area (m²)"), export=lambda r: r.site_area, width=16),
    ]


def summary_workbook(summary: Summary) -> bytes:
    workbook = Workbook()
    by_type = workbook.active
    by_type.title = _("By type")[:31]
    columns = _venue_columns(_("Venue type"))
    write_sheet(by_type, columns, ([c.export(r) for c in columns] for r in [*summary.by_type, summary.total]))

    by_region = workbook.create_sheet(_("By region")[:31])
    columns = _venue_columns(_("Region"))
    write_sheet(by_region, columns, ([c.export(r) for c in columns] for r in [*summary.by_region, summary.total]))

    facilities = workbook.create_sheet(_("Fitness facilities")[:31])
    columns = [
        Column("label", _("Kind"), _("Kind"), export=lambda r: r.label, width=24),
        Column("count", _("Facilities"), _("Facilities"), export=lambda r: r.count, width=10),
        Column("area", _("Area (m²)"), _("Area (m²)"), export=lambda r: r.area, width=14),
        Column("length_km", _("Trail length (km)"), _("Trail length (km)"), export=lambda r: r.length_km, width=16),
    ]
    write_sheet(facilities, columns, ([c.export(r) for c in columns] for r in summary.facilities))
    return workbook_bytes(workbook)
