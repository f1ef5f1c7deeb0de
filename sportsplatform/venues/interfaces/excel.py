"""Venues as Excel: export of a (scoped) queryset, the import template, and reading an import file
into rows for venues.domain.imports.import_venues. The column list is the file format."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..domain.imports import ImportResult, import_venues
from ..models import Amenity, Ownership, Sport, Venue, VenueType
from .workbook import (
    MAX_BYTES,
    MAX_ROWS,
    CellError,
    Choice,
    Column,
    ParsedSheet,
    boolean,
    choice,
    decimal,
    display_choices,
    export_workbook,
    integer,
    multi_choice,
    read_rows,
    region_code,
    row_id,
    split_list,
    template_workbook,
    text,
    yes_no,
)

VENUE_TYPES = [
    Choice(VenueType.STADIUM, VenueType.STADIUM.label, "体育场"),
    Choice(VenueType.GYMNASIUM, VenueType.GYMNASIUM.label, "体育馆"),
    Choice(VenueType.NATATORIUM, VenueType.NATATORIUM.label, "游泳馆", ("游泳池",)),
    Choice(VenueType.FITNESS_CENTRE, VenueType.FITNESS_CENTRE.label, "全民健身中心", ("健身中心",)),
    Choice(VenueType.SPORTS_PARK, VenueType.SPORTS_PARK.label, "体育公园"),
    Choice(VenueType.SCHOOL, VenueType.SCHOOL.label, "向社会开放的学校场馆", ("学校场馆", "学校体育场馆")),
    Choice(VenueType.GYM, VenueType.GYM.label, "健身房/健身工作室", ("健身房", "健身工作室")),
    Choice(VenueType.OTHER, VenueType.OTHER.label, "其他场馆", ("其他",)),
]
OWNERSHIPS = [
    Choice(Ownership.PUBLIC, Ownership.PUBLIC.label, "公共", ("公有", "公办", "公立", "国有", "公益")),
    Choice(Ownership.PRIVATE, Ownership.PRIVATE.label, "私营", ("民营", "私有", "社会", "经营性")),
]
AMENITIES = [
    Choice(Amenity.PARKING, Amenity.PARKING.label, "停车场", ("停车",)),
    Choice(Amenity.SHOWERS, Amenity.SHOWERS.label, "淋浴", ("浴室",)),
    Choice(Amenity.LOCKERS, Amenity.LOCKERS.label, "储物柜", ("更衣柜", "寄存")),
    Choice(Amenity.ACCESSIBLE, Amenity.ACCESSIBLE.label, "无障碍通道", ("无障碍", "无障碍设施")),
    Choice(Amenity.EQUIPMENT_RENTAL, Amenity.EQUIPMENT_RENTAL.label, "器材租赁", ("器材出租",)),
    Choice(Amenity.DRINKING_WATER, Amenity.DRINKING_WATER.label, "饮用水", ("直饮水",)),
    Choice(Amenity.FIRST_AID, Amenity.FIRST_AID.label, "急救", ("医务室", "急救箱")),
    Choice(Amenity.WIFI, Amenity.WIFI.label, "无线网络", ("wifi", "无线上网")),
]


def sports_parser():
    """Sports by Chinese name, English name or code, separated by 、 , ; or /."""
    lookup = {}
    for sport in Sport.objects.all():
        for key in (sport.code, sport.name, sport.name_en.lower()):
            lookup[key.strip().lower()] = sport

    def parse(value) -> list[Sport]:
        found, unknown = [], []
        for part in split_list(value):
            sport = lookup.get(part.lower())
            if sport is None:
                unknown.append(part)
            elif sport not in found:
                found.append(sport)
        if unknown:
            raise CellError(_("Unknown sports: %(names)s.") % {"names": "、".join(unknown)})
        return found

    return parse


def _region_name(venue: Venue) -> str:
    return venue.region.name if venue.region_id else ""


def venue_columns(*, with_sports_lookup: bool = True) -> list[Column]:
    sports = sports_parser() if with_sports_lookup else None
    return [
        Column(
            "id",
            gettext_lazy("ID"),
            "ID",
            parse=row_id,
            export=lambda v: v.pk,
            width=8,
            help=gettext_lazy("Leave empty for a new venue; the ID of an existing venue updates it."),
        ),
        Column(
            "name",
            gettext_lazy("Name"),
            "名称",
            parse=text(128, required=True),
            export=lambda v: v.name,
            required=True,
            width=28,
            help=gettext_lazy("The venue's name; unique within its county."),
            example="武侯区全民健身中心",
            aliases=("场馆名称",),
        ),
        Column(
            "type",
            gettext_lazy("Type"),
            "类型",
            parse=choice(VENUE_TYPES, required=True),
            export=lambda v: display_choices(VENUE_TYPES, v.type),
            required=True,
            width=16,
            help=gettext_lazy("One of: %(values)s.") % {"values": "、".join(c.zh for c in VENUE_TYPES)},
            example="全民健身中心",
            aliases=("场馆类型",),
        ),
        Column(
            "ownership",
            gettext_lazy("Ownership"),
            "性质",
            parse=choice(OWNERSHIPS, required=True),
            export=lambda v: display_choices(OWNERSHIPS, v.ownership),
            required=True,
            width=8,
            help=gettext_lazy("One of: %(values)s.") % {"values": "、".join(c.zh for c in OWNERSHIPS)},
            example="公共",
            aliases=("公私性质", "所有制"),
        ),
        Column(
            "operator",
            gettext_lazy("Operating organisation"),
            "运营单位",
            parse=text(128),
            export=lambda v: v.operator.name if v.operator_id else "",
            width=28,
            help=gettext_lazy(
                "Name of a venue operator registered on the platform; operator staff may leave it empty."
            ),
            example="",
            aliases=("运营方", "运营机构"),
        ),
        Column(
            "region",
            gettext_lazy("County code"),
            "区县代码",
            parse=region_code,
            export=lambda v: v.region_id,
            required=True,
            width=10,
            help=gettext_lazy("Six-digit GB/T 2260 code of the county or district, e.g. 510107."),
            example="510107",
            aliases=("行政区划代码", "区划代码"),
        ),
        Column("region_name", gettext_lazy("County"), "区县", export=_region_name, width=10),
        Column(
            "address",
            gettext_lazy("Address"),
            "地址",
            parse=text(255, required=True),
            export=lambda v: v.address,
            required=True,
            width=30,
            help=gettext_lazy("Street address."),
            example="人民南路四段1号",
        ),
        Column(
            "lat",
            gettext_lazy("Latitude"),
            "纬度",
            parse=decimal(places=6, minimum=Decimal(-90), maximum=Decimal(90), required=True),
            export=lambda v: v.lat,
            required=True,
            width=11,
            help=gettext_lazy("WGS-84 latitude in decimal degrees (GPS, not AMap/Baidu coordinates)."),
            example=30.64,
        ),
        Column(
            "lng",
            gettext_lazy("Longitude"),
            "经度",
            parse=decimal(places=6, minimum=Decimal(-180), maximum=Decimal(180), required=True),
            export=lambda v: v.lng,
            required=True,
            width=11,
            help=gettext_lazy("WGS-84 longitude in decimal degrees; the point must lie in the county."),
            example=104.04,
        ),
        Column(
            "phone",
            gettext_lazy("Phone"),
            "电话",
            parse=text(32),
            export=lambda v: v.phone,
            width=14,
            help=gettext_lazy("Public phone number."),
            example="028-85561234",
            aliases=("联系电话",),
        ),
        Column(
            "sports",
            gettext_lazy("Sports"),
            "运动项目",
            parse=sports,
            export=lambda v: "、".join(s.name for s in v.sports.all()),
            width=20,
            help=gettext_lazy("Sport names separated by %(sep)s, e.g. %(example)s.")
            % {"sep": "、", "example": "羽毛球、篮球"},
            example="羽毛球、乒乓球",
        ),
        Column(
            "amenities",
            gettext_lazy("Services"),
            "服务设施",
            parse=multi_choice(AMENITIES),
            export=lambda v: display_choices(AMENITIES, v.amenities),
            width=20,
            help=gettext_lazy("Any of: %(values)s, separated by 、.") % {"values": "、".join(c.zh for c in AMENITIES)},
            example="停车场、淋浴",
            aliases=("配套服务",),
        ),
        Column(
            "floor_area",
            gettext_lazy("Floor area (m²)"),
            "建筑面积(m²)",
            parse=decimal(places=1),
            export=lambda v: v.floor_area,
            width=12,
            help=gettext_lazy("Square metres, not negative."),
            example=12000,
            aliases=("建筑面积", "建筑面积(平方米)"),
        ),
        Column(
            "site_area",
            gettext_lazy("Site area (m²)"),
            "占地面积(m²)",
            parse=decimal(places=1),
            export=lambda v: v.site_area,
            width=12,
            help=gettext_lazy("Square metres, not negative."),
            example=20000,
            aliases=("占地面积", "占地面积(平方米)", "场地面积"),
        ),
        Column(
            "year_built",
            gettext_lazy("Year built"),
            "建成年份",
            parse=integer(minimum=1900, maximum=timezone.localdate().year + 5),
            export=lambda v: v.year_built,
            width=9,
            help=gettext_lazy("Four digits, e.g. 2015."),
            example=2015,
        ),
        Column(
            "star_rating",
            gettext_lazy("Star rating"),
            "星级",
            parse=integer(minimum=1, maximum=5),
            export=lambda v: v.star_rating,
            width=6,
            help=gettext_lazy("1 to 5, or empty when not rated."),
            example=4,
            aliases=("星级评定",),
        ),
        Column(
            "capacity",
            gettext_lazy("Capacity"),
            "容纳人数",
            parse=integer(minimum=0),
            export=lambda v: v.capacity,
            width=9,
            help=gettext_lazy("People allowed inside at once."),
            example=800,
        ),
        Column(
            "description",
            gettext_lazy("Description"),
            "简介",
            parse=text(5000),
            export=lambda v: v.description,
            width=30,
            help=gettext_lazy("Free text."),
            example="",
        ),
        Column(
            "is_published",
            gettext_lazy("Published"),
            "是否发布",
            parse=boolean(default=True),
            export=lambda v: yes_no(v.is_published),
            width=8,
            help=gettext_lazy("%(yes)s or %(no)s; empty means %(yes)s (shown to the public).")
            % {"yes": "是", "no": "否"},
            example="是",
            aliases=("发布",),
        ),
        Column(
            "bookable_courts",
            gettext_lazy("Bookable units"),
            "可预订场地数",
            export=lambda v: getattr(v, "bookable_courts", None),
            width=10,
        ),
    ]


def venues_for_export(queryset: QuerySet[Venue]) -> QuerySet[Venue]:
    return (
        queryset.select_related("region", "operator")
        .prefetch_related("sports")
        .annotate(bookable_courts=Count("courts", filter=Q(courts__is_bookable=True), distinct=True))
        .order_by("region_id", "name", "pk")
    )


def export_venues(queryset: QuerySet[Venue]) -> bytes:
    """The venues of `queryset` (already scoped by the caller) as an .xlsx workbook."""
    return export_workbook(
        title=_("Venues"), columns=venue_columns(with_sports_lookup=False), objects=venues_for_export(queryset)
    )


def venue_template() -> bytes:
    notes = [
        _("Rows are checked together: if any row is wrong, nothing is imported and every wrong row is listed."),
        _("Columns marked * are required. Other columns (such as %(columns)s of an export) are ignored.")
        % {"columns": "、".join(c.header() for c in venue_columns(with_sports_lookup=False) if not c.importable)},
        _("At most %(rows)s rows and %(mb)s MB per file.") % {"rows": MAX_ROWS, "mb": MAX_BYTES // (1024 * 1024)},
        _("Sports: %(names)s.") % {"names": "、".join(Sport.objects.values_list("name", flat=True))},
    ]
    return template_workbook(title=_("Venues"), columns=venue_columns(), notes=notes)


def read_venue_file(upload) -> ParsedSheet:
    return read_rows(upload, venue_columns())


def import_venue_file(upload, *, actor) -> ImportResult:
    """Read the file and hand its rows to import_venues (WorkbookError for an unreadable file,
    ImportRejected for bad rows)."""
    parsed = read_venue_file(upload)
    return import_venues(rows=parsed.rows, actor=actor, source=getattr(upload, "name", "") or "")


def column_labels() -> dict[str, str]:
    """Field name → column header, for reporting row errors under the file's own titles."""
    return {c.key: c.header().rstrip("*") for c in venue_columns(with_sports_lookup=False)}
