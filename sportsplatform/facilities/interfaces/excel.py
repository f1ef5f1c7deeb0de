"""Fitness facilities as Excel: export, template and import file reading (the column list is the
file format; the machinery is venues.interfaces.workbook)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportsplatform.venues.domain.imports import ImportResult
from sportsplatform.venues.interfaces.workbook import (
    MAX_BYTES,
    MAX_ROWS,
    Choice,
    Column,
    ParsedSheet,
    blank,
    boolean,
    choice,
    decimal,
    display_choices,
    export_workbook,
    integer,
    read_rows,
    region_code,
    row_id,
    template_workbook,
    text,
    yes_no,
)

from ..domain.imports import import_facilities
from ..models import Facility, FacilityKind, TrailKind

FACILITY_KINDS = [
    Choice(FacilityKind.SPORTS_PARK, FacilityKind.SPORTS_PARK.label, "体育公园"),
    Choice(FacilityKind.FITNESS_CENTRE, FacilityKind.FITNESS_CENTRE.label, "全民健身中心", ("健身中心",)),
    Choice(FacilityKind.TRAIL, FacilityKind.TRAIL.label, "健身步道", ("步道", "绿道")),
    Choice(FacilityKind.FITNESS_PATH, FacilityKind.FITNESS_PATH.label, "健身路径", ("室外健身器材", "健身点")),
]
TRAIL_KINDS = [
    Choice(TrailKind.HIKING, TrailKind.HIKING.label, "登山步道", ("登山道", "徒步")),
    Choice(TrailKind.WALKING, TrailKind.WALKING.label, "健走步道", ("步行道", "健步道", "散步道")),
    Choice(TrailKind.CYCLING, TrailKind.CYCLING.label, "骑行道", ("自行车道", "骑行")),
]


def route(value):
    """GeoJSON text in a cell; validated by the domain (parse_path)."""
    return None if blank(value) else str(value).strip()


def facility_columns() -> list[Column]:
    return [
        Column(
            "id",
            gettext_lazy("ID"),
            "ID",
            parse=row_id,
            export=lambda f: f.pk,
            width=8,
            help=gettext_lazy("Leave empty for a new facility; the ID of an existing facility updates it."),
        ),
        Column(
            "name",
            gettext_lazy("Name"),
            "名称",
            parse=text(128, required=True),
            export=lambda f: f.name,
            required=True,
            width=28,
            help=gettext_lazy("Unique within its county."),
            example="望江楼公园健身路径",
        ),
        Column(
            "kind",
            gettext_lazy("Kind"),
            "类型",
            parse=choice(FACILITY_KINDS, required=True),
            export=lambda f: display_choices(FACILITY_KINDS, f.kind),
            required=True,
            width=14,
            help=gettext_lazy("One of: %(values)s.") % {"values": "、".join(c.zh for c in FACILITY_KINDS)},
            example="健身路径",
        ),
        Column(
            "trail_kind",
            gettext_lazy("Trail kind"),
            "步道类型",
            parse=choice(TRAIL_KINDS),
            export=lambda f: display_choices(TRAIL_KINDS, f.trail_kind),
            width=10,
            help=gettext_lazy("Trails only: %(values)s.") % {"values": "、".join(c.zh for c in TRAIL_KINDS)},
        ),
        Column(
            "region",
            gettext_lazy("County code"),
            "区县代码",
            parse=region_code,
            export=lambda f: f.region_id,
            required=True,
            width=10,
            help=gettext_lazy("Six-digit GB/T 2260 code of the county or district, e.g. 510107."),
            example="510107",
            aliases=("行政区划代码", "区划代码"),
        ),
        Column("region_name", gettext_lazy("County"), "区县", export=lambda f: f.region.name, width=10),
        Column(
            "address",
            gettext_lazy("Address"),
            "地址",
            parse=text(255, required=True),
            export=lambda f: f.address,
            required=True,
            width=30,
            help=gettext_lazy("Street address."),
            example="望江路1号",
        ),
        Column(
            "lat",
            gettext_lazy("Latitude"),
            "纬度",
            parse=decimal(places=6, minimum=Decimal(-90), maximum=Decimal(90)),
            export=lambda f: f.lat,
            width=11,
            help=gettext_lazy("WGS-84; for a trail leave empty: its start is used."),
            example=30.63,
        ),
        Column(
            "lng",
            gettext_lazy("Longitude"),
            "经度",
            parse=decimal(places=6, minimum=Decimal(-180), maximum=Decimal(180)),
            export=lambda f: f.lng,
            width=11,
            help=gettext_lazy("WGS-84; the point must lie in the county."),
            example=104.08,
        ),
        Column(
            "path",
            gettext_lazy("Route (GeoJSON)"),
            "路线(GeoJSON)",
            parse=route,
            export=lambda f: json.dumps(f.path) if f.path else "",
            width=30,
            help=gettext_lazy("Trails only: a GeoJSON LineString or [[longitude, latitude], ...]."),
            aliases=("路线",),
        ),
        Column("length_m", gettext_lazy("Length (m)"), "长度(米)", export=lambda f: f.length_m, width=10),
        Column(
            "managing_organisation",
            gettext_lazy("Managing organisation"),
            "管理单位",
            parse=text(128),
            export=lambda f: f.managing_organisation.name if f.managing_organisation_id else "",
            width=24,
            help=gettext_lazy("Name of an operator registered on the platform, if any."),
        ),
        Column(
            "managing_body",
            gettext_lazy("Managing body"),
            "管理主体",
            parse=text(128),
            export=lambda f: f.managing_body,
            width=20,
            help=gettext_lazy("As published, when not an organisation on the platform."),
            example="武侯区体育局",
        ),
        Column(
            "area",
            gettext_lazy("Area (m²)"),
            "面积(m²)",
            parse=decimal(places=1),
            export=lambda f: f.area,
            width=10,
            help=gettext_lazy("Square metres, not negative."),
            example=500,
            aliases=("面积",),
        ),
        Column(
            "year_built",
            gettext_lazy("Year built"),
            "建成年份",
            parse=integer(minimum=1900, maximum=timezone.localdate().year + 5),
            export=lambda f: f.year_built,
            width=9,
            help=gettext_lazy("Four digits, e.g. 2015."),
            example=2018,
        ),
        Column(
            "phone",
            gettext_lazy("Phone"),
            "电话",
            parse=text(32),
            export=lambda f: f.phone,
            width=14,
            help=gettext_lazy("Public phone number."),
        ),
        Column(
            "opening_hours",
            gettext_lazy("Opening hours"),
            "开放时间",
            parse=text(128),
            export=lambda f: f.opening_hours,
            width=14,
            help=gettext_lazy("Free text."),
            example="全天开放",
        ),
        Column(
            "description",
            gettext_lazy("Description"),
            "简介",
            parse=text(5000),
            export=lambda f: f.description,
            width=24,
            help=gettext_lazy("Free text."),
        ),
        Column(
            "is_published",
            gettext_lazy("Published"),
            "是否发布",
            parse=boolean(default=True),
            export=lambda f: yes_no(f.is_published),
            width=8,
            help=gettext_lazy("%(yes)s or %(no)s; empty means %(yes)s.") % {"yes": "是", "no": "否"},
            example="是",
        ),
        Column(
            "equipment_count",
            gettext_lazy("Equipment"),
            "器材数量",
            export=lambda f: getattr(f, "equipment_count", None),
            width=8,
        ),
    ]


def export_facilities(queryset: QuerySet[Facility]) -> bytes:
    objects = (
        queryset.select_related("region", "managing_organisation")
        .annotate(equipment_count=Sum("equipment__count"))
        .order_by("region_id", "kind", "name", "pk")
    )
    return export_workbook(title=_("Fitness facilities"), columns=facility_columns(), objects=objects)


def facility_template() -> bytes:
    notes = [
        _("Rows are checked together: if any row is wrong, nothing is imported and every wrong row is listed."),
        _("Columns marked * are required."),
        _("At most %(rows)s rows and %(mb)s MB per file.") % {"rows": MAX_ROWS, "mb": MAX_BYTES // (1024 * 1024)},
        _("Equipment is kept on each facility's page."),
    ]
    return template_workbook(title=_("Fitness facilities"), columns=facility_columns(), notes=notes)


def read_facility_file(upload) -> ParsedSheet:
    return read_rows(upload, facility_columns())


def import_facility_file(upload, *, actor) -> ImportResult:
    parsed = read_facility_file(upload)
    return import_facilities(rows=parsed.rows, actor=actor, source=getattr(upload, "name", "") or "")


def column_labels() -> dict[str, str]:
    return {c.key: c.header().rstrip("*") for c in facility_columns()}
